import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { priorAuthAgent } from "../../../agents/prior-auth/graph.js";
import { queryAudit } from "../../../src/governance/audit-log.js";
import { listReviewItems } from "../../../src/governance/reviews.js";
import { AgentRegistry } from "../../../src/orchestration/registry.js";
import { buildHarness, SandboxClock, type Harness } from "../../../src/sandbox/harness.js";
import { scenarioClinic, type Scenario } from "../../../tools/sandbox/scenario-clinic.js";
import { seedSandbox } from "../../../tools/sandbox/seed-sandbox.js";
import type { PayerAuthorization } from "../../../tools/sandbox/world.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../../helpers/databases.js";

const ppo = { id: "SBCOM1", name: "Sandbox Commercial Health", type: "commercial", planId: "COM-PPO" };
const hdhp = { ...ppo, planId: "COM-HDHP" };
const advantage = { id: "SBMA1", name: "Sandbox Medicare Advantage", type: "medicare-advantage", planId: "MA-GOLD" };
const pembro = { hcpcs: "J9271", name: "pembrolizumab", doseMg: 200 };
const scenarios: Scenario[] = [
  { id: "valid", payer: { ...ppo, memberId: "WPA0000001" }, drugs: [pembro], visits: ["2026-03-06", "2026-03-27"] },
  { id: "missing", payer: { ...ppo, memberId: "WPA0000002" }, drugs: [pembro], visits: ["2026-03-06"] },
  { id: "expired", payer: { ...ppo, memberId: "WPA0000003" }, drugs: [pembro], visits: ["2026-03-06"] },
  { id: "units", payer: { ...ppo, memberId: "WPA0000004" }, drugs: [pembro], visits: ["2026-03-06"] },
  { id: "colon", payer: { ...ppo, memberId: "WPA0000005" }, drugs: [pembro], visits: ["2026-03-06"], diagnosis: "C18.9" },
  { id: "lapse", payer: { ...ppo, memberId: "WPA0000006" }, drugs: [pembro], visits: ["2026-03-06"] },
  { id: "pended", payer: { ...advantage, memberId: "WPA0000007" }, drugs: [pembro], visits: ["2026-03-06"] },
  // Covered as a spouse on the subscriber's PPO (no member id of her own), with no authorization.
  { id: "spouse", payer: { ...ppo, memberId: "WPA0000009" }, drugs: [pembro], visits: ["2026-03-06"], holder: { relationship: "spouse", first: "Robin", last: "Holder", birthDate: "1956-07-11", gender: "male" }, dependent: {} },
  { id: "whitebag", payer: { ...hdhp, memberId: "WPA0000008" }, drugs: [{ hcpcs: "J9355", name: "trastuzumab", doseMg: 420, supply: "white-bag" }], visits: ["2026-03-06"], diagnosis: "C50.911" },
];
// The payer's authorizations; the seed copies them into the clinic's ledger (patient found by the coverage).
const onFile = (memberId: string, authNumber: string, over: Partial<PayerAuthorization>): PayerAuthorization => ({
  authNumber, payerId: "SBCOM1", memberId, hcpcs: "J9271", unitsApproved: 1600, unitsUsed: 200, start: "2026-01-15", end: "2026-12-31",
  diagnosisCodes: ["C34.90"], status: "approved", ...over,
});
const authorizations = [
  onFile("WPA0000001", "AUTH-VALID", {}),
  onFile("WPA0000003", "AUTH-EXPIRED", { start: "2025-09-01", end: "2026-02-28" }),
  onFile("WPA0000004", "AUTH-UNITS", { unitsUsed: 1500 }),
  onFile("WPA0000006", "AUTH-LAPSE", { start: "2026-01-01", end: "2026-03-20" }),
];

