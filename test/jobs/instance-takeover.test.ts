/**
 * A dead service instance's work taken over in seconds (issue 16, point 1; point 3's runs): its
 * active jobs are released and fetched by a live instance, its runs settled with audit entries,
 * exactly one live instance claims it, a stopped one is never taken over. A dead instance is
 * simulated by its registry row with an old heartbeat, its jobs left active and leased to it, and
 * its runs left running (the multi-process kill test lives elsewhere).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { createLogger } from "../../src/logger.js";
import { queryAudit } from "../../src/governance/audit-log.js";
import { recordDecision } from "../../src/governance/reviews.js";
import { leaseJobs } from "../../src/jobs/job-leases.js";
import { ServiceInstance } from "../../src/jobs/service-instance.js";
import { SWEEP_QUEUE, sweepJobId } from "../../src/jobs/sweep-service.js";
import { insertSweep } from "../../src/jobs/sweep-store.js";
import { startService } from "../../src/service.js";
import { serviceTakeover, settleOrphanRuns } from "../../src/jobs/takeover.js";
import { AgentRegistry } from "../../src/orchestration/registry.js";
import { addDays } from "../../tools/iso-dates.js";
import { testConfig, testRuntime } from "../helpers/app.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { SubmissionLog, testAgent } from "../orchestration/test-agent.js";
import { TODAY, seedSmallClinic, sweepHarness } from "./sweep-harness.js";

const logger = createLogger({ level: "silent" });
/** Small settings so the tests are fast (defaults: 5 s and 15 s). */
const FAST = { heartbeatSeconds: 0.25, deadAfterSeconds: 2 };

