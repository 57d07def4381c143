import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/server/app.js";
import { write837 } from "../../tools/edi/writers/claim-837.js";
import { scrubVisit } from "../../tools/claim/scrub/index.js";
import { loadCodingTables } from "../../tools/coding/coding-tables.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { buildTestApp, keysForRoles } from "../helpers/app.js";
import { VisitRecord } from "../../tools/claim/visit-record.js";
import { cleanOfficeVisit, visit } from "../helpers/visit-records.js";

const parties = { submitter: { name: "S", id: "S1", contactName: "B", phone: "5555550100" }, receiver: { name: "R", id: "R1" } };
const envelope = { senderId: "S1", receiverId: "R1", interchangeControl: 1, groupControl: 1, now: new Date("2026-02-11T10:00:00Z") };

describe.each(DATABASE_KINDS)("POST /v1/claims/scrub on %s", (kind) => {
  let t: TestDatabase;
  let app: App;
  let keys: Awaited<ReturnType<typeof keysForRoles>>;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    ({ app } = await buildTestApp(t.db));
    keys = await keysForRoles(t.db);
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  const post = (payload: string, contentType: string, role: keyof typeof keys = "staff") =>
    app.inject({ method: "POST", url: "/v1/claims/scrub", headers: { ...keys[role], "content-type": contentType }, payload });

  it("scrubs a visit record: findings, the captured and the corrected claim", async () => {
    const record = cleanOfficeVisit();
    record.charges[0] = { ...record.charges[0]!, modifiers: [], ndcQuantity: 200 };
    const res = await post(JSON.stringify(record), "application/json");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ input: "visit-record", checks: "all" });
    expect(body.claims).toHaveLength(1);
    expect(body.claims[0].findings.map((f: { code: string }) => f.code)).toEqual(["JZ_MISSING", "NDC_QUANTITY"]);
    expect(body.claims[0].corrected.lines[0].procedure.modifiers).toEqual(["JZ"]);
    expect(body.claims[0].captured.lines[0].drug.quantity).toBe(200);
    // The same as the tool computes, byte for byte.
    const direct = scrubVisit(VisitRecord.parse(record), loadCodingTables());
    expect(JSON.stringify(body.claims[0].findings)).toBe(JSON.stringify(direct.findings));
  });

  it("a visit with no charges gets its lines added; odd header fields pass through", async () => {
    const record = cleanOfficeVisit();
    record.charges = [];
    record.diagnoses = [{ icd10: "not-a-code", display: null }, ...record.diagnoses];
    record.coverage = { ...record.coverage, payerName: "" };
    const res = await post(JSON.stringify(record), "application/json");
    expect(res.statusCode).toBe(200);
    const claim = res.json().claims[0];
    expect(claim.captured.lines).toEqual([]);
    expect(claim.findings.map((f: { code: string }) => f.code)).toEqual(expect.arrayContaining(["DRUG_NOT_CHARGED", "ADMIN_NOT_CHARGED", "CLAIM_BALANCE"]));
    expect(claim.corrected.lines.map((l: { procedure: { code: string } }) => l.procedure.code)).toEqual(["J9271", "96413"]);
  });

  it("a clean visit is clean", async () => {
    const res = await post(JSON.stringify(cleanOfficeVisit()), "application/json");
    expect(res.json().claims[0]).toMatchObject({ clean: true, findings: [] });
  });

  it("scrubs an 837 in X12 with the claim-only checks, keeping an unbalanced CLM02", async () => {
    const { corrected } = scrubVisit(visit(), loadCodingTables());
    const x12 = write837([corrected], parties, envelope).replace(`CLM*enc-1*${corrected.totalCharge}`, "CLM*enc-1*10.00");
    for (const type of ["application/edi-x12", "text/plain"]) {
      const res = await post(x12, type);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ input: "837", checks: "claim-only" });
      expect(body.claims[0].findings.map((f: { code: string }) => f.code)).toEqual(["CLAIM_BALANCE"]);
      expect(body.claims[0].captured.totalCharge).toBe("10.00");
      expect(body.claims[0].corrected.totalCharge).toBe(corrected.totalCharge);
    }
  });

  it("bad input is a 400 problem naming the field", async () => {
    const record = cleanOfficeVisit() as Record<string, unknown>;
    delete record.dateOfService;
    const res = await post(JSON.stringify(record), "application/json");
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json().detail).toContain("dateOfService");
    const charges = cleanOfficeVisit();
    charges.charges[0] = { ...charges.charges[0]!, units: -1 };
    expect((await post(JSON.stringify(charges), "application/json")).json().detail).toContain("charges.0.units");
    const x12 = await post("ISA*garbage", "application/edi-x12");
    expect(x12.statusCode).toBe(400);
    expect((await post("hello", "text/plain")).statusCode).toBe(400);
    expect((await post("{", "application/json")).statusCode).toBe(400);
  });

  it("needs an API key; council may not use it", async () => {
    const anonymous = await app.inject({ method: "POST", url: "/v1/claims/scrub", headers: { "content-type": "application/json" }, payload: "{}" });
    expect(anonymous.statusCode).toBe(401);
    expect((await post(JSON.stringify(cleanOfficeVisit()), "application/json", "council")).statusCode).toBe(403);
    expect((await post(JSON.stringify(cleanOfficeVisit()), "application/json", "service")).statusCode).toBe(200);
  });

  it("publishes the visit record's JSON schema in /openapi.json", async () => {
    const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json();
    const schema = doc.components.schemas.VisitRecord;
    expect(schema.properties.charges.items.properties.code).toBeDefined();
    expect(schema.required).toContain("dateOfService");
    expect(doc.paths["/v1/claims/scrub"].post).toBeDefined();
  });
});
