/**
 * Pre-service checks: one row per run, agent and appointment (migration 0008, so a run can check
 * a batch), and one per sweep, agent and appointment (migration 0017); recordChecks writes a
 * batch in one statement with recordCheck's semantics.
 */
import { mkdtemp, readdir, copyFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { recordCheck, recordChecks, type PreServiceCheck } from "../../../agents/shared/pre-service-checks.js";
import { migrate, migrationsDir } from "../../../src/db/migrate.js";
import { countingPool } from "../../helpers/counting-pool.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../../helpers/databases.js";

const check = (c: Partial<PreServiceCheck> & Pick<PreServiceCheck, "runId" | "appointmentId">): PreServiceCheck => ({
  agent: "prior-auth", sweepId: `sweep-of-${c.runId}`, patientId: `patient-of-${c.appointmentId}`, dateOfService: "2026-03-12",
  checkedAt: new Date("2026-03-10T09:15:30.250Z"), reasons: [], facts: { drugs: [] }, estimate: null, ...c,
});

/** A varied batch: both agents, clean and exceptions (with repeated, unsorted reasons), estimates, no sweep, nested facts. */
function batch(runId: string): PreServiceCheck[] {
  return [
    check({ runId, appointmentId: "A1", reasons: ["auth-pended", "auth-missing", "auth-pended"],
      facts: { coverage: { payerId: "SBCOM1", planId: null }, drugs: [{ hcpcs: "J9271", units: 200, note: "née — ü" }], followUps: [] } }),
    check({ runId, appointmentId: "A2", sweepId: null, facts: { drugs: [{ hcpcs: "J9035", authValid: true, remainingAfterDose: 0.5 }] } }),
    check({ runId, appointmentId: "A1", agent: "eligibility", reasons: ["coverage-inactive"], estimate: { patientResponsibilityCents: 5000, lines: [1, 2] },
      facts: { coverageActive: false } }),
    check({ runId, appointmentId: "A3", agent: "eligibility", dateOfService: "2026-03-13", checkedAt: new Date("2026-03-10T23:59:59.999Z"),
      estimate: { patientResponsibilityCents: 0 }, facts: {} }),
  ];
}

interface Row {
  id: string; agent: string; run_id: string; sweep_id: string | null; appointment_id: string; patient_id: string; dos: string;
  checked_at: string; outcome: string; reasons: string[]; facts: unknown; estimate: unknown;
}

async function rows(db: Pick<pg.Pool, "query">, runId: string): Promise<Row[]> {
  const { rows: r } = await db.query<Row>(
    `SELECT id, agent, run_id, sweep_id, appointment_id, patient_id, to_char(date_of_service, 'YYYY-MM-DD') AS dos,
       to_char(checked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS checked_at, outcome, reasons, facts, estimate
     FROM pre_service_checks WHERE run_id = $1 ORDER BY agent, appointment_id`, [runId]);
  return r;
}
/** A row without what differs between runs: ids, the run and (one check per sweep, agent and appointment) the sweep. */
const withoutIds = (r: Row[]) => r.map(({ id: _id, run_id: _run, sweep_id: _sweep, ...rest }) => rest);

describe.each(DATABASE_KINDS)("pre-service checks on %s", (kind) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("one row per run, agent and appointment: a run checks a batch, a re-run rewrites its rows", async () => {
    const { rows: constraints } = await t.db.pool.query<{ name: string; def: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'pre_service_checks'::regclass AND contype = 'u'`);
    expect(constraints).toEqual([{ name: "pre_service_checks_run_id_agent_appointment_id_key", def: "UNIQUE (run_id, agent, appointment_id)" }]);
    await recordCheck(t.db.pool, check({ runId: "single", appointmentId: "A1" }));
    await recordCheck(t.db.pool, check({ runId: "single", appointmentId: "A2" }));
    await recordCheck(t.db.pool, check({ runId: "single", appointmentId: "A1", reasons: ["auth-missing"], checkedAt: new Date("2026-03-11T00:00:00Z") }));
    expect((await rows(t.db.pool, "single")).map((r) => [r.appointment_id, r.outcome, r.checked_at])).toEqual([
      ["A1", "exception", "2026-03-11T00:00:00.000000"], ["A2", "clean", "2026-03-10T09:15:30.250000"]]);
  });

  it("recordChecks writes a batch in one statement, as recordCheck writes each", async () => {
    for (const c of batch("one-by-one")) await recordCheck(t.db.pool, c);
    const c = countingPool(t.db.pool);
    await recordChecks(c.pool, batch("batched"));
    expect(c.statements()).toBe(1);
    const batched = await rows(t.db.pool, "batched");
    expect(batched).toHaveLength(4);
    expect(withoutIds(batched)).toEqual(withoutIds(await rows(t.db.pool, "one-by-one")));
    expect(batched.find((r) => r.agent === "prior-auth" && r.appointment_id === "A1")).toMatchObject({
      outcome: "exception", reasons: ["auth-missing", "auth-pended"], sweep_id: "sweep-of-batched", estimate: null });
    expect(batched.find((r) => r.appointment_id === "A2")).toMatchObject({ sweep_id: null, outcome: "clean", reasons: [] });
    expect(new Set(batched.map((r) => r.id)).size).toBe(4);
    // No estimate is SQL NULL (not the JSON null), as recordCheck stores it.
    const nulls = await t.db.pool.query(
      "SELECT run_id, count(*) FILTER (WHERE estimate IS NULL)::int AS n FROM pre_service_checks WHERE run_id IN ('batched', 'one-by-one') GROUP BY run_id ORDER BY run_id");
    expect(nulls.rows).toEqual([{ run_id: "batched", n: 2 }, { run_id: "one-by-one", n: 2 }]);
  });

  it("is idempotent: the same batch again rewrites the same rows; a changed one updates what recordCheck updates", async () => {
    await recordChecks(t.db.pool, batch("again"));
    const first = await rows(t.db.pool, "again");
    await recordChecks(t.db.pool, batch("again"));
    expect(await rows(t.db.pool, "again")).toEqual(first);

    const later = new Date("2026-03-11T08:00:00Z");
    const changed = batch("again").map((c) => ({ ...c, checkedAt: later, reasons: [], facts: { rerun: true }, estimate: null,
      sweepId: "sweep-2", patientId: "someone-else", dateOfService: "2026-04-01" }));
    await recordChecks(t.db.pool, changed);
    for (const c of batch("again-one-by-one")) await recordCheck(t.db.pool, c);
    for (const c of changed) await recordCheck(t.db.pool, { ...c, runId: "again-one-by-one", sweepId: "sweep-2b" });
    const updated = await rows(t.db.pool, "again");
    // Same rows (same ids); checked_at, outcome, reasons, facts and estimate rewritten; the rest kept, as recordCheck does.
    expect(updated.map((r) => r.id)).toEqual(first.map((r) => r.id));
    expect(updated.every((r) => r.outcome === "clean" && r.estimate === null && r.checked_at === "2026-03-11T08:00:00.000000")).toBe(true);
    expect(updated.map((r) => [r.sweep_id, r.patient_id, r.dos])).toEqual(first.map((r) => [r.sweep_id, r.patient_id, r.dos]));
    expect(withoutIds(updated)).toEqual(withoutIds(await rows(t.db.pool, "again-one-by-one")));
  });

  it("the last check of a run, agent and appointment in a batch wins, as it would one by one", async () => {
    const [a, b] = [check({ runId: "dupes", appointmentId: "A1", reasons: ["auth-missing"] }), check({ runId: "dupes", appointmentId: "A2" })];
    const last = { ...a, reasons: [], facts: { last: true }, checkedAt: new Date("2026-03-10T10:00:00Z") };
    await recordChecks(t.db.pool, [a, b, last]);
    expect((await rows(t.db.pool, "dupes")).map((r) => [r.appointment_id, r.outcome, r.facts])).toEqual([
      ["A1", "clean", { last: true }], ["A2", "clean", { drugs: [] }]]);
    const idle = countingPool(t.db.pool);
    await recordChecks(idle.pool, []);
    expect(idle.statements()).toBe(0);
  });
});

describe.each(DATABASE_KINDS)("migration 0008 on %s", (kind) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.drop();
    t = undefined;
  });

  it("applies to a database at 0007 holding checks, and lets a run check several appointments", async () => {
    t = await createTestDatabase(kind, { migrate: false });
    const dir = await mkdtemp(path.join(tmpdir(), "irc-migrations-"));
    for (const f of (await readdir(migrationsDir())).filter((f) => f < "0008")) await copyFile(path.join(migrationsDir(), f), path.join(dir, f));
    await migrate(t.db.pool, { dir });
    const insert = (runId: string, appointmentId: string) => t!.db.pool.query(
      `INSERT INTO pre_service_checks (id, agent, run_id, appointment_id, patient_id, date_of_service, checked_at, outcome, facts)
       VALUES ($1, 'prior-auth', $2, $3, 'p1', '2026-03-12', now(), 'clean', '{}')`, [`${runId}-${appointmentId}`, runId, appointmentId]);
    await insert("old-run", "A1");
    await insert("other-run", "A1");
    const result = await migrate(t.db.pool);
    expect(result.applied[0]).toBe("0008_batch_checks");
    await insert("old-run", "A2");
    await recordCheck(t.db.pool, check({ runId: "old-run", appointmentId: "A1", reasons: ["auth-missing"] }));
    const { rows: r } = await t.db.pool.query("SELECT id, appointment_id, outcome FROM pre_service_checks WHERE run_id = 'old-run' ORDER BY appointment_id");
    expect(r).toEqual([{ id: "old-run-A1", appointment_id: "A1", outcome: "exception" }, { id: "old-run-A2", appointment_id: "A2", outcome: "clean" }]);
  });
});

describe.each(DATABASE_KINDS)("migration 0017 on %s", (kind) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.drop();
    t = undefined;
  });

  it("keeps the latest of a sweep's duplicate checks in the sweep, then refuses a second check of a sweep, agent and appointment", async () => {
    t = await createTestDatabase(kind, { migrate: false });
    const dir = await mkdtemp(path.join(tmpdir(), "irc-migrations-"));
    for (const f of (await readdir(migrationsDir())).filter((f) => f < "0017")) await copyFile(path.join(migrationsDir(), f), path.join(dir, f));
    await migrate(t.db.pool, { dir });
    // What a retried sweep job wrote before the fix: the same appointment checked by two runs of one sweep.
    await recordCheck(t.db.pool, check({ runId: "first-run", appointmentId: "A1", sweepId: "s1", checkedAt: new Date("2026-03-10T09:00:00Z") }));
    await recordCheck(t.db.pool, check({ runId: "retry-run", appointmentId: "A1", sweepId: "s1", checkedAt: new Date("2026-03-10T09:05:00Z") }));
    await recordCheck(t.db.pool, check({ runId: "first-run", appointmentId: "A2", sweepId: "s1" }));
    const result = await migrate(t.db.pool);
    expect(result.applied[0]).toBe("0017_run_effects");
    const { rows: r } = await t.db.pool.query("SELECT run_id, appointment_id, sweep_id FROM pre_service_checks ORDER BY appointment_id, run_id");
    expect(r).toEqual([
      { run_id: "first-run", appointment_id: "A1", sweep_id: null }, { run_id: "retry-run", appointment_id: "A1", sweep_id: "s1" },
      { run_id: "first-run", appointment_id: "A2", sweep_id: "s1" }]);
    // Another run of the same sweep cannot check A2 again; its own run may rewrite it; another sweep, another agent or no sweep may check it.
    await expect(recordCheck(t.db.pool, check({ runId: "third-run", appointmentId: "A2", sweepId: "s1" }))).rejects.toThrow(/pre_service_checks_sweep_once_idx/);
    await recordCheck(t.db.pool, check({ runId: "first-run", appointmentId: "A2", sweepId: "s1", reasons: ["auth-missing"] }));
    await recordCheck(t.db.pool, check({ runId: "third-run", appointmentId: "A2", sweepId: "recheck-2026-03-11" }));
    await recordCheck(t.db.pool, check({ runId: "third-run", appointmentId: "A2", sweepId: "s1", agent: "eligibility" }));
    await recordCheck(t.db.pool, check({ runId: "fourth-run", appointmentId: "A2", sweepId: null }));
    await recordCheck(t.db.pool, check({ runId: "fifth-run", appointmentId: "A2", sweepId: null }));
    const { rows: a2 } = await t.db.pool.query("SELECT count(*)::int AS n FROM pre_service_checks WHERE appointment_id = 'A2'");
    expect(a2).toEqual([{ n: 5 }]);
  });
});