describe.each(DATABASE_KINDS)("taking over a dead service instance on %s", (kind) => {
  let t: TestDatabase;
  const stops: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await seedSmallClinic(t.db);
  }, 120_000);
  // Each test's instances stop with it: a live instance left beating would take the next test's dead instances over.
  afterEach(async () => {
    for (const stop of stops.reverse()) await stop();
    stops.length = 0;
  });
  afterAll(async () => {
    await t.drop();
  });

  it("fails runs left running by no live instance (before 0016, a one-off process, a stopped instance) once idle past the bound, with an entry; leaves the rest", async () => {
    const live = await liveInstance();
    const stopped = new ServiceInstance({ pool: t.db.pool, logger, ...FAST });
    await stopped.start();
    await stopped.stop();
    const old = "now() - interval '2 hours'";
    await t.db.pool.query(`INSERT INTO runs (id, agent, subject_type, subject_id, status, input, instance_id, updated_at) VALUES
      ('orphan-pre-0016', 'test-escalator', 'test', 'o1', 'running', '{}', NULL, ${old}),
      ('orphan-cli', 'test-escalator', 'test', 'o2', 'running', '{}', 'cli-process-gone', ${old}),
      ('orphan-stopped', 'test-escalator', 'test', 'o3', 'running', '{}', $2, ${old}),
      ('live-driver', 'test-escalator', 'test', 'o4', 'running', '{}', $1, ${old}),
      ('recent-cli', 'test-escalator', 'test', 'o5', 'running', '{}', 'cli-process-now', now()),
      ('waiting-old', 'test-escalator', 'test', 'o6', 'waiting', '{}', NULL, ${old})`, [live.id, stopped.id]);
    const failed = await settleOrphanRuns(t.db.pool, live.id, 900, () => new Date());
    expect(failed.sort()).toEqual(["orphan-cli", "orphan-pre-0016", "orphan-stopped"]);
    const { rows } = await t.db.pool.query<{ id: string; status: string; error: string | null }>(
      "SELECT id, status, error FROM runs WHERE id IN ('orphan-pre-0016', 'orphan-cli', 'orphan-stopped', 'live-driver', 'recent-cli', 'waiting-old') ORDER BY id");
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({
      "orphan-pre-0016": "failed", "orphan-cli": "failed", "orphan-stopped": "failed", "live-driver": "running", "recent-cli": "running", "waiting-old": "waiting",
    });
    expect(rows.find((r) => r.id === "orphan-pre-0016")?.error).toContain("from before instances were recorded");
    const entries = await queryAudit(t.db.pool, { kind: "run.failed" });
    const orphanEntries = entries.filter((e) => (e.payload as { orphan?: unknown }).orphan !== undefined).map((e) => e.runId).sort();
    expect(orphanEntries).toEqual(["orphan-cli", "orphan-pre-0016", "orphan-stopped"]);
    // Settled once: a second pass finds nothing.
    expect(await settleOrphanRuns(t.db.pool, live.id, 900, () => new Date())).toEqual([]);
  });

  async function liveInstance(): Promise<ServiceInstance> {
    const instance = new ServiceInstance({ pool: t.db.pool, logger, ...FAST });
    await instance.start();
    stops.push(() => instance.stop());
    return instance;
  }

  /** A registry row of an instance that stopped beating `agoSeconds` ago (or beats now, with 0). */
  async function deadInstance(id: string, agoSeconds = 3600): Promise<void> {
    await t.db.pool.query("INSERT INTO service_instances (id, host, pid, started_at, heartbeat_at) VALUES ($1, 'host-a', 4242, now() - interval '2 hours', now() - make_interval(secs => $2))",
      [id, agoSeconds]);
  }

  async function takeoverEntries(instance: string) {
    return (await queryAudit(t.db.pool, { kind: "instance.taken_over", limit: 1000 })).filter((e) => (e.payload as { instance: string }).instance === instance);
  }

  it("releases a dead instance's active sweep jobs at once, without counting a retry, and a live instance's woken workers finish the sweep in seconds", async () => {
    // The sweep is made by an instance that does not work it; the dead instance fetched every job and died.
    const creator = await sweepHarness(t.db);
    await creator.sweeps.start({ schedule: false, work: false });
    stops.push(() => creator.sweeps.stop(2_000));
    const { id, total } = await creator.sweeps.startSweep({ id: `takeover-${kind}`, from: TODAY, to: addDays(TODAY, 2), kind: "manual", requestedBy: "test" });
    expect(total).toBeGreaterThan(4);
    const { rows: active } = await t.db.pool.query<{ id: string }>(
      "UPDATE pgboss.job SET state = 'active', started_on = now() WHERE name = $1 AND data->>'sweepId' = $2 RETURNING id", [SWEEP_QUEUE, id]);
    expect(active).toHaveLength(total);
    await leaseJobs(t.db.pool, SWEEP_QUEUE, active.map((j) => j.id), "dead-sweeper");
    await deadInstance("dead-sweeper");

    // A live instance whose idle workers poll only every 20 s: only the takeover's wake-up makes them fetch in time.
    const instance = await liveInstance();
    const live = await sweepHarness(t.db, { instance, pollingIntervalSeconds: 20 });
    await live.sweeps.start({ schedule: false });
    stops.push(() => live.sweeps.stop(2_000));
    const started = Date.now();
    await instance.takeOverWith(serviceTakeover({ runtime: live.runtime, logger, now: () => new Date(), wakeWorkers: () => live.sweeps.wakeWorkers() }));
    const done = await live.sweeps.waitForCompletion(id, { pollMs: 100, timeoutMs: 15_000 });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(done.items).toEqual({ queued: 0, done: total, failed: 0 });

    // A crash is not the job's failure: no retry was counted.
    const { rows: jobs } = await t.db.pool.query<{ state: string; retry_count: number }>(
      "SELECT state, retry_count FROM pgboss.job WHERE name = $1 AND data->>'sweepId' = $2", [SWEEP_QUEUE, id]);
    expect(jobs.every((j) => j.state === "completed" && j.retry_count === 0)).toBe(true);
    const { rows: [row] } = await t.db.pool.query("SELECT taken_over_by, taken_over_at FROM service_instances WHERE id = 'dead-sweeper'");
    expect(row.taken_over_by).toBe(instance.id);
    const entries = await takeoverEntries("dead-sweeper");
    expect(entries).toHaveLength(1);
    expect(entries[0]!.actor).toBe(`instance:${instance.id}`);
    expect(entries[0]!.payload).toMatchObject({ instance: "dead-sweeper", takenOverBy: instance.id, jobsReleased: total, runsFailed: 0, runsResumed: 0, host: "host-a", pid: 4242 });
    // The live instance leased what it fetched; the dead one's leases are gone.
    const { rows: leases } = await t.db.pool.query<{ instance_id: string; n: number }>("SELECT instance_id, count(*)::int AS n FROM job_leases GROUP BY instance_id");
    expect(leases.map((l) => l.instance_id)).toEqual([instance.id]);
  }, 60_000);

  it("releases jobs fetched by an instance that died before it leased them (the one round trip between pg-boss's fetch and the lease)", async () => {
    const creator = await sweepHarness(t.db);
    await creator.sweeps.start({ schedule: false, work: false });
    stops.push(() => creator.sweeps.stop(2_000));
    const { id, total } = await creator.sweeps.startSweep({ id: `unleased-${kind}`, from: TODAY, to: addDays(TODAY, 2), kind: "manual", requestedBy: "test" });
    // Fetched (active, started) a minute ago and never leased; the instance that fetched them beat last 30 s ago.
    const { rows: active } = await t.db.pool.query<{ id: string }>(
      "UPDATE pgboss.job SET state = 'active', started_on = now() - interval '1 minute' WHERE name = $1 AND data->>'sweepId' = $2 RETURNING id", [SWEEP_QUEUE, id]);
    expect(active).toHaveLength(total);
    await deadInstance("dead-before-lease", 30);
    // A job a live instance fetched after that beat and is about to lease is left alone.
    const { rows: [fresh] } = await t.db.pool.query<{ id: string }>(
      "UPDATE pgboss.job SET started_on = now() WHERE id = $1 RETURNING id", [active[0]!.id]);

    const instance = await liveInstance();
    const live = await sweepHarness(t.db, { instance, pollingIntervalSeconds: 20 });
    await live.sweeps.start({ schedule: false, work: false });
    stops.push(() => live.sweeps.stop(2_000));
    await instance.takeOverWith(serviceTakeover({ runtime: live.runtime, logger, now: () => new Date(), leasedQueues: () => live.sweeps.leasedQueues() }));

    const { rows: states } = await t.db.pool.query<{ id: string; state: string; retry_count: number }>(
      "SELECT id, state, retry_count FROM pgboss.job WHERE name = $1 AND data->>'sweepId' = $2", [SWEEP_QUEUE, id]);
    expect(states.filter((j) => j.id === fresh!.id).map((j) => j.state)).toEqual(["active"]);
    expect(states.filter((j) => j.id !== fresh!.id).every((j) => j.state === "retry" && j.retry_count === 0)).toBe(true);
    const entries = await takeoverEntries("dead-before-lease");
    expect(entries[0]!.payload).toMatchObject({ jobsReleased: 0, unleasedJobsReleased: total - 1 });
  }, 60_000);

  it("settles a dead instance's runs: a first drive fails naming the instance, a run it was resuming waits again and is resumed with its decision; each audited", async () => {
    const log = new SubmissionLog();
    const registry = new AgentRegistry().register(testAgent(), { log });
    // The dead instance started a run that waited for a person; staff decided; it was resuming the run when it died.
    const deadRuntime = await testRuntime(t.db, logger, { registry, instance: { id: "dead-driver" } });
    const waiting = await deadRuntime.start("test-escalator", { type: "test", id: "k-resumed" },
      { proposals: [{ actionType: "appeal-medical-necessity", key: "k-resumed", note: "appeal", confidence: 0.99 }] });
    expect(waiting.status).toBe("waiting");
    const { rows: [item] } = await t.db.pool.query<{ id: string }>("SELECT id FROM review_items WHERE run_id = $1", [waiting.id]);
    await recordDecision(t.db.pool, item!.id, { type: "accept" }, "user:staff", registry.actionType("test-escalator", "appeal-medical-necessity"), new Date());
    await t.db.pool.query("UPDATE runs SET status = 'running' WHERE id = $1", [waiting.id]);
    // A run on its first drive, and a run of an instance that is alive.
    await t.db.pool.query(`INSERT INTO runs (id, agent, subject_type, subject_id, status, input, instance_id) VALUES
      ('run-first-drive', 'test-escalator', 'test', 'k-first', 'running', '{}', 'dead-driver'),
      ('run-of-live', 'test-escalator', 'test', 'k-live', 'running', '{}', 'live-elsewhere')`);
    await deadInstance("dead-driver");
    await deadInstance("live-elsewhere", -3600);

    const instance = await liveInstance();
    const runtime = await testRuntime(t.db, logger, { registry, instance });
    await instance.takeOverWith(serviceTakeover({ runtime, logger, now: () => new Date() }));

    const { rows } = await t.db.pool.query<{ id: string; status: string; error: string | null; instance_id: string }>(
      "SELECT id, status, error, instance_id FROM runs WHERE id = ANY($1) ORDER BY id", [["run-first-drive", "run-of-live", waiting.id]]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get("run-first-drive")).toMatchObject({ status: "failed", error: expect.stringContaining("dead-driver") });
    expect(byId.get("run-of-live")).toMatchObject({ status: "running", error: null });
    // Resumed here with the decision it had: the action ran once, and the run is this instance's now.
    expect(byId.get(waiting.id)).toMatchObject({ status: "completed", instance_id: instance.id });
    expect(log.submitted.map((s) => s.idempotencyKey)).toEqual(["k-resumed"]);

    const failed = await queryAudit(t.db.pool, { runId: "run-first-drive", kind: "run.failed" });
    expect(failed).toHaveLength(1);
    expect(failed[0]!.payload).toMatchObject({ takeover: { instance: "dead-driver", takenOverBy: instance.id } });
    const trail = (await queryAudit(t.db.pool, { runId: waiting.id, limit: 1000 })).map((e) => e.kind);
    // After its first wait: waiting again on takeover, then resumed and completed.
    expect(trail.slice(trail.lastIndexOf("run.waiting"))).toEqual(expect.arrayContaining(["run.waiting", "run.resumed", "run.completed"]));
    const again = (await queryAudit(t.db.pool, { runId: waiting.id, kind: "run.waiting" })).at(-1)!;
    expect(again.payload).toMatchObject({ takeover: { instance: "dead-driver", takenOverBy: instance.id } });
    const entries = await takeoverEntries("dead-driver");
    expect(entries.map((e) => e.payload)).toEqual([expect.objectContaining({ runsFailed: 1, runsResumed: 1, jobsReleased: 0 })]);
    expect(await takeoverEntries("live-elsewhere")).toEqual([]);
  }, 60_000);

  it("exactly one of two live instances claims each dead instance", async () => {
    const dead = Array.from({ length: 12 }, (_, i) => `dead-c${i}`);
    for (const id of dead) await deadInstance(id);
    const [a, b] = [await liveInstance(), await liveInstance()];
    const handler = serviceTakeover({ runtime: { recover: async () => 0 }, logger, now: () => new Date() });
    const [byA, byB] = await Promise.all([a.takeOverWith(handler), b.takeOverWith(handler)]);
    expect([...byA!, ...byB!].sort()).toEqual([...dead].sort());
    const { rows } = await t.db.pool.query<{ id: string; taken_over_by: string }>("SELECT id, taken_over_by FROM service_instances WHERE id = ANY($1)", [dead]);
    expect(rows).toHaveLength(dead.length);
    expect(rows.every((r) => r.taken_over_by === a.id || r.taken_over_by === b.id)).toBe(true);
    for (const id of dead) expect(await takeoverEntries(id)).toHaveLength(1);
  });

  it("a beating instance is not taken over; one whose beats stop is, within dead-after plus a beat; a stopped one never", async () => {
    const watcher = await liveInstance();
    await watcher.takeOverWith(serviceTakeover({ runtime: { recover: async () => 0 }, logger, now: () => new Date() }));
    const beating = await liveInstance();
    const stopped = new ServiceInstance({ pool: t.db.pool, logger, ...FAST });
    await stopped.start();
    await t.db.pool.query("INSERT INTO runs (id, agent, subject_type, subject_id, status, input, instance_id) VALUES ('run-of-stopped', 'test-escalator', 'test', 'k', 'running', '{}', $1)", [stopped.id]);
    await stopped.stop();
    // Long stopped: its heartbeat is as old as a dead one's.
    await t.db.pool.query("UPDATE service_instances SET heartbeat_at = now() - interval '1 hour' WHERE id = $1", [stopped.id]);
    // Dies now: it stopped beating without stopping (as after kill -9).
    await deadInstance("dead-just-now", 0);
    const diedAt = Date.now();
    for (let i = 0; i < 100 && (await takeoverEntries("dead-just-now")).length === 0; i += 1) await new Promise((r) => setTimeout(r, 100));
    const tookMs = Date.now() - diedAt;
    expect(await takeoverEntries("dead-just-now")).toHaveLength(1);
    expect(tookMs).toBeGreaterThanOrEqual(FAST.deadAfterSeconds * 1000 - 50);
    expect(tookMs).toBeLessThan((FAST.deadAfterSeconds + FAST.heartbeatSeconds) * 1000 + 3_000);

    const { rows } = await t.db.pool.query<{ id: string; taken_over_by: string | null; stopped_at: Date | null }>(
      "SELECT id, taken_over_by, stopped_at FROM service_instances WHERE id = ANY($1)", [[beating.id, stopped.id]]);
    expect(rows.find((r) => r.id === beating.id)).toMatchObject({ taken_over_by: null, stopped_at: null });
    expect(rows.find((r) => r.id === stopped.id)).toMatchObject({ taken_over_by: null, stopped_at: expect.any(Date) });
    expect(await takeoverEntries(stopped.id)).toEqual([]);
    const { rows: [run] } = await t.db.pool.query("SELECT status FROM runs WHERE id = 'run-of-stopped'");
    expect(run.status).toBe("running");
  });

  it("drops leases older than the prune age at a beat, keeping the recent ones", async () => {
    const instance = new ServiceInstance({ pool: t.db.pool, logger, ...FAST, pruneLeasesAfterSeconds: 600 });
    await instance.start();
    stops.push(() => instance.stop());
    const [old, recent] = ["0b7c5c4e-0000-4000-8000-000000000001", "0b7c5c4e-0000-4000-8000-000000000002"];
    await leaseJobs(t.db.pool, "some-queue", [old, recent], instance.id);
    await t.db.pool.query("UPDATE job_leases SET leased_at = now() - interval '1 hour' WHERE job_id = $1", [old]);
    await instance.beat();
    const { rows } = await t.db.pool.query<{ job_id: string }>("SELECT job_id FROM job_leases WHERE queue = 'some-queue'");
    expect(rows.map((r) => r.job_id)).toEqual([recent]);
  });

  it("an instance taken over while it was only paused goes on under a fresh id", async () => {
    const paused = await liveInstance();
    const before = paused.id;
    await t.db.pool.query("UPDATE service_instances SET taken_over_by = 'someone', taken_over_at = now() WHERE id = $1", [before]);
    await paused.beat();
    expect(paused.id).not.toBe(before);
    const { rows } = await t.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM service_instances WHERE id = $1 AND stopped_at IS NULL AND taken_over_by IS NULL", [paused.id]);
    expect(rows[0]!.n).toBe(1);
  });
});

