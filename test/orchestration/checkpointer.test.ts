import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckpointer, setupCheckpointer } from "../../src/orchestration/checkpointer.js";
import { countingPool } from "../helpers/counting-pool.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";

describe.each(DATABASE_KINDS)("batched checkpointer on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await setupCheckpointer(t.db, createCheckpointer(t.db));
  });
  afterAll(async () => { await t.drop(); });

  const rows = async (thread: string) => (await t.db.pool.query<{ task_id: string; idx: number; channel: string; blob: Buffer }>(
    "SELECT task_id, idx, channel, blob FROM checkpoint_writes WHERE thread_id = $1 ORDER BY task_id, idx", [thread])).rows
    .map((r) => ({ task: r.task_id, idx: r.idx, channel: r.channel, blob: r.blob.toString() }));

  /** The same calls in the same order: made at once, or (for the stock saver, whose calls race on a server pool) one after another. */
  const writeAll = async (saver: PostgresSaver, thread: string, together: boolean) => {
    const config = { configurable: { thread_id: thread, checkpoint_ns: "", checkpoint_id: "cp-1" } };
    const calls: [Parameters<PostgresSaver["putWrites"]>[1], string][] = [
      ...Array.from({ length: 40 }, (_, i): [Parameters<PostgresSaver["putWrites"]>[1], string] => [[["__interrupt__", { draft: i }]], `task-${String(i).padStart(2, "0")}`]),
      [[["outcomes", "first"], ["verdicts", "v"]], "task-x"],
      [[["outcomes", "second"]], "task-x"], // a plain write never replaces one made before
      [[["__interrupt__", "old"]], "task-y"],
      [[["__interrupt__", "new"]], "task-y"], // a special write replaces
    ];
    if (together) {
      await Promise.all(calls.map(([writes, task]) => saver.putWrites(config, writes, task)));
    } else {
      for (const [writes, task] of calls) await saver.putWrites(config, writes, task);
    }
  };

  it("writes the pending writes of calls made together in one transaction, with the rows the stock saver writes", async () => {
    const counted = countingPool(t.db.pool);
    const batched = createCheckpointer({ ...t.db, pool: counted.pool });
    await writeAll(batched, "batched", true);
    expect(counted.checkouts()).toBe(1);
    await writeAll(new PostgresSaver(t.db.pool), "stock", false);
    const stock = await rows("stock");
    expect(stock).toHaveLength(43);
    expect(stock.find((r) => r.task === "task-y")?.blob).toContain("new");
    expect(stock.find((r) => r.task === "task-x" && r.idx === 0)?.blob).toContain("first");
    expect(await rows("batched")).toEqual(stock);
  });

  it("fails every call of a batch when its transaction fails, and writes none of its rows", async () => {
    const saver = createCheckpointer(t.db);
    const config = { configurable: { thread_id: "failing", checkpoint_ns: "", checkpoint_id: "cp-1" } };
    const calls = [
      saver.putWrites(config, [["__interrupt__", { ok: true }]], "task-a"),
      saver.putWrites({ configurable: { ...config.configurable, thread_id: "nul\u0000" } }, [["__interrupt__", 1]], "task-b"),
    ];
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected"]);
    expect(await rows("failing")).toEqual([]);
  });
});
