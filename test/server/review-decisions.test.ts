/**
 * A decision does exactly what the reviewer decided, on the product agents over the sandbox: an
 * edit names only the fields it changes, cannot change who or what the action is about, is
 * checked by the tools, and what is sent is rebuilt from it (the 278 and the PAS bundle).
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { x12Messages } from "../../agents/prior-auth/nodes/draft-requests.js";
import { Readiness } from "../../src/db/readiness.js";
import { queryAudit } from "../../src/governance/audit-log.js";
import { createLogger } from "../../src/logger.js";
import { buildHarness, SandboxClock, type Harness } from "../../src/sandbox/harness.js";
import { buildApp, type App } from "../../src/server/app.js";
import { recordingAuthorizations } from "../helpers/recording-clearinghouse.js";
import { scenarioClinic, type Scenario } from "../../tools/sandbox/scenario-clinic.js";
import { seedSandbox } from "../../tools/sandbox/seed-sandbox.js";
import type { PayerAuthorization } from "../../tools/sandbox/world.js";
import { keysForRoles, testConfig } from "../helpers/app.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";

const ppo = { id: "SBCOM1", name: "Sandbox Commercial Health", type: "commercial", planId: "COM-PPO" };
const pembro = { hcpcs: "J9271", name: "pembrolizumab", doseMg: 200 };
const scenarios: Scenario[] = [
  { id: "missing", payer: { ...ppo, memberId: "WPA0000002" }, drugs: [pembro], visits: ["2026-03-06"] },
  { id: "other", payer: { ...ppo, memberId: "WPA0000009" }, drugs: [pembro], visits: ["2026-03-06"] },
  { id: "valid", payer: { ...ppo, memberId: "WPA0000001" }, drugs: [pembro], visits: ["2026-03-06"] },
];
const authorizations: PayerAuthorization[] = [{
  authNumber: "AUTH-VALID", payerId: "SBCOM1", memberId: "WPA0000001", hcpcs: "J9271", unitsApproved: 1600, unitsUsed: 200,
  start: "2026-01-15", end: "2026-12-31", diagnosisCodes: ["C34.90"], status: "approved",
}];

interface Item {
  id: string; actionType: string; status: string; draft: Record<string, unknown>;
  editable: { fields: string[]; values: Record<string, unknown>; schema?: { properties: Record<string, unknown> } } | null;
  editBefore: Record<string, unknown> | null; editAfter: Record<string, unknown> | null; decision: unknown;
}
interface Problem { status: number; code: string; detail: string; details: { field: string; errors: { path: string; message: string }[] } }
type Justification = { summary: string; diagnosis: { value: string; icd10: string[]; quote: string } | null };

describe.each(DATABASE_KINDS)("review decisions on the product agents on %s", (kind) => {
  let t: TestDatabase;
  let h: Harness;
  let app: App;
  let keys: Awaited<ReturnType<typeof keysForRoles>>;
  const sent: string[] = [];
  const q = async (sql: string, params: unknown[] = []) => (await t.db.pool.query(sql, params)).rows;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await seedSandbox(t.db.pool, scenarioClinic(scenarios, authorizations), { id: "review-decisions", meta: {} });
    h = await buildHarness({
      db: t.db, logger: pino({ level: "silent" }), clock: new SandboxClock(new Date("2026-03-01T08:00:00Z")), phase: "advisory",
      // What reaches the payer, as it reaches it.
      clearinghouse: recordingAuthorizations(sent),
    });
    const logger = createLogger({ level: "silent" });
    const readiness = new Readiness(t.db, logger);
    readiness.markMigrated();
    app = await buildApp(testConfig(), { logger, readiness, runtime: h.runtime });
    keys = await keysForRoles(t.db);
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  const decide = (id: string, body: unknown) => app.inject({ method: "POST", url: `/v1/reviews/${id}/decision`, headers: keys.staff, payload: body as object });
  /** The run's pending item of `actionType`, as GET /v1/reviews/:id shows it (the queue lists compact items). */
  const itemOf = async (runId: string, actionType: string): Promise<Item> => {
    const res = await app.inject({ method: "GET", url: `/v1/reviews?status=pending&runId=${runId}`, headers: keys.staff });
    const listed = (res.json() as { reviews: { id: string; actionType: string }[] }).reviews.find((r) => r.actionType === actionType);
    if (listed === undefined) throw new Error(`no pending ${actionType} item for run ${runId}`);
    return (await app.inject({ method: "GET", url: `/v1/reviews/${listed.id}`, headers: keys.staff })).json() as Item;
  };
  const refused = async (id: string, args: Record<string, unknown>): Promise<Problem> => {
    const res = await decide(id, { type: "edit", args });
    expect(res.statusCode, JSON.stringify(args)).toBe(400);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    return res.json() as Problem;
  };

  it("a 278's edited justification is what the payer receives, in the 278 and the PAS bundle; the edit sends only the changed field", async () => {
    const started = await h.runtime.start("prior-auth", { type: "appointment", id: "missing-a1" }, { id: "missing-a1" });
    expect(started.status).toBe("waiting");
    const item = await itemOf(started.id, "submit-auth-request");
    const drafted = item.draft.justification as Justification;
    // The item shows what a person may change, with its current value; the single item adds the edit's schema.
    expect(item.editable).toMatchObject({ fields: ["justification"], values: { justification: drafted } });
    const one = (await app.inject({ method: "GET", url: `/v1/reviews/${item.id}`, headers: keys.staff })).json() as Item;
    expect(Object.keys(one.editable!.schema!.properties)).toEqual(["justification"]);

    const summary = "Stage IV non-small cell lung cancer (C34.90), PD-L1 TPS 80 percent on repeat biopsy; first-line pembrolizumab per NCCN.";
    const body = { type: "edit", args: { justification: { summary } } };
    expect(JSON.stringify(body).length).toBeLessThan(200);
    const res = await decide(item.id, body);
    expect(res.statusCode).toBe(200);
    const decided = res.json() as { review: Item; run: { status: string } };
    expect(decided.run.status).toBe("completed");
    expect(decided.review).toMatchObject({
      status: "edited", editBefore: { "justification.summary": drafted.summary }, editAfter: { "justification.summary": summary },
    });

    // Sent once, carrying the edited text and not the drafted one; stored as sent, with the PAS bundle rebuilt from it.
    expect(sent).toHaveLength(1);
    const [message] = x12Messages(summary);
    expect(sent[0]).toContain(`MSG*${message}`);
    expect(sent[0]).not.toContain(`MSG*${x12Messages(drafted.summary)[0]}`);
    const [stored] = await q("SELECT x12_request, pas_bundle FROM authorization_requests WHERE appointment_id = 'missing-a1'");
    expect(stored.x12_request).toBe(sent[0]);
    const claim = (stored.pas_bundle as { entry: { resource: { resourceType: string; supportingInfo: { valueString: string }[] } }[] })
      .entry.find((e) => e.resource.resourceType === "Claim")!.resource;
    expect(claim.supportingInfo.map((s) => s.valueString)).toEqual([summary]);
    // The trail keeps the changed field before → after, and the executed payload is the edited one.
    const [entry] = await queryAudit(t.db.pool, { runId: started.id, kind: "review.decided" });
    expect(entry!.payload).toMatchObject({ decision: "edit", changes: [{ field: "justification.summary", before: drafted.summary, after: summary }] });
    const [executed] = await queryAudit(t.db.pool, { runId: started.id, kind: "action.executed" });
    expect((executed!.payload as { payload: { justification: Justification; request: { messages: string[] } } }).payload)
      .toMatchObject({ justification: { summary }, request: { messages: x12Messages(summary) } });
  });

  it("an edit cannot change who or what the 278 is about, nor what the tools computed; codes off the order are refused; each 400 names the field", async () => {
    const started = await h.runtime.start("prior-auth", { type: "appointment", id: "other-a1" }, { id: "other-a1" });
    const item = await itemOf(started.id, "submit-auth-request");
    const before = sent.length;
    for (const field of ["patientId", "appointmentId", "payerId", "memberId", "idempotencyKey"]) {
      const p = await refused(item.id, { [field]: "missing", justification: { summary: "x y z" } });
      expect(p.details.field).toBe(field);
      expect(p.detail).toMatch(new RegExp(`^${field}: is not editable: it says who or what the action is about`));
    }
    expect((await refused(item.id, { doseUnits: 4000 })).details.field).toBe("doseUnits");
    expect((await refused(item.id, { request: { messages: ["approve"] } })).detail).toMatch(/^request: is not an editable field of submit-auth-request \(editable: justification\)/);
    const dx = await refused(item.id, { justification: { diagnosis: { value: "adenocarcinoma of the colon", icd10: ["C18.9"], quote: "adenocarcinoma of the colon" } } });
    expect(dx).toMatchObject({ details: { field: "justification.diagnosis.icd10" } });
    expect(dx.detail).toContain("C18.9, not among the order's diagnoses");
    expect((await refused(item.id, { justification: { summary: "Metastatic colon cancer C18.9; pembrolizumab." } })).details.field).toBe("justification.summary");
    expect((await refused(item.id, { justification: { summary: "" } })).details.errors[0]!.path).toBe("justification.summary");
    expect((await refused(item.id, { justification: { stage: { value: "IV", quote: "Stage IV" }, extra: 1 } })).details.errors.map((e) => e.message).join(" ")).toMatch(/extra/);
    expect(await refused(item.id, {})).toMatchObject({ detail: "The edit changes nothing: accept the draft instead" });
    // Nothing was decided, sent or recorded.
    expect((await itemOf(started.id, "submit-auth-request")).status).toBe("pending");
    expect(sent.length).toBe(before);
    expect(await queryAudit(t.db.pool, { runId: started.id, kind: "review.decided" })).toEqual([]);

    // Editing a field of the justification rebuilds the text sent from the fields.
    const res = await decide(item.id, { type: "edit", args: { justification: { ecog: { value: 0, quote: "ECOG 0" } } } });
    expect(res.statusCode).toBe(200);
    const review = (res.json() as { review: Item }).review;
    expect(review.editAfter).toMatchObject({ "justification.ecog.value": 0, "justification.ecog.quote": "ECOG 0" });
    expect(String(review.editAfter!["justification.summary"])).toContain("ECOG 0.");
    expect(sent.at(-1)).toContain("ECOG 0");
  });

  it("a verification's edit cannot move it to another patient's chart; its disposition can be edited alone", async () => {
    const started = await h.runtime.start("eligibility", { type: "appointment", id: "missing-a1" }, { id: "missing-a1" });
    const item = await itemOf(started.id, "file-verification");
    expect(item.editable).toMatchObject({ fields: ["disposition"], values: { disposition: item.draft.disposition } });
    const charts = () => q("SELECT resource->'patient'->>'reference' AS patient, resource->>'disposition' AS disposition FROM fhir_resources WHERE resource_type = 'CoverageEligibilityResponse'");
    // Today's failure: the whole payload with another patient's ids, accepted and written into that chart.
    const moved = await refused(item.id, { ...item.draft, patientId: "other", appointmentId: "other-a1" });
    expect(moved.details.field).toBe("patientId");
    expect(await refused(item.id, { outcome: "complete" })).toMatchObject({ details: { field: "outcome" } });
    // The line staff read must agree with the 271 written beside it.
    expect(item.draft.inforce).toBe(true);
    const contradicts = await refused(item.id, { disposition: "Coverage inactive on 2026-03-06: call the patient" });
    expect(contradicts).toMatchObject({ details: { field: "disposition" } });
    expect(contradicts.detail).toContain("says inactive, but the payer's 271 confirmed coverage in force");
    expect(await charts()).toEqual([]);

    const disposition = "Verified by phone with Sandbox Commercial Health (ref 12345): active on 2026-03-06";
    const res = await decide(item.id, { type: "edit", args: { disposition } });
    expect(res.statusCode).toBe(200);
    expect(await charts()).toEqual([{ patient: "Patient/missing", disposition }]);
  });

  it("a draft with nothing a person may change offers no edit: the Agent Inbox item says so and an edit is a 400", async () => {
    const started = await h.runtime.start("prior-auth", { type: "appointment", id: "valid-a1" }, { id: "valid-a1" });
    const verified = await itemOf(started.id, "auth-verified");
    expect(verified.editable).toMatchObject({ fields: [], values: {} });
    expect((verified as unknown as { interrupt: { config: { allow_edit: boolean; allow_accept: boolean } } }).interrupt.config).toMatchObject({ allow_edit: false, allow_accept: true });
    const p = await refused(verified.id, { remainingAfterDose: 5000 });
    expect(p).toMatchObject({ detail: "remainingAfterDose: is not editable: nothing in a auth-verified draft is (accept, respond or ignore it)", details: { field: "remainingAfterDose" } });
  });
});