describe("a restarted embedded service", () => {
  it("takes over its crashed predecessor at start, however recent its last beat: the jobs it held are worked at once, its first-drive runs failed", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "irc-restart-"));
    // Default heartbeat settings: only the embedded rule (one process per database) takes over a predecessor that beat just now.
    const config = testConfig({ DATA_DIR: dataDir, PORT: "0", SANDBOX_PATIENTS: "12", SANDBOX_WEEKS: "2", SWEEP_ON_START: "false" });
    let service = await startService(config, createLogger({ level: "silent" }));
    const today = service.sweeps.today();
    const appointments = (await service.connections.ehr.appointments({ from: today, to: addDays(today, 3) })).filter((a) => a.status !== "cancelled").slice(0, 4);
    expect(appointments.length).toBeGreaterThan(1);
    await service.stop();

    // What a kill -9 leaves: the instance's row not stopped, its jobs active and leased to it, its run running.
    const db = await openDatabase({ kind: "pglite", dataDir });
    const sweepId = "sweep-before-crash";
    try {
      await leaveCrashedWork(db.pool, "crashed-predecessor", sweepId, today, appointments);
    } finally {
      await db.close();
    }

    service = await startService(config, createLogger({ level: "silent" }));
    try {
      // Taken over during start: the jobs are worked at once, not after their 15-minute expiry.
      const done = await service.sweeps.waitForCompletion(sweepId, { pollMs: 200, timeoutMs: 30_000 });
      expect(done.items).toEqual({ queued: 0, done: appointments.length, failed: 0 });
      const { rows: [run] } = await service.db.pool.query("SELECT status, error FROM runs WHERE id = 'run-of-crashed-predecessor'");
      expect(run).toMatchObject({ status: "failed", error: expect.stringContaining("crashed-predecessor") });
      const entries = await queryAudit(service.db.pool, { kind: "instance.taken_over" });
      expect(entries.map((e) => e.payload)).toEqual([expect.objectContaining({ instance: "crashed-predecessor", jobsReleased: appointments.length, runsFailed: 1 })]);
      // The first service stopped gracefully: never taken over.
      const { rows } = await service.db.pool.query<{ id: string; stopped: boolean; taken: boolean }>(
        "SELECT id, stopped_at IS NOT NULL AS stopped, taken_over_by IS NOT NULL AS taken FROM service_instances ORDER BY started_at");
      expect(rows.map((r) => [r.stopped, r.taken])).toEqual([[true, false], [false, true], [false, false]]);
      expect(rows[1]!.id).toBe("crashed-predecessor");
    } finally {
      await service.stop();
    }
  }, 120_000);
});

