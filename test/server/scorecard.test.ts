import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordCheck, type ExceptionReason } from "../../agents/shared/pre-service-checks.js";
import type { App } from "../../src/server/app.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { buildTestApp, keysForRoles } from "../helpers/app.js";

type Drug = { hcpcs: string; authRequired: boolean; authValid: boolean | null };

/** Patient estimates as the eligibility agent records them (tools/coding/patient-estimate.ts). */
const ESTIMATES = {
  priced: { patientShare: "2535.44", lines: [{ hcpcs: "J9271", units: 200, allowed: "11945.20" }], unpriced: [], priceQuarter: "2026Q1", quarterInForce: "2026Q1", stale: false },
  stale: { patientShare: "2535.44", lines: [{ hcpcs: "J9271", units: 200, allowed: "11945.20" }], unpriced: [], priceQuarter: "2026Q1", quarterInForce: "2026Q2", stale: true },
  unpriced: { patientShare: "0.00", basis: "estimate: no priced lines", lines: [], unpriced: [{ hcpcs: "J9271", reason: "no ASP file" }], priceQuarter: null, stale: false },
};

describe.each(DATABASE_KINDS)("scorecard on %s", (kind) => {
  let t: TestDatabase;
  let app: App;
  let keys: Awaited<ReturnType<typeof keysForRoles>>;
  let n = 0;

  async function check(agent: "eligibility" | "prior-auth", appointmentId: string, dos: string, at: string,
    reasons: ExceptionReason[], extra: { estimate?: keyof typeof ESTIMATES; drugs?: Drug[] } = {}): Promise<void> {
    n += 1;
    await recordCheck(t.db.pool, {
      agent, runId: `check-run-${n}`, sweepId: null, appointmentId, patientId: "p1", dateOfService: dos, checkedAt: new Date(at), reasons,
      facts: agent === "prior-auth" ? { drugs: (extra.drugs ?? []).map((d) => ({ ...d, reasons: [] })) } : { coverageActive: reasons.length === 0 },
      estimate: extra.estimate === undefined ? null : ESTIMATES[extra.estimate],
    });
  }

  async function run(id: string, agent: string, appointmentId: string, status: string, opts: { review?: boolean; actionBy?: string } = {}): Promise<void> {
    await t.db.pool.query("INSERT INTO runs (id, agent, subject_type, subject_id, status, input) VALUES ($1, $2, 'appointment', $3, $4, '{}')", [id, agent, appointmentId, status]);
    if (opts.review === true) {
      await t.db.pool.query(
        `INSERT INTO review_items (id, run_id, interrupt_id, agent, action_type, subject_type, subject_id, status, interrupt, draft, rationale, evidence, confidence, human_only, reason)
         VALUES ($1, $2, 'i1', $3, 'file-note', 'appointment', $4, 'accepted', '{}', '{}', 'r', '[]', 0.8, false, 'advisory')`,
        [`review-${id}`, id, agent, appointmentId]);
    }
    if (opts.actionBy !== undefined) {
      await t.db.pool.query(
        "INSERT INTO actions (id, idempotency_key, run_id, agent, action_type, payload, status, executed_by) VALUES ($1, $1, $2, $3, 'write-back', '{}', 'executed', $4)",
        [`action-${id}`, id, agent, opts.actionBy]);
    }
  }

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    ({ app } = await buildTestApp(t.db));
    keys = await keysForRoles(t.db);
    // A1 (Mar 10): flagged Mar 5, clean with an estimate by Mar 9; both drugs needing auth are authorized.
    await check("eligibility", "A1", "2026-03-10", "2026-03-05T10:00:00Z", ["coverage-inactive"]);
    await check("eligibility", "A1", "2026-03-10", "2026-03-09T10:00:00Z", [], { estimate: "priced" });
    await check("prior-auth", "A1", "2026-03-10", "2026-03-09T10:00:00Z", [],
      { drugs: [{ hcpcs: "J9271", authRequired: true, authValid: true }, { hcpcs: "J2505", authRequired: false, authValid: null }] });
    await run("r1", "eligibility", "A1", "completed", { actionBy: "agent:eligibility" });
    await run("r2", "eligibility", "A1", "completed", { review: true });
    // A2 (Mar 12): flagged the day before; its auth was expired at the time of service (a check after the visit does not count).
    await check("eligibility", "A2", "2026-03-12", "2026-03-11T10:00:00Z", ["aaa-rejection-subscriber"]);
    await check("prior-auth", "A2", "2026-03-12", "2026-03-11T10:00:00Z", ["auth-expired"], { drugs: [{ hcpcs: "J9035", authRequired: true, authValid: false }] });
    await check("prior-auth", "A2", "2026-03-12", "2026-03-13T10:00:00Z", [], { drugs: [{ hcpcs: "J9035", authRequired: true, authValid: true }] });
    await run("r3", "eligibility", "A2", "waiting", { review: true });
    await run("r4", "eligibility", "A2", "completed", { actionBy: "review:accept" });
    // A3 (Mar 20): flagged exactly two days before (late on Mar 18, UTC); auth unknown = not authorized.
    await check("prior-auth", "A3", "2026-03-20", "2026-03-18T23:30:00Z", ["auth-missing"], { drugs: [{ hcpcs: "J9312", authRequired: true, authValid: null }] });
    // …its estimate priced from an earlier quarter's file (counted as produced, and as stale).
    await check("eligibility", "A3", "2026-03-20", "2026-03-18T23:30:00Z", [], { estimate: "stale" });
    await run("r5", "eligibility", "A3", "completed");
    await run("r6", "prior-auth", "A3", "completed");
    // A4 (Mar 25): nothing needs authorization. A5 (Mar 28): swept, its eligibility run failed before any check.
    await check("prior-auth", "A4", "2026-03-25", "2026-03-20T10:00:00Z", [], { drugs: [{ hcpcs: "J1100", authRequired: false, authValid: null }] });
    // A4's estimate priced no line (a zero, not an estimate): counted apart, not as produced; an
    // earlier check's priced estimate does not count — the latest check does.
    await check("eligibility", "A4", "2026-03-25", "2026-03-19T10:00:00Z", [], { estimate: "priced" });
    await check("eligibility", "A4", "2026-03-25", "2026-03-20T10:00:00Z", [], { estimate: "unpriced" });
    await t.db.pool.query("INSERT INTO sweeps (id, kind, from_date, to_date, status, total, requested_by) VALUES ('s1', 'manual', '2026-03-28', '2026-03-28', 'completed', 1, 'test')");
    await t.db.pool.query("INSERT INTO sweep_items (sweep_id, appointment_id, date_of_service, status) VALUES ('s1', 'A5', '2026-03-28', 'failed')");
    await run("r7", "eligibility", "A5", "failed");
    // A6 (Apr 5): out of range.
    await check("eligibility", "A6", "2026-04-05", "2026-03-25T10:00:00Z", ["coverage-inactive"], { estimate: "priced" });
    await run("r8", "eligibility", "A6", "completed");
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  it("computes every measure as counted by hand", async () => {
    const res = await app.inject({ method: "GET", url: "/v1/scorecard?from=2026-03-01&to=2026-03-31", headers: keys.staff });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      from: "2026-03-01", to: "2026-03-31",
      appointments: 5,
      authorizationSuccessRate: { rate: 0.3333, numerator: 1, denominator: 3 },
      automationRate: { rate: 0.3333, numerator: 2, denominator: 6 },
      exceptionsByReason: { "aaa-rejection-subscriber": 1, "auth-missing": 1 },
      flaggedAtLeastTwoDaysBefore: { rate: 0.6667, numerator: 2, denominator: 3 },
      patientEstimatesProduced: 2,
      patientEstimatesStale: 1,
      patientEstimatesUnpriced: 1,
    });
  });

  it("counts each appointment a sweep's batch run checked in the automation rate", async () => {
    // One eligibility run for a batch of three May appointments (as a sweep sends them): B1 filed by
    // the agent itself; B2 waits on a person (so the batch run waits); B3's verification was accepted by a person.
    await t.db.pool.query(
      `INSERT INTO runs (id, agent, subject_type, subject_id, status, input)
       VALUES ('batch-run', 'eligibility', 'appointment', 'batch:s9:0123456789abcdef', 'waiting', '{"appointments": ["B1", "B2", "B3"], "sweepId": "s9"}')`);
    for (const a of ["B1", "B2", "B3"]) {
      await recordCheck(t.db.pool, {
        agent: "eligibility", runId: "batch-run", sweepId: "s9", appointmentId: a, patientId: "p1", dateOfService: "2026-05-04",
        checkedAt: new Date("2026-05-01T10:00:00Z"), reasons: [], facts: {}, estimate: null,
      });
    }
    await t.db.pool.query(
      `INSERT INTO review_items (id, run_id, interrupt_id, agent, action_type, subject_type, subject_id, status, interrupt, draft, rationale, evidence, confidence, human_only, reason)
       VALUES ('review-b2', 'batch-run', 'i2', 'eligibility', 'file-verification', 'appointment', 'B2', 'pending', '{}', '{}', 'r', '[]', 0.8, false, 'advisory')`);
    await t.db.pool.query(
      `INSERT INTO actions (id, idempotency_key, run_id, agent, action_type, payload, status, executed_by) VALUES
       ('action-b1', 'k-b1', 'batch-run', 'eligibility', 'file-verification', '{"appointmentId": "B1"}', 'executed', 'agent:eligibility'),
       ('action-b3', 'k-b3', 'batch-run', 'eligibility', 'file-verification', '{"appointmentId": "B3"}', 'executed', 'review:accept')`);
    const res = await app.inject({ method: "GET", url: "/v1/scorecard?from=2026-05-01&to=2026-05-31", headers: keys.staff });
    expect(res.json()).toMatchObject({ appointments: 3, automationRate: { rate: 0.3333, numerator: 1, denominator: 3 } });
  });

  it("gives null rates and zero counts for a range with nothing in it", async () => {
    const res = await app.inject({ method: "GET", url: "/v1/scorecard?from=2027-01-01&to=2027-01-31", headers: keys.council });
    expect(res.json()).toEqual({
      from: "2027-01-01", to: "2027-01-31", appointments: 0,
      authorizationSuccessRate: { rate: null, numerator: 0, denominator: 0 },
      automationRate: { rate: null, numerator: 0, denominator: 0 },
      exceptionsByReason: {},
      flaggedAtLeastTwoDaysBefore: { rate: null, numerator: 0, denominator: 0 },
      patientEstimatesProduced: 0,
      patientEstimatesStale: 0,
      patientEstimatesUnpriced: 0,
    });
  });

  it("is for staff, council and admin; refuses a service key and a reversed range", async () => {
    expect((await app.inject({ method: "GET", url: "/v1/scorecard?from=2026-03-01&to=2026-03-31", headers: keys.admin })).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/v1/scorecard?from=2026-03-01&to=2026-03-31", headers: keys.service })).statusCode).toBe(403);
    const bad = await app.inject({ method: "GET", url: "/v1/scorecard?from=2026-03-31&to=2026-03-01", headers: keys.staff });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: "BAD_REQUEST" });
    expect((await app.inject({ method: "GET", url: "/v1/scorecard?from=2026-03-01", headers: keys.staff })).statusCode).toBe(400);
  });
});
