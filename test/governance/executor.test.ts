import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { queryAudit, verifyAuditChain } from "../../src/governance/audit-log.js";
import { executeAction, executeActions, type ExecutionItem } from "../../src/governance/executor.js";
import type { ActionTypeDefinition, PlatformServices } from "../../src/orchestration/agent-definition.js";
import { AuditRecorder } from "../../src/orchestration/audit-recorder.js";
import { BadInputError, UpstreamError } from "../../tools/errors.js";
import { countingPool } from "../helpers/counting-pool.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";

/** An action whose effect is an entry in a list (or a failure, for notes starting with "fail"). */
const effects: string[] = [];
const fileNote: ActionTypeDefinition<{ note: string }> = {
  type: "file-note", description: "files a note", humanOnly: false, threshold: 0.9,
  payloadSchema: z.object({ note: z.string().min(1) }),
  editSchema: z.strictObject({}),
  execute: async ({ note }) => {
    if (note.startsWith("fail")) throw new Error(`the EHR refused ${note}`);
    effects.push(note);
    return { filed: note };
  },
};

describe.each(DATABASE_KINDS)("action executor on %s", (kind) => {
  let t: TestDatabase;
  let services: PlatformServices;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await t.db.pool.query("INSERT INTO runs (id, agent, subject_type, subject_id, status, input) VALUES ('run-x', 'test', 'test', 'x', 'running', '{}')");
    services = { pool: t.db.pool, audit: new AuditRecorder(t.db.pool, () => new Date()), logger: pino({ level: "silent" }), now: () => new Date() };
  });
  afterAll(async () => { await t.drop(); });

  const item = (key: string, note: string): ExecutionItem => ({
    definition: fileNote as ActionTypeDefinition<unknown>, payload: { note }, deps: undefined,
    context: { idempotencyKey: key, runId: "run-x", agent: "test", executedBy: "agent:test", services },
    audit: { runId: "run-x", agent: "test", node: "execute", subjectType: "test", subjectId: key },
  });
  const status = async (key: string) => (await t.db.pool.query<{ status: string; attempts: number }>(
    "SELECT status, attempts FROM actions WHERE idempotency_key = $1", [key])).rows[0];

  it("executes a batch with a constant number of statements, each action once, one failure recorded without stopping the rest", async () => {
    effects.length = 0;
    const counted = countingPool(t.db.pool);
    const batch = Array.from({ length: 30 }, (_, i) => item(`${kind}-k${i}`, i === 7 ? "fail-7" : `note-${i}`));
    const results = await executeActions(counted.pool, batch);
    expect(counted.statements() + counted.checkouts()).toBeLessThanOrEqual(4);
    expect(results.filter((r) => r.status === "executed")).toHaveLength(29);
    expect(results[7]).toEqual({ status: "failed", error: "the EHR refused fail-7" });
    expect(effects).toHaveLength(29);
    expect(await status(`${kind}-k7`)).toEqual({ status: "failed", attempts: 1 });
    expect(await status(`${kind}-k8`)).toEqual({ status: "executed", attempts: 1 });
    const trail = await queryAudit(t.db.pool, { runId: "run-x" });
    expect(trail.filter((e) => e.kind === "action.executed")).toHaveLength(29);
    expect(trail.filter((e) => e.kind === "action.failed").map((e) => e.subjectId)).toEqual([`${kind}-k7`]);
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(true);
  });

  it("a retried batch executes only the failed action again; the rest are duplicates with their results", async () => {
    effects.length = 0;
    const batch = Array.from({ length: 30 }, (_, i) => item(`${kind}-k${i}`, `note-${i}`));
    const results = await executeActions(t.db.pool, batch);
    expect(effects).toEqual(["note-7"]);
    expect(results[7]).toEqual({ status: "executed", result: { filed: "note-7" } });
    expect(results[3]).toEqual({ status: "duplicate", result: { filed: "note-3" }, existingStatus: "executed" });
    expect(await status(`${kind}-k7`)).toEqual({ status: "executed", attempts: 2 });
  });

  it("a key twice in one batch is executed once; an invalid payload claims nothing", async () => {
    effects.length = 0;
    const results = await executeActions(t.db.pool, [item(`${kind}-twice`, "first"), item(`${kind}-twice`, "second")]);
    expect(effects).toEqual(["first"]);
    expect(results[1]).toEqual({ status: "duplicate", result: { filed: "first" }, existingStatus: "executed" });
    await expect(executeActions(t.db.pool, [item(`${kind}-valid`, "ok"), item(`${kind}-invalid`, "")])).rejects.toBeInstanceOf(BadInputError);
    expect(await status(`${kind}-valid`)).toBeUndefined();
  });

  it("executeAction (one action) throws an UpstreamError for a failed effect, after recording it", async () => {
    const one = item(`${kind}-single`, "fail-single");
    await expect(executeAction(t.db.pool, one)).rejects.toBeInstanceOf(UpstreamError);
    expect(await status(`${kind}-single`)).toEqual({ status: "failed", attempts: 1 });
  });
});