/**
 * What a kill -9 leaves behind: the instance's registry row neither stopped nor taken over (its
 * last beat just now), a sweep whose jobs it fetched (active, leased to it), a run it was driving.
 */
async function leaveCrashedWork(pool: pg.Pool, instanceId: string, sweepId: string, today: string, appointments: { appointmentId: string; dateOfService: string }[]): Promise<void> {
  await insertSweep(pool, { id: sweepId, kind: "manual", from: today, to: addDays(today, 3), requestedBy: "test", now: new Date() },
    appointments.map((a) => ({ appointmentId: a.appointmentId, dateOfService: a.dateOfService })));
  const jobIds = appointments.map((a) => sweepJobId(sweepId, a.appointmentId));
  await pool.query(
    `INSERT INTO pgboss.job (id, name, data, state, started_on, retry_limit, retry_delay, expire_in)
     SELECT j.id, $1, jsonb_build_object('sweepId', $2::text, 'appointmentId', j.appointment_id), 'active', now(), 3, 30, interval '15 minutes'
     FROM unnest($3::uuid[], $4::text[]) AS j(id, appointment_id)`,
    [SWEEP_QUEUE, sweepId, jobIds, appointments.map((a) => a.appointmentId)]);
  await leaseJobs(pool, SWEEP_QUEUE, jobIds, instanceId);
  await pool.query("INSERT INTO service_instances (id, host, pid) VALUES ($1, 'elsewhere', 1)", [instanceId]);
  await pool.query(`INSERT INTO runs (id, agent, subject_type, subject_id, status, input, instance_id)
    VALUES ($1, 'eligibility', 'appointment', $2, 'running', '{}', $3)`, [`run-of-${instanceId}`, appointments[0]!.appointmentId, instanceId]);
}

