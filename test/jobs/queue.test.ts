import { afterEach, describe, expect, it } from "vitest";
import type PgBoss from "pg-boss";
import { closeQueue, ensureQueue, openQueue } from "../../src/jobs/queue.js";
import { createLogger } from "../../src/logger.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";

const logger = createLogger({ level: "silent" });

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(DATABASE_KINDS)("job queue on %s", (kind) => {
  let t: TestDatabase | undefined;
  let boss: PgBoss | undefined;
  afterEach(async () => {
    if (boss !== undefined) await closeQueue(boss, 2_000);
    await t?.drop();
    boss = undefined;
  });

  it("runs each job once, retries a failing job, and keeps queued jobs across a restart", async () => {
    t = await createTestDatabase(kind);
    boss = await openQueue(t.db, { logger, schedule: false });
    await ensureQueue(t.db, boss, "test-jobs", { retryDelay: 1, retryBackoff: false });
    await ensureQueue(t.db, boss, "test-jobs");
    for (let i = 0; i < 5; i += 1) await boss.send("test-jobs", { i, failOnce: i === 2 });
    await closeQueue(boss, 2_000);

    // "Restart": a new queue instance on the same database finds the five jobs.
    boss = await openQueue(t.db, { logger, schedule: false });
    const seen: number[] = [];
    let failed = false;
    await boss.work<{ i: number; failOnce: boolean }>("test-jobs", { batchSize: 1, pollingIntervalSeconds: 0.5 }, async (jobs) => {
      for (const job of jobs) {
        if (job.data.failOnce && !failed) {
          failed = true;
          throw new Error("transient");
        }
        seen.push(job.data.i);
      }
    });
    await waitFor(() => seen.length >= 5 && seen.includes(2));
    expect(failed).toBe(true);
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