describe.each(DATABASE_KINDS)("prior-auth agent on %s", (kind) => {
  let t: TestDatabase;
  let h: Harness;
  const clock = new SandboxClock(new Date("2026-03-01T08:00:00Z"));
  const q = async (sql: string, params: unknown[] = []) => (await t.db.pool.query(sql, params)).rows;
  const setPhase = (phase: "advisory" | "full") => q("UPDATE agent_autonomy SET phase = $1 WHERE agent = 'prior-auth'", [phase]);

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await seedSandbox(t.db.pool, scenarioClinic(scenarios, authorizations), { id: "prior-auth-test", meta: {} });
    h = await buildHarness({ db: t.db, logger: pino({ level: "silent" }), clock, phase: "full", registry: (deps) => new AgentRegistry().register(priorAuthAgent(), deps) });
  });
  afterAll(async () => t.drop());

  // A sweep checks an appointment once per agent (migration 0017): a re-check is another sweep.
  const run = (appointmentId: string, sweepId = "sweep-1") => h.runtime.start("prior-auth", { type: "appointment", id: appointmentId }, { id: appointmentId, sweepId });
  const check = async (runId: string) => (await q("SELECT outcome, reasons, facts, sweep_id FROM pre_service_checks WHERE run_id = $1 AND agent = 'prior-auth'", [runId]))[0] as {
    outcome: string; reasons: string[]; sweep_id: string;
    facts: { coverage: Record<string, string>; drugs: { hcpcs: string; units: number; authRequired: boolean; authValid: boolean | null; authNumber: string | null; remainingAfterDose: number | null; reasons: string[]; likelihood: { score: number; reasons: string[] } }[] };
  };
  const usage = (authNumber: string) => q("SELECT appointment_id, units, to_char(date_of_service, 'YYYY-MM-DD') AS dos FROM authorization_usage WHERE auth_number = $1 ORDER BY appointment_id", [authNumber]);
  const tasks = async (appointmentId: string) => (await q("SELECT resource FROM fhir_resources WHERE resource_type = 'Task' AND resource->'focus'->>'reference' = $1", [`Appointment/${appointmentId}`]))
    .map((r) => r.resource as { code: { text: string }; description: string; restriction?: { period: { end: string } } });

  it("the seed copies the payer's authorizations into the ledger, with the units used before", async () => {
    expect(await q("SELECT auth_number, patient_id, units_approved, units_used_prior, source FROM authorizations WHERE auth_number = 'AUTH-VALID'"))
      .toEqual([{ auth_number: "AUTH-VALID", patient_id: "valid", units_approved: 1600, units_used_prior: 200, source: "on-file" }]);
  });

  it("a valid authorization on file: clean, units drawn per cycle, verified at full autonomy without a model", async () => {
    const first = await run("valid-a1");
    expect(first.status).toBe("completed");
    const c = await check(first.id);
    expect(c).toMatchObject({ outcome: "clean", reasons: [], sweep_id: "sweep-1", facts: { coverage: { payerId: "SBCOM1", planId: "COM-PPO", memberId: "WPA0000001" } } });
    expect(c.facts.drugs).toMatchObject([{ hcpcs: "J9271", units: 200, authRequired: true, authValid: true, authNumber: "AUTH-VALID", remainingAfterDose: 1200, reasons: [], likelihood: { score: 1 } }]);
    expect(first.result).toMatchObject({ outcomes: [{ actionType: "auth-verified", status: "executed", verdict: "execute" }] });
    // The second cycle sees the first visit's units: 1600 − 200 before − 200 − 200.
    const second = await run("valid-a2");
    expect((await check(second.id)).facts.drugs[0]).toMatchObject({ authValid: true, remainingAfterDose: 1000 });
    expect(await usage("AUTH-VALID")).toEqual([{ appointment_id: "valid-a1", units: 200, dos: "2026-03-06" }, { appointment_id: "valid-a2", units: 200, dos: "2026-03-27" }]);
    // A re-run draws the same units once.
    await run("valid-a1", "sweep-2");
    expect(await usage("AUTH-VALID")).toHaveLength(2);
    const audit = await queryAudit(t.db.pool, { runId: first.id });
    expect(audit.filter((e) => e.kind === "model.call")).toHaveLength(0);
  });

  it("no authorization: drafts the 278 and PAS bundle; on accept the payer certifies, the ledger gains it, a re-run does not submit again", async () => {
    await setPhase("advisory");
    const started = await run("missing-a1");
    expect(started.status).toBe("waiting");
    const c = await check(started.id);
    expect(c).toMatchObject({ outcome: "exception", reasons: ["auth-missing"] });
    expect(c.facts.drugs[0]!.likelihood.score).toBeGreaterThan(0.7);
    const [review] = await listReviewItems(t.db.pool, { runId: started.id });
    expect(review).toMatchObject({ actionType: "submit-auth-request", confidence: 0.6, dueBy: "2026-03-04T17:00:00.000Z" });
    const payload = (review!.interrupt as { action_request: { args: Record<string, unknown> } }).action_request.args as {
      request: { trace: string; diagnoses: string[]; services: { quantity: number; from: string; to: string }[]; messages: string[] };
      pasBundle: { type: string; entry: { resource: { resourceType: string; use?: string } }[] }; justification: { stage: { value: string }; ecog: { value: number } };
    };
    expect(payload.request).toMatchObject({ diagnoses: ["C3490"], services: [{ quantity: 1600, from: "2026-03-06", to: "2027-03-05" }] });
    expect(payload.request.messages.join(" ")).toContain("PD-L1");
    expect(payload.justification).toMatchObject({ stage: { value: "IV", quote: "Stage IV" }, ecog: { value: 1 } });
    expect(payload.pasBundle.type).toBe("collection");
    expect(payload.pasBundle.entry.find((e) => e.resource.resourceType === "Claim")?.resource.use).toBe("preauthorization");
    const audit = await queryAudit(t.db.pool, { runId: started.id, kind: "model.call" });
    expect(audit.map((e) => (e.payload as { provider: string; promptId: string }))).toMatchObject([{ provider: "offline", promptId: "prior-auth/clinical-justification" }]);

    const decided = await h.runtime.decide(review!.id, { type: "accept" }, "key:staff");
    expect(decided.run.status).toBe("completed");
    const [request] = await q("SELECT status, auth_number, trace, units, x12_request, pas_bundle FROM authorization_requests WHERE patient_id = 'missing'");
    expect(request).toMatchObject({ status: "approved", trace: payload.request.trace, units: 1600 });
    expect(request.auth_number).toMatch(/^SBA[0-9A-F]{9}$/);
    expect(request.x12_request).toContain(`TRN*1*${payload.request.trace}`);
    expect(request.pas_bundle).toMatchObject({ resourceType: "Bundle", type: "collection" });
    expect(await q("SELECT units_approved, to_char(start_date, 'YYYY-MM-DD') AS s, to_char(end_date, 'YYYY-MM-DD') AS e, source FROM authorizations WHERE auth_number = $1", [request.auth_number]))
      .toEqual([{ units_approved: 1600, s: "2026-03-06", e: "2027-03-05", source: "278" }]);
    expect(await usage(request.auth_number)).toEqual([{ appointment_id: "missing-a1", units: 200, dos: "2026-03-06" }]);

    await setPhase("full");
    const again = await run("missing-a1", "sweep-2");
    expect(again.status).toBe("completed");
    expect((await check(again.id)).facts.drugs[0]).toMatchObject({ authValid: true, authNumber: request.auth_number, remainingAfterDose: 1400 });
    expect(await q("SELECT count(*)::int AS n FROM authorization_requests WHERE patient_id = 'missing'")).toEqual([{ n: 1 }]);
    expect(await q("SELECT count(*)::int AS n FROM payer_authorizations WHERE member_id = 'WPA0000002'")).toEqual([{ n: 1 }]);
  });

  it("a patient covered as a spouse: the 278 names the subscriber (2010C) and her as the dependent (2010D), the PAS bundle the holder and relationship; the payer certifies", async () => {
    await setPhase("advisory");
    const started = await run("spouse-a1");
    const [review] = await listReviewItems(t.db.pool, { runId: started.id });
    const args = (review!.interrupt as { action_request: { args: Record<string, unknown> } }).action_request.args as {
      request: { subscriber: Record<string, string | null>; dependent?: Record<string, string | null> };
      pasBundle: { entry: { resource: { resourceType: string; id: string; meta: { profile: string[] }; relationship?: { coding: { code: string }[] }; subscriber?: { reference: string }; name?: { family: string }[] } }[] };
    };
    expect(args.request.subscriber).toEqual({ lastName: "Holder", firstName: "Robin", birthDate: "1956-07-11", memberId: "WPA0000009" });
    expect(args.request.dependent).toEqual({ lastName: "Patientspouse", firstName: "Test", birthDate: "1958-04-02", gender: "F" });
    const resources = args.pasBundle.entry.map((e) => e.resource);
    const coverage = resources.find((r) => r.resourceType === "Coverage")!;
    expect(coverage.relationship?.coding[0]?.code).toBe("spouse");
    const holder = resources.find((r) => `Patient/${r.id}` === coverage.subscriber?.reference)!;
    expect(holder).toMatchObject({ meta: { profile: [expect.stringContaining("profile-subscriber")] }, name: [{ family: "Holder" }] });

    const decided = await h.runtime.decide(review!.id, { type: "accept" }, "key:staff");
    expect(decided.run.status).toBe("completed");
    const [request] = await q("SELECT status, auth_number, x12_request FROM authorization_requests WHERE patient_id = 'spouse'");
    expect(request.status).toBe("approved");
    const sent = (request.x12_request as string).replace(/\r?\n/g, "");
    await setPhase("full");
    expect(sent).toMatch(/HL\*3\*2\*22\*1~NM1\*IL\*1\*Holder\*Robin\*\*\*\*MI\*WPA0000009~DMG\*D8\*19560711~HL\*4\*3\*23\*1~NM1\*QC\*1\*Patientspouse\*Test~DMG\*D8\*19580402\*F~HL\*5\*4\*EV\*1~/);
  });

  it("expired: a staff task and a new request; units exhausted by this dose: the same", async () => {
    const expired = await run("expired-a1");
    expect((await check(expired.id)).facts.drugs[0]).toMatchObject({ authValid: false, authNumber: null, reasons: ["auth-expired"] });
    expect((await tasks("expired-a1")).map((x) => x.code.text)).toEqual(["prior-auth:auth-expired"]);
    expect(await q("SELECT status FROM authorization_requests WHERE patient_id = 'expired'")).toEqual([{ status: "approved" }]);

    const units = await run("units-a1");
    const u = (await check(units.id)).facts.drugs[0]!;
    expect(u).toMatchObject({ authValid: false, authNumber: "AUTH-UNITS", remainingAfterDose: -100, reasons: ["auth-units-exhausted"] });
    const [task] = await tasks("units-a1");
    expect(task!.description).toContain("needs 200 units but only 100 remain");
    expect(task!.restriction?.period.end).toBe("2026-03-04T17:00:00.000Z");
    expect(await usage("AUTH-UNITS")).toEqual([]);
  });

  it("diagnosis outside the payer's rule: an exception, no 278, near-zero likelihood", async () => {
    const r = await run("colon-a1");
    const d = (await check(r.id)).facts.drugs[0]!;
    expect(d.reasons.sort()).toEqual(["auth-diagnosis-mismatch", "auth-missing"]);
    expect(d.likelihood.score).toBe(0.05);
    expect((await tasks("colon-a1")).map((x) => x.code.text)).toEqual(["prior-auth:auth-diagnosis-mismatch+auth-missing"]);
    expect(await q("SELECT count(*)::int AS n FROM authorization_requests WHERE patient_id = 'colon'")).toEqual([{ n: 0 }]);
  });

  it("an authorization lapsing before the next cycle: this dose is covered, reauthorization requested from the day after it ends", async () => {
    const r = await run("lapse-a1");
    const c = await check(r.id);
    expect(c).toMatchObject({ outcome: "exception", reasons: ["auth-lapses-before-next-cycle"] });
    expect(c.facts.drugs[0]).toMatchObject({ authValid: true, authNumber: "AUTH-LAPSE", remainingAfterDose: 1200 });
    expect(await usage("AUTH-LAPSE")).toEqual([{ appointment_id: "lapse-a1", units: 200, dos: "2026-03-06" }]);
    expect((await tasks("lapse-a1"))[0]!.description).toContain("next cycle (2026-03-27) falls after the authorization ends (2026-03-20)");
    const [renewal] = await q("SELECT status, auth_number FROM authorization_requests WHERE patient_id = 'lapse'");
    const [auth] = await q("SELECT to_char(start_date, 'YYYY-MM-DD') AS s FROM authorizations WHERE auth_number = $1", [renewal.auth_number]);
    expect(auth).toEqual({ s: "2026-03-21" });
  });

  it("a pended request is followed until the payer decides", async () => {
    const first = await run("pended-a1");
    expect(first.result).toMatchObject({ outcomes: [{ actionType: "submit-auth-request", status: "executed", result: { status: "pended", action: "A4", nextCheckOn: "2026-03-03" } }] });
    clock.set("2026-03-02T08:00:00Z");
    const waiting = await run("pended-a1", "sweep-2");
    expect(await check(waiting.id)).toMatchObject({ reasons: ["auth-pended"], facts: { drugs: [{ authValid: false }] } });
    expect((await h.runtime.getRun(waiting.id)).state).toMatchObject({ proposals: [] });
    clock.set("2026-03-03T08:00:00Z");
    const decided = await run("pended-a1", "sweep-3");
    const c = await check(decided.id);
    expect(c).toMatchObject({ outcome: "clean", facts: { drugs: [{ authValid: true, remainingAfterDose: 1400 }] } });
    const [request] = await q("SELECT id, trace, status, auth_number, to_char(next_check_on, 'YYYY-MM-DD') AS next FROM authorization_requests WHERE patient_id = 'pended'");
    expect(request).toMatchObject({ status: "approved", next: null });
    expect(c.facts.drugs[0]!.authNumber).toBe(request.auth_number);
    const followUps = (await queryAudit(t.db.pool, { runId: decided.id, kind: "tool.call" })).filter((e) => (e.payload as { tool: string }).tool === "clearinghouse.follow-up-278");
    expect(followUps).toHaveLength(1);
    // The re-sent 278 was on record before it left: its request entry precedes the answer.
    const sent = await queryAudit(t.db.pool, { runId: decided.id, kind: "tool.request" });
    expect(sent.map((e) => e.payload)).toEqual([{ tool: "clearinghouse.follow-up-278", requestId: request.id, trace: request.trace, hcpcs: "J9271" }]);
    expect(sent[0]!.seq).toBeLessThan(followUps[0]!.seq);
    clock.set("2026-03-01T08:00:00Z");
  });

  it("a white-bag drug on the pharmacy benefit is not the clinic's authorization to get", async () => {
    const r = await run("whitebag-a1");
    expect(r.status).toBe("completed");
    expect(await check(r.id)).toMatchObject({ outcome: "clean", facts: { drugs: [{ hcpcs: "J9355", authRequired: false, authValid: null, reasons: [] }] } });
    expect(r.result).toMatchObject({ outcomes: [] });
  });
});