// Several instances need a PostgreSQL server (the embedded database belongs to one process).
describe.runIf(process.env.TEST_DATABASE_URL !== undefined)("two service instances on PostgreSQL and a third that dies", () => {
  it("exactly one of the two takes the dead one over at a heartbeat, seconds after its last beat, and the sweep completes", async () => {
    const t = await createTestDatabase("postgres", { migrate: false });
    const auditKey = randomBytes(32).toString("base64");
    try {
      // Idle workers poll every 30 s: only the takeover's wake-up gets the released jobs fetched in time.
      const services = await Promise.all([0, 1].map(async () => startService(testConfig({
        DATA_DIR: await mkdtemp(path.join(tmpdir(), "irc-takeover-")), DATABASE_URL: t.url!, PORT: "0", SANDBOX_PATIENTS: "12", SANDBOX_WEEKS: "2",
        SWEEP_ON_START: "false", AUDIT_KEY: auditKey, INSTANCE_HEARTBEAT_SECONDS: "0.5", INSTANCE_DEAD_AFTER_SECONDS: "3", SWEEP_POLLING_SECONDS: "30",
      }), createLogger({ level: "silent" }))));
      try {
        const [first] = services;
        const today = first!.sweeps.today();
        const appointments = (await first!.connections.ehr.appointments({ from: today, to: addDays(today, 3) })).filter((a) => a.status !== "cancelled").slice(0, 6);
        const diedAt = Date.now();
        await leaveCrashedWork(t.db.pool, "dead-third", "sweep-of-the-dead", today, appointments);
        const done = await first!.sweeps.waitForCompletion("sweep-of-the-dead", { pollMs: 100, timeoutMs: 20_000 });
        const tookMs = Date.now() - diedAt;
        expect(done.items).toEqual({ queued: 0, done: appointments.length, failed: 0 });
        // Dead after 3 s without a beat; taken over at the next beat of either; fetched at once (idle workers poll every 30 s).
        expect(tookMs).toBeGreaterThanOrEqual(3_000);
        expect(tookMs).toBeLessThan(15_000);
        const { rows } = await t.db.pool.query<{ id: string; taken_over_by: string | null }>("SELECT id, taken_over_by FROM service_instances ORDER BY started_at");
        const live = rows.filter((r) => r.id !== "dead-third").map((r) => r.id);
        expect(live).toHaveLength(2);
        expect(live).toContain(rows.find((r) => r.id === "dead-third")!.taken_over_by);
        const entries = await queryAudit(t.db.pool, { kind: "instance.taken_over" });
        expect(entries.map((e) => e.payload)).toEqual([expect.objectContaining({ instance: "dead-third", jobsReleased: appointments.length, runsFailed: 1 })]);
        const { rows: [run] } = await t.db.pool.query("SELECT status FROM runs WHERE id = 'run-of-dead-third'");
        expect(run.status).toBe("failed");
      } finally {
        await Promise.all(services.map((s) => s.stop()));
      }
      // Both stopped gracefully: neither was taken over.
      const { rows } = await t.db.pool.query("SELECT count(*)::int AS n FROM service_instances WHERE stopped_at IS NOT NULL AND taken_over_by IS NULL");
      expect(rows[0].n).toBe(2);
    } finally {
      await t.drop();
    }
  }, 120_000);
});
