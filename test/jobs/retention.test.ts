/**
 * The retention pass (src/jobs/retention.ts) deletes exactly what its settings say and nothing
 * else: a waiting run keeps every checkpoint and can still be resumed; a finished run past the
 * checkpoint window keeps its last checkpoint (its final state still reads back); superseded
 * review items past their window go, pending and decided ones stay; finished runs past their
 * window go with their checkpoints unless a review item or action names them; completed sweeps
 * past their window go with their items. One audit entry records the pass; the chain verifies.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryAudit, verifyAuditChain } from "../../src/governance/audit-log.js";
import { runRetention, type RetentionSettings } from "../../src/jobs/retention.js";
import { createCheckpointer } from "../../src/orchestration/checkpointer.js";
import type { AgentRuntime } from "../../src/orchestration/runtime.js";
import type { TestDatabase } from "../helpers/databases.js";
import { DATABASE_KINDS } from "../helpers/databases.js";
import { SubmissionLog, startTestAgentApp } from "../orchestration/test-agent.js";
import { testConfig } from "../helpers/app.js";
import { runCliCaptured, useCliDatabase } from "../helpers/cli.js";
import { buildServiceComponents } from "../../src/service-components.js";
import { createLogger } from "../../src/logger.js";

describe("retention settings", () => {
  it("default to what a clinic expects, and refuse an audit retention under six years", () => {
    const config = testConfig({ DATA_DIR: "/srv/rcm" });
    expect(config.retention).toEqual({
      cron: "30 3 * * *", batchSize: 500, checkpoints: { afterDays: 7, keep: "last" }, supersededReviewsDays: 90, runsDays: 400,
      sweepsDays: 30, consoleSessionsDays: 30, jobs: { completedHours: 12, archiveDays: 7 }, auditRetainMonths: 84, auditArchiveDir: "/srv/rcm/audit-archive",
    });
    expect(testConfig({ RETAIN_CHECKPOINTS_KEEP: "none", AUDIT_ARCHIVE_DIR: "/archive" }).retention).toMatchObject({ checkpoints: { keep: "none" }, auditArchiveDir: "/archive" });
    expect(() => testConfig({ AUDIT_RETAIN_MONTHS: "60" })).toThrow(/AUDIT_RETAIN_MONTHS/);
    expect(() => testConfig({ RETAIN_CHECKPOINTS_KEEP: "some" })).toThrow(/RETAIN_CHECKPOINTS_KEEP/);
  });
});

describe.each(DATABASE_KINDS)("infusion-rcm retention run on %s", (kind) => {
  useCliDatabase(kind);

  it("runs one pass by hand and records it in the audit log", async () => {
    const ran = await runCliCaptured(["retention", "run"]);
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ runs: 0, supersededReviewItems: 0, auditMonthsArchived: [] });
    expect((await runCliCaptured(["retention", "prune-everything"])).code).toBe(2);
  });
});

const proposal = (key: string) => ({ actionType: "file-note" as const, key, note: `note ${key}`, confidence: 0.5 });

describe.each(DATABASE_KINDS)("the retention pass on %s", (kind) => {
  let t: TestDatabase;
  let runtime: AgentRuntime;
  let close: () => Promise<void>;
  let dir: string;
  const log = new SubmissionLog();
  beforeAll(async () => {
    ({ t, runtime, close } = await startTestAgentApp(kind, log));
    dir = await mkdtemp(path.join(tmpdir(), "irc-retention-"));
  });
  afterAll(async () => {
    await close();
    await rm(dir, { recursive: true, force: true });
  });

  const start = (key: string, proposals: ReturnType<typeof proposal>[]) => runtime.start("test-escalator", { type: "test", id: key }, { proposals });
  const age = (table: string, column: string, where: string, days: number, params: unknown[]) =>
    t.db.pool.query(`UPDATE ${table} SET ${column} = now() - make_interval(days => ${days}) WHERE ${where}`, params);
  const checkpoints = async (runId: string) => Number((await t.db.pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM checkpoints WHERE thread_id = $1", [runId])).rows[0]?.n);
  const exists = async (sql: string, params: unknown[]) => ((await t.db.pool.query(sql, params)).rowCount ?? 0) > 0;
  const itemOf = async (runId: string) => (await t.db.pool.query<{ id: string; status: string }>("SELECT id, status FROM review_items WHERE run_id = $1", [runId])).rows[0]!;

  it("deletes exactly what the settings say, and a waiting run is still resumable", async () => {
    await t.db.pool.query(`INSERT INTO agent_autonomy (agent, action_type, phase, updated_by, justification) VALUES ('test-escalator', '*', 'advisory', 'test', 'test')
      ON CONFLICT (agent, action_type) DO UPDATE SET phase = 'advisory'`);
    const waiting = await start("w", [proposal("w-1")]);
    expect(waiting.status).toBe("waiting");
    const finishedRecently = await start("recent", []);
    const finishedLastWeek = await start("last-week", []);
    const finishedLongAgo = await start("long-ago", []);
    const decided = await start("d", [proposal("d-1")]);
    await runtime.decide((await itemOf(decided.id)).id, { type: "accept" }, "staff:test");
    // s1's item is superseded by s2's (same subject), long ago; s3's by s4's, recently.
    const s1 = await start("s1", [proposal("s-1")]);
    await start("s2", [proposal("s-1")]);
    const s3 = await start("s3", [proposal("s-2")]);
    await start("s4", [proposal("s-2")]);
    expect((await itemOf(s1.id)).status).toBe("superseded");
    expect((await itemOf(s3.id)).status).toBe("superseded");

    for (const run of [finishedRecently, finishedLastWeek, finishedLongAgo, decided]) expect((await runtime.getRun(run.id)).run.status).toBe("completed");
    const before = {
      waiting: await checkpoints(waiting.id), recent: await checkpoints(finishedRecently.id), decided: await checkpoints(decided.id),
    };
    const finalState = async (runId: string) => (await createCheckpointer(t.db).getTuple({ configurable: { thread_id: runId } }))?.checkpoint.channel_values;
    const decidedState = await finalState(decided.id);
    expect(decidedState).toMatchObject({ runId: decided.id });
    // A run that waited and was resumed has several checkpoints.
    expect(before.decided).toBeGreaterThan(1);
    expect(before.waiting).toBeGreaterThan(0);
    await age("runs", "updated_at", "id = ANY($1)", 500, [[waiting.id, finishedLongAgo.id, decided.id, s1.id]]);
    await age("runs", "updated_at", "id = $1", 10, [finishedLastWeek.id]);
    await age("review_items", "decided_at", "run_id = $1", 500, [decided.id]);
    await age("review_items", "superseded_at", "run_id = $1", 100, [s1.id]);
    await t.db.pool.query(`INSERT INTO sweeps (id, kind, from_date, to_date, status, total, requested_by, created_at, finished_at) VALUES
      ('old-done', 'manual', '2026-01-01', '2026-01-01', 'completed', 3, 'test', now() - interval '41 days', now() - interval '40 days'),
      ('new-done', 'manual', '2026-01-02', '2026-01-02', 'completed', 1, 'test', now() - interval '2 days', now() - interval '1 day'),
      ('running', 'manual', '2026-01-03', '2026-01-03', 'running', 1, 'test', now() - interval '90 days', NULL)`);
    await t.db.pool.query(`INSERT INTO sweep_items (sweep_id, appointment_id, status) VALUES
      ('old-done', 'a1', 'done'), ('old-done', 'a2', 'done'), ('old-done', 'a3', 'failed'), ('new-done', 'a1', 'done'), ('running', 'a1', 'queued')`);

    const settings: RetentionSettings = {
      checkpoints: { afterDays: 7, keep: "last" }, supersededReviewsDays: 90, runsDays: 400, sweepsDays: 30,
      auditRetainMonths: 84, auditArchiveDir: dir, batchSize: 2,
    };
    const report = await runRetention({ pool: t.db.pool, settings, now: () => new Date(), actor: "test" });

    expect(report).toMatchObject({ supersededReviewItems: 1, runs: 2, sweeps: 1, sweepItems: 3, auditMonthsArchived: [] });
    // The waiting run: every checkpoint kept. A recent run untouched. The decided run (finished long ago): its last checkpoint only,
    // from which its final state still reads back.
    expect(await checkpoints(waiting.id)).toBe(before.waiting);
    expect(await checkpoints(finishedRecently.id)).toBe(before.recent);
    expect(await checkpoints(finishedLastWeek.id)).toBe(1);
    expect(await checkpoints(decided.id)).toBe(1);
    expect(await finalState(decided.id)).toEqual(decidedState);
    expect((await runtime.getRun(decided.id)).run.status).toBe("completed");
    // The run long finished with nothing naming it: gone with its checkpoints. The decided one stays, with its item.
    expect(await exists("SELECT 1 FROM runs WHERE id = $1", [finishedLongAgo.id])).toBe(false);
    expect(await checkpoints(finishedLongAgo.id)).toBe(0);
    expect(await exists("SELECT 1 FROM runs WHERE id = $1", [decided.id])).toBe(true);
    expect((await itemOf(decided.id)).status).toBe("accepted");
    // Superseded long ago: gone, and then its finished run, which nothing names any more; recently: kept; pending: kept.
    expect(await exists("SELECT 1 FROM review_items WHERE run_id = $1", [s1.id])).toBe(false);
    expect(await exists("SELECT 1 FROM runs WHERE id = $1", [s1.id])).toBe(false);
    expect((await itemOf(s3.id)).status).toBe("superseded");
    expect((await itemOf(waiting.id)).status).toBe("pending");
    expect((await t.db.pool.query<{ id: string }>("SELECT id FROM sweeps ORDER BY id")).rows.map((r) => r.id)).toEqual(["new-done", "running"]);
    expect(Number((await t.db.pool.query<{ n: string }>("SELECT count(*) AS n FROM sweep_items")).rows[0]?.n)).toBe(2);

    // The pass is in the audit log, counts only; the chain verifies.
    const [entry] = await queryAudit(t.db.pool, { kind: "retention.pruned" });
    expect(entry?.payload).toMatchObject({ runs: 2, supersededReviewItems: 1, sweeps: 1, sweepItems: 3, checkpoints: { runs: 1 } });
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(true);

    // The waiting run resumes from its checkpoints.
    const resumed = await runtime.decide((await itemOf(waiting.id)).id, { type: "accept" }, "staff:test");
    expect(resumed.run.status).toBe("completed");
    expect(log.submitted.some((s) => s.idempotencyKey === "w-1")).toBe(true);

    // Once the resumed run has finished (and aged), a second pass cuts its checkpoints; nothing else is left to delete.
    await age("runs", "updated_at", "id = $1", 500, [waiting.id]);
    expect(await runRetention({ pool: t.db.pool, settings, now: () => new Date(), actor: "test" })).toMatchObject({
      supersededReviewItems: 0, runs: 0, sweeps: 0, sweepItems: 0, checkpoints: { runs: 1 },
    });
    expect(await checkpoints(waiting.id)).toBe(1);
  });

  it("the service schedules the pass on RETENTION_CRON with pg-boss, once across instances", async () => {
    const components = buildServiceComponents(testConfig({ RETENTION_CRON: "15 4 * * *" }), t.db, createLogger({ level: "silent" }));
    await components.sweeps.start({ schedule: true, work: false });
    try {
      const { rows } = await t.db.pool.query<{ name: string; cron: string }>("SELECT name, cron FROM pgboss.schedule WHERE name = 'retention'");
      expect(rows).toEqual([{ name: "retention", cron: "15 4 * * *" }]);
    } finally {
      await components.sweeps.stop();
    }
  });
});
