/** GET /v1/claims (filters, pages, 400 for bad filters) and GET /v1/claims/{id} (lines, findings, history, the 837 and its acknowledgments; 404). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimIdFor } from "../../src/claims/claim-ids.js";
import { recordCapturedClaim, recordScrub } from "../../src/claims/claim-store.js";
import { submitClaim } from "../../src/claims/claim-submission.js";
import type { App } from "../../src/server/app.js";
import type { ClaimInput } from "../../tools/claim/claim.js";
import { loadCodingTables } from "../../tools/coding/coding-tables.js";
import { loadPayerConfig } from "../../tools/payer/sandbox/payer-config.js";
import { SandboxClearinghouse } from "../../tools/payer/sandbox/sandbox-clearinghouse.js";
import { SandboxPayer } from "../../tools/payer/sandbox/sandbox-payer.js";
import { buildTestApp, keysForRoles } from "../helpers/app.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";

const now = () => new Date("2026-03-05T10:00:00Z");
const provider = { name: "Sandbox Infusion Center", npi: "1234567893", taxId: "123456789", address: { line1: "1 Infusion Way", line2: null, city: "Springfield", state: "IL", zip: "62701" } };
const claim = (payer: { name: string; id: string }, serviceDate: string, npi = "1234567893"): ClaimInput => ({
  form: "837P", claimId: "X", totalCharge: "300.00", placeOfService: "11", billingProvider: { ...provider, npi },
  subscriber: { memberId: "WAPI000001", lastName: "HOLDER", firstName: "ROBIN", birthDate: "1956-07-11", gender: "M", filingIndicator: "CI" },
  payer, diagnoses: ["C3490"], lines: [{ procedure: { code: "96413", modifiers: [] }, charge: "300.00", units: 1, serviceDate, diagnosisPointers: [1] }],
});
const COM = { name: "Sandbox Commercial Health", id: "SBCOM1" };
const MA = { name: "Sandbox Medicare Advantage", id: "SBMA1" };

describe.each(DATABASE_KINDS)("claim routes on %s", (kind) => {
  let t: TestDatabase;
  let app: App;
  let keys: Awaited<ReturnType<typeof keysForRoles>>;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await t.db.pool.query(`INSERT INTO payer_members (payer_id, member_id, plan_id, first_name, last_name, birth_date, gender, coverage_start, coverage_end, deductible_met, oop_met)
      VALUES ('SBCOM1', 'WAPI000001', 'COM-PPO', 'ROBIN', 'HOLDER', '1956-07-11', 'M', '2026-01-01', NULL, '0', '0')`);
    const ch = new SandboxClearinghouse(new SandboxPayer({ pool: t.db.pool, config: loadPayerConfig(), tables: loadCodingTables(), now }));
    const capture = (visitId: string, c: ClaimInput) => recordCapturedClaim(t.db.pool, { visitId, patientId: "sbx-p001", claim: c, actor: "agent:pre-bill", now });
    const submit = (id: string) => submitClaim(t.db.pool, id, ch, { parties: { submitter: { name: "S", id: "SBXSUB", contactName: "B", phone: "5555550100" }, receiver: { name: "R", id: "SBXCH" } }, senderId: "SBXSUB", receiverId: "SBXCH", actor: "agent:pre-bill", now });
    await capture("api-1", claim(COM, "2026-03-01"));
    await capture("api-2", claim(COM, "2026-03-02"));
    await capture("api-3", claim(MA, "2026-03-03"));
    await capture("api-4", claim(COM, "2026-03-04", "1234567890"));
    await recordScrub(t.db.pool, claimIdFor("api-2"), { findings: [{ code: "JZ_MISSING", line: 1, before: "96413", after: "96413", confidence: 0.97, rationale: "test" }], corrected: null, actor: "agent:pre-bill", now });
    await submit(claimIdFor("api-2"));
    await submit(claimIdFor("api-4"));
    ({ app } = await buildTestApp(t.db));
    keys = await keysForRoles(t.db);
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  const list = async (query: string, headers: Record<string, string> = keys.staff) => {
    const res = await app.inject({ method: "GET", url: `/v1/claims${query}`, headers });
    return { status: res.statusCode, body: res.json() as { claims: { id: string; status: string; payerId: string; dateOfService: string; findings: number }[]; total: number; nextOffset: number | null } };
  };

  it("lists claims latest date of service first, for every reading role; anonymous is refused", async () => {
    for (const role of ["staff", "council", "admin", "service"] as const) {
      const { status, body } = await list("", keys[role]);
      expect(status).toBe(200);
      expect(body.claims.map((c) => c.dateOfService)).toEqual(["2026-03-04", "2026-03-03", "2026-03-02", "2026-03-01"]);
    }
    expect((await app.inject({ method: "GET", url: "/v1/claims" })).statusCode).toBe(401);
  });

  it("filters by status, payer and dates of service (inclusive), and pages with total and nextOffset", async () => {
    expect((await list("?status=accepted")).body.claims.map((c) => c.id)).toEqual([claimIdFor("api-2")]);
    expect((await list("?status=rejected")).body.claims.map((c) => c.id)).toEqual([claimIdFor("api-4")]);
    expect((await list("?status=captured")).body.total).toBe(2);
    expect((await list("?payer=SBMA1")).body.claims.map((c) => c.id)).toEqual([claimIdFor("api-3")]);
    expect((await list("?from=2026-03-02&to=2026-03-03")).body.claims.map((c) => c.dateOfService)).toEqual(["2026-03-03", "2026-03-02"]);
    expect((await list("?payer=SBCOM1&from=2026-03-02")).body.total).toBe(2);
    const first = await list("?limit=3");
    expect(first.body).toMatchObject({ total: 4, nextOffset: 3 });
    const last = await list("?limit=3&offset=3");
    expect(last.body.claims.map((c) => c.dateOfService)).toEqual(["2026-03-01"]);
    expect(last.body.nextOffset).toBeNull();
  });

  it.each([["?status=paid"], ["?from=2026-03-05&to=2026-03-01"], ["?from=2026-02-30"], ["?limit=0"], ["?offset=-1"], [`?payer=${"P".repeat(200)}`]])("400 for a bad filter %s", async (query) => {
    const res = await app.inject({ method: "GET", url: `/v1/claims${query}`, headers: keys.staff });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });

  it("one claim: lines, findings, history, the 837 sent with its 999 and 277CA", async () => {
    const res = await app.inject({ method: "GET", url: `/v1/claims/${claimIdFor("api-2")}`, headers: keys.council });
    expect(res.statusCode).toBe(200);
    const body = res.json() as Record<string, unknown> & { submissions: Record<string, unknown>[]; history: { status: string }[]; lines: unknown[]; findingsList: unknown[] };
    expect(body).toMatchObject({ id: claimIdFor("api-2"), status: "accepted", totalCharge: "300.00", findings: 1, rejection: null });
    expect(body.lines).toEqual([expect.objectContaining({ procedure: { code: "96413", modifiers: [] }, charge: "300.00" })]);
    expect(body.findingsList).toEqual([expect.objectContaining({ code: "JZ_MISSING", confidence: 0.97 })]);
    // The captured claim carries the claim id as its patient control number; it was not corrected.
    expect(body).toMatchObject({ captured: { claimId: claimIdFor("api-2"), patient: null, payer: COM }, corrected: null });
    expect(body.history.map((h) => h.status)).toEqual(["captured", "scrubbed", "submitted", "accepted"]);
    expect(body.submissions).toHaveLength(1);
    expect(body.submissions[0]).toMatchObject({ attempt: 1, state: "answered", outcome: "accepted", reasons: [] });
    expect(body.submissions[0]!.x12Sent).toContain(`CLM*${claimIdFor("api-2")}*300.00`);
    expect(body.submissions[0]!.ack999).toContain("IK5*A");
    expect(body.submissions[0]!.ack277ca).toContain("STC*A2:20:PR");
  });

  it("a rejected claim shows why", async () => {
    const body = (await app.inject({ method: "GET", url: `/v1/claims/${claimIdFor("api-4")}`, headers: keys.staff })).json() as { rejection: { code: string; message: string }[] };
    expect(body.rejection).toEqual([expect.objectContaining({ source: "277CA", code: "A7:562:85", message: expect.stringContaining("National Provider Identifier") })]);
  });

  it("404 for an unknown claim", async () => {
    const res = await app.inject({ method: "GET", url: "/v1/claims/CNOSUCHCLAIM0000", headers: keys.staff });
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });

  it("the OpenAPI document declares both routes", async () => {
    const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/claims", "/v1/claims/{id}"]));
  });
});
