import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SWEEP_QUEUE, sweepJobId, type SweepService } from "../../src/jobs/sweep-service.js";
import { primaryCoverage } from "../../agents/shared/chart.js";
import { addDays } from "../../tools/iso-dates.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { TODAY, seedSmallClinic, sweepHarness } from "./sweep-harness.js";
import { verdictFor } from "./sweep-test-agent.js";

const FROM = TODAY;
const TO = addDays(TODAY, 4);

describe.each(DATABASE_KINDS)("pre-service sweeps on %s", (kind) => {
  let t: TestDatabase;
  let running: SweepService[] = [];
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

  async function started(options: Parameters<typeof sweepHarness>[1] = {}) {
    const h = await sweepHarness(t.db, options);
    await h.sweeps.start({ schedule: false });
    running.push(h.sweeps);
    return h;
  }

  async function jobsOf(sweepId: string, appointmentIds: string[]): Promise<number> {
    const { rows } = await t.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[])",
      [SWEEP_QUEUE, appointmentIds.map((a) => sweepJobId(sweepId, a))]);
    return rows[0]!.n;
  }

  it("enqueues one job per appointment, a repeat enqueues nothing, and the sweep completes with the right counts", async () => {
    const { sweeps, ehr } = await started();
    const appointments = (await ehr.appointments({ from: FROM, to: TO })).filter((a) => a.status !== "cancelled");
    expect(appointments.length).toBeGreaterThan(3);
    const ids = appointments.map((a) => a.appointmentId);

    const { id, total, created } = await sweeps.startSweep({ id: "sweep-counts", from: FROM, to: TO, kind: "manual", requestedBy: "test" });
    expect({ total, created }).toEqual({ total: ids.length, created: true });
    expect(await jobsOf(id, ids)).toBe(ids.length);
    const again = await sweeps.startSweep({ id: "sweep-counts", from: FROM, to: TO, kind: "manual", requestedBy: "test" });
    expect(again).toEqual({ id, total: ids.length, created: false });
    expect(await jobsOf(id, ids)).toBe(ids.length);

    const done = await sweeps.waitForCompletion(id, { pollMs: 200, timeoutMs: 60_000 });
    const verdicts = ids.map(verdictFor);
    expect(new Set(verdicts.map((v) => v.estimate))).toEqual(new Set(["priced", "stale", "unpriced", null]));
    const exceptions = verdicts.filter((v) => v.reasons.length > 0).length;
    const byReason: Record<string, number> = {};
    for (const v of verdicts) for (const r of v.reasons) byReason[r] = (byReason[r] ?? 0) + 1;
    expect(done).toMatchObject({
      status: "completed", total: ids.length, items: { queued: 0, done: ids.length, failed: 0 },
      results: {
        runs: { running: 0, failed: 0 },
        appointmentsWithExceptions: exceptions, exceptionsByReason: byReason,
        // Only an estimate with a priced line is produced; stale ones are counted among them, unpriced ones apart.
        estimatesProduced: verdicts.filter((v) => v.estimate === "priced" || v.estimate === "stale").length,
        estimatesStale: verdicts.filter((v) => v.estimate === "stale").length,
        estimatesUnpriced: verdicts.filter((v) => v.estimate === "unpriced").length,
      },
    });
    expect(done.finishedAt).not.toBeNull();
    // Appointments go to the agent in batches (at most 4 here): one run per batch, waiting while one of its drafts is with staff.
    const runs = done.results.runs;
    expect(runs.waiting + runs.completed).toBeGreaterThanOrEqual(Math.ceil(ids.length / 4));
    expect(runs.waiting + runs.completed).toBeLessThan(ids.length);
    expect(runs.waiting).toBeGreaterThan(0);
    const { rows } = await t.db.pool.query("SELECT count(*)::int AS n, count(DISTINCT subject_id)::int AS d FROM review_items WHERE subject_type = 'appointment' AND subject_id = ANY($1)", [ids]);
    expect(rows[0]).toEqual({ n: exceptions, d: exceptions });
  }, 90_000);

  it("retries a failing job, then marks its item failed; a job that fails once succeeds on its retry", async () => {
    const { ehr } = await sweepHarness(t.db);
    const [bad, flaky] = (await ehr.appointments({ from: FROM, to: FROM })).map((a) => a.appointmentId);
    expect(bad !== undefined && flaky !== undefined).toBe(true);
    const { sweeps, deps } = await started({ failing: [bad!], flaky: { [flaky!]: 1 } });
    const { id, total } = await sweeps.startSweep({ from: FROM, to: FROM, kind: "manual", requestedBy: "test" });
    const done = await sweeps.waitForCompletion(id, { pollMs: 200, timeoutMs: 60_000 });
    expect(done.items).toEqual({ queued: 0, done: total - 1, failed: 1 });
    const { rows } = await t.db.pool.query<{ appointment_id: string; status: string; attempts: number; error: string | null; runs: { runId: string }[] }>(
      "SELECT appointment_id, status, attempts, error, runs FROM sweep_items WHERE sweep_id = $1 AND appointment_id = ANY($2)", [id, [bad, flaky]]);
    const item = (a: string) => rows.find((r) => r.appointment_id === a)!;
    // retryLimit 1: two attempts; only the two failing appointments' jobs are retried, in a batch of their own.
    expect(item(bad!)).toMatchObject({ status: "failed", attempts: 2, error: expect.stringMatching(/not checked by eligibility/) });
    expect(item(flaky!)).toMatchObject({ status: "done", attempts: 2, error: null });
    expect(item(flaky!).runs).toHaveLength(1);
    expect(deps.checked.filter((a) => a === flaky)).toHaveLength(1);
    expect(deps.checked).not.toContain(bad);
  }, 90_000);

  it("stopping the queue mid-sweep loses nothing: a new queue finishes the rest, lost jobs are re-enqueued, no appointment runs twice", async () => {
    const first = await started({ concurrency: 1, batchSize: 1, delayMs: 150 });
    const { id, total } = await first.sweeps.startSweep({ from: FROM, to: TO, kind: "manual", requestedBy: "test" });
    while ((await first.sweeps.progress(id))!.items.done < 1) await new Promise((r) => setTimeout(r, 50));
    await first.sweeps.stop(5_000);
    running = [];
    const halfway = (await first.sweeps.progress(id))!;
    expect(halfway.items.queued).toBeGreaterThan(1);
    // A job lost outright (its row gone) is re-enqueued when the next queue starts.
    const { rows } = await t.db.pool.query<{ appointment_id: string }>("SELECT appointment_id FROM sweep_items WHERE sweep_id = $1 AND status = 'queued' LIMIT 1", [id]);
    await t.db.pool.query("DELETE FROM pgboss.job WHERE name = $1 AND id = $2", [SWEEP_QUEUE, sweepJobId(id, rows[0]!.appointment_id)]);

    first.deps.delayMs = 0;
    const second = await started({ concurrency: 2, runtime: first.runtime, deps: first.deps });
    const done = await second.sweeps.waitForCompletion(id, { pollMs: 200, timeoutMs: 60_000 });
    expect(done.items).toEqual({ queued: 0, done: total, failed: 0 });
    const runs = await t.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sweep_items i CROSS JOIN LATERAL jsonb_array_elements(i.runs) r WHERE i.sweep_id = $1`, [id]);
    expect(runs.rows[0]!.n).toBe(total);
    const checks = await t.db.pool.query<{ n: number; d: number }>(
      "SELECT count(*)::int AS n, count(DISTINCT appointment_id)::int AS d FROM pre_service_checks WHERE sweep_id = $1", [id]);
    expect(checks.rows[0]).toEqual({ n: total, d: total });
  }, 90_000);

  it("an instance with no sweep workers (SWEEP_CONCURRENCY=0) enqueues a sweep and works none of it; another instance works it all", async () => {
    const people = await started({ concurrency: 0, pollingIntervalSeconds: 0.5 });
    const { id, total } = await people.sweeps.startSweep({ from: FROM, to: TO, kind: "manual", requestedBy: "test" });
    expect(total).toBeGreaterThan(0);
    // Four polling intervals: a worker would have taken the first batch long before.
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await people.sweeps.progress(id))!.items).toEqual({ queued: total, done: 0, failed: 0 });
    expect(people.deps.checked).toEqual([]);
    const workers = await started({ concurrency: 2, runtime: people.runtime, deps: people.deps });
    const done = await workers.sweeps.waitForCompletion(id, { pollMs: 200, timeoutMs: 60_000 });
    expect(done.items).toEqual({ queued: 0, done: total, failed: 0 });
  }, 90_000);

  it("a worker that fetched a full batch fetches again at once: three batches drain well within one polling interval", async () => {
    // One worker, batches of 3, a 10 s interval: polling between batches would take two intervals (20 s) or more.
    const { sweeps } = await started({ concurrency: 1, batchSize: 3, pollingIntervalSeconds: 10 });
    const t0 = performance.now();
    const { id, total } = await sweeps.startSweep({ from: FROM, to: TO, kind: "manual", requestedBy: "test" });
    expect(total).toBeGreaterThanOrEqual(9);
    const done = await sweeps.waitForCompletion(id, { pollMs: 200, timeoutMs: 60_000 });
    // Wall-clock time: the harness's clock is fixed, so the sweep's own timestamps cannot tell.
    const seconds = (performance.now() - t0) / 1000;
    expect(done.items).toEqual({ queued: 0, done: total, failed: 0 });
    expect(seconds).toBeLessThan(10);
  }, 90_000);

  it("the daily sweep covers today + daysAhead once; the recheck covers tomorrow's volatile plans only; schedules are registered", async () => {
    const h = await sweepHarness(t.db);
    await h.sweeps.start({ schedule: true, work: false });
    running.push(h.sweeps);
    const day = addDays(TODAY, 5);
    const daily = await h.sweeps.dailySweep();
    expect(daily).toMatchObject({ id: `daily-${day}`, created: true });
    expect(await h.sweeps.dailySweep()).toMatchObject({ id: `daily-${day}`, created: false });
    expect(await h.sweeps.progress(daily.id)).toMatchObject({ kind: "daily", from: day, to: day });

    // The recheck runs the day before: pick a day whose visits are on volatile and on other plans.
    let tomorrow = "";
    let expected: string[] = [];
    for (let d = 1; d < 14 && tomorrow === ""; d += 1) {
      const day = addDays(TODAY, d);
      const visits = await h.ehr.appointments({ from: day, to: day });
      const onVolatile: string[] = [];
      for (const a of visits) {
        const primary = primaryCoverage(await h.ehr.coverages(a.patientId));
        if (primary !== null && h.payerRules.volatile(primary.payerId, primary.planId)) onVolatile.push(a.appointmentId);
      }
      if (onVolatile.length > 0 && onVolatile.length < visits.length) [tomorrow, expected] = [day, onVolatile];
    }
    expect(tomorrow).not.toBe("");
    const dayBefore = await sweepHarness(t.db, { today: addDays(tomorrow, -1) });
    await dayBefore.sweeps.start({ schedule: false, work: false });
    running.push(dayBefore.sweeps);
    const recheck = await dayBefore.sweeps.recheckSweep();
    expect(recheck).toMatchObject({ id: `recheck-${tomorrow}`, total: expected.length });
    const items = await t.db.pool.query<{ appointment_id: string }>("SELECT appointment_id FROM sweep_items WHERE sweep_id = $1 ORDER BY 1", [recheck.id]);
    expect(items.rows.map((r) => r.appointment_id)).toEqual([...expected].sort());
    const schedules = await t.db.pool.query<{ name: string }>("SELECT name FROM pgboss.schedule ORDER BY name");
    expect(schedules.rows.map((r) => r.name)).toEqual(["pre-service-daily", "pre-service-recheck"]);
  }, 90_000);
});
