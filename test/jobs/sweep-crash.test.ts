/**
 * Issue 16, points 2 and 3: a sweep killed at the wrong moment checks and drafts nothing twice,
 * and leaves no check without its run's end and audit entries. One process stands in for a
 * killed one: the worker throws where the process would have died (its jobs are then retried,
 * as pg-boss retries a dead instance's), or a run holds where the process would have stopped.
 */
import type pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import type { SweepService } from "../../src/jobs/sweep-service.js";
import { addDays } from "../../tools/iso-dates.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { TODAY, seedSmallClinic, sweepHarness } from "./sweep-harness.js";
import { verdictFor } from "./sweep-test-agent.js";

/** The statement that settles a batch's sweep items (recordAttempts). */
const SETTLE = /^\s*UPDATE sweep_items i SET status/;

/** `db` with a pool whose next `crashes` settling statements throw, as a process killed right before them. */
function crashingBeforeSettle(db: Database, crashes: { left: number; fired: number }): Database {
  const pool = new Proxy(db.pool, {
    get(target, prop) {
      if (prop === "query") {
        return (...args: unknown[]) => {
          const text = typeof args[0] === "string" ? args[0] : (args[0] as { text?: string } | undefined)?.text ?? "";
          if (SETTLE.test(text) && crashes.left > 0) {
            crashes.left -= 1;
            crashes.fired += 1;
            return Promise.reject(new Error("killed after the runs ended, before their jobs settled"));
          }
          return (target.query as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as pg.Pool;
  return { ...db, pool };
}

describe.each(DATABASE_KINDS)("a sweep killed at the wrong moment on %s", (kind) => {
  let t: TestDatabase;
  let running: SweepService[] = [];
  const q = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await t.db.pool.query<R>(sql, params)).rows;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await seedSmallClinic(t.db);
  }, 120_000);
  afterEach(async () => {
    for (const s of running) await s.stop(2_000);
    running = [];
  });
  afterAll(async () => {
    await t.drop();
  });

  async function started(options: Parameters<typeof sweepHarness>[1] & { db?: Database } = {}) {
    const h = await sweepHarness(options.db ?? t.db, options);
    await h.sweeps.start({ schedule: false });
    running.push(h.sweeps);
    return h;
  }

  /** (sweep, agent, appointment) checked more than once. */
  const duplicateChecks = (sweepId: string) => q(
    "SELECT agent, appointment_id, count(*)::int AS n FROM pre_service_checks WHERE sweep_id = $1 GROUP BY agent, appointment_id HAVING count(*) > 1", [sweepId]);
  /** Drafts of the same action (agent, appointment, idempotency key) made more than once by the sweep's runs. */
  const duplicateDrafts = (sweepId: string) => q(
    `SELECT i.agent, i.subject_id, i.idempotency_key, count(*)::int AS n FROM review_items i JOIN runs r ON r.id = i.run_id
     WHERE r.input->>'sweepId' = $1 GROUP BY i.agent, i.subject_id, i.idempotency_key HAVING count(*) > 1`, [sweepId]);
  /** The sweep's runs that no sweep item lists (started by a retry that should not have run them, or left behind). */
  const strayRuns = (sweepId: string) => q<{ id: string; status: string }>(
    `SELECT r.id, r.status FROM runs r WHERE r.input->>'sweepId' = $1 AND r.id NOT IN (
       SELECT x.run->>'runId' FROM sweep_items i CROSS JOIN LATERAL jsonb_array_elements(COALESCE(i.runs, '[]'::jsonb)) AS x(run) WHERE i.sweep_id = $1)`, [sweepId]);

  it("killed after its runs ended, before its jobs settled: the retry starts no run; no check, draft or waiting run twice", async () => {
    const crashes = { left: 1, fired: 0 };
    const h = await started({ db: crashingBeforeSettle(t.db, crashes), agents: ["eligibility", "prior-auth"], concurrency: 1, batchSize: 50 });
    const { id, total } = await h.sweeps.startSweep({ from: TODAY, to: addDays(TODAY, 2), kind: "manual", requestedBy: "test" });
    expect(total).toBeGreaterThan(3);
    const done = await h.sweeps.waitForCompletion(id, { pollMs: 200, timeoutMs: 60_000 });
    expect(crashes.fired).toBe(1);
    expect(done.items).toEqual({ queued: 0, done: total, failed: 0 });
    // Each agent checked each appointment once — the retry found the checks its runs committed.
    expect(h.deps.checked).toHaveLength(2 * total);
    expect(new Set(h.deps.checked).size).toBe(2 * total);
    expect(await duplicateChecks(id)).toEqual([]);
    expect(await q("SELECT count(*)::int AS n FROM pre_service_checks WHERE sweep_id = $1", [id])).toEqual([{ n: 2 * total }]);
    expect(await duplicateDrafts(id)).toEqual([]);
    const appointments = (await q<{ appointment_id: string }>("SELECT appointment_id FROM sweep_items WHERE sweep_id = $1", [id])).map((r) => r.appointment_id);
    const exceptions = appointments.filter((a) => verdictFor(a).reasons.length > 0).length;
    expect(await q("SELECT count(*)::int AS n FROM review_items i JOIN runs r ON r.id = i.run_id WHERE r.input->>'sweepId' = $1", [id])).toEqual([{ n: 2 * exceptions }]);
    // The items list the runs that checked them (one per agent), and there are no others: no run left waiting beside them.
    expect(await strayRuns(id)).toEqual([]);
    const items = await q<{ runs: { agent: string }[] }>("SELECT runs FROM sweep_items WHERE sweep_id = $1", [id]);
    expect(items.every((i) => i.runs.map((r) => r.agent).sort().join() === "eligibility,prior-auth")).toBe(true);
  }, 90_000);

  it("a run that crashes after checking leaves no check; the retry runs only the agent that had not checked", async () => {
    const h = await started({ agents: ["eligibility", "prior-auth"], concurrency: 1, batchSize: 50 });
    const appointments = (await h.ehr.appointments({ from: TODAY, to: TODAY })).filter((a) => a.status !== "cancelled").map((a) => a.appointmentId);
    h.deps.crashAfterCheck = new Map([[`prior-auth:${appointments[0]}`, 1]]);
    const { id, total } = await h.sweeps.startSweep({ from: TODAY, to: TODAY, kind: "manual", requestedBy: "test" });
    expect(total).toBe(appointments.length);
    const done = await h.sweeps.waitForCompletion(id, { pollMs: 200, timeoutMs: 60_000 });
    expect(done.items).toEqual({ queued: 0, done: total, failed: 0 });
    // prior-auth's first run failed after checking every appointment: nothing of it was kept, so it checked them again;
    // eligibility's run had ended: its checks stood, and it was not run again.
    expect(h.deps.checked.filter((c) => !c.startsWith("prior-auth:"))).toHaveLength(total);
    expect(h.deps.checked.filter((c) => c.startsWith("prior-auth:"))).toHaveLength(2 * total);
    expect(await q("SELECT r.status FROM runs r WHERE r.input->>'sweepId' = $1 AND r.agent = 'prior-auth' ORDER BY r.created_at", [id]))
      .toEqual([{ status: "failed" }, { status: expect.stringMatching(/^(waiting|completed)$/) }]);
    expect(await q("SELECT count(*)::int AS n FROM pre_service_checks c JOIN runs r ON r.id = c.run_id WHERE c.sweep_id = $1 AND r.status = 'failed'", [id])).toEqual([{ n: 0 }]);
    expect(await duplicateChecks(id)).toEqual([]);
    expect(await duplicateDrafts(id)).toEqual([]);
  }, 90_000);

  it("killed mid-run, after its checks were found: no check is in the database without its run's end and entries", async () => {
    let release = () => undefined as void;
    const h = await started({ concurrency: 1, batchSize: 50 });
    h.deps.hold = new Promise<void>((resolve) => { release = resolve; });
    const { id, total } = await h.sweeps.startSweep({ from: TODAY, to: TODAY, kind: "manual", requestedBy: "test" });
    while (h.deps.checked.length < total) await new Promise((r) => setTimeout(r, 50));
    // The run holds after its check node: a process killed now leaves what the database holds now.
    const orphans = () => q(
      `SELECT c.run_id, c.appointment_id FROM pre_service_checks c WHERE c.sweep_id = $1 AND NOT EXISTS (
         SELECT 1 FROM audit_log a WHERE a.run_id = c.run_id AND a.kind IN ('run.waiting', 'run.completed'))`, [id]);
    expect(await orphans()).toEqual([]);
    expect(await q("SELECT count(*)::int AS n FROM pre_service_checks WHERE sweep_id = $1", [id])).toEqual([{ n: 0 }]);
    h.deps.hold = null;
    release();
    const done = await h.sweeps.waitForCompletion(id, { pollMs: 200, timeoutMs: 60_000 });
    expect(done.items).toEqual({ queued: 0, done: total, failed: 0 });
    expect(await orphans()).toEqual([]);
    // Each check came with its run's trail: the check step and the run's end, in the same commit.
    const trail = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM pre_service_checks c WHERE c.sweep_id = $1
       AND EXISTS (SELECT 1 FROM audit_log a WHERE a.run_id = c.run_id AND a.kind = 'node.step' AND a.node = 'check')`, [id]);
    expect(trail).toEqual([{ n: total }]);
  }, 90_000);
});
