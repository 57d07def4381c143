import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCodingTables } from "../../../../tools/coding/coding-tables.js";
import { VisitRecord } from "../../../../tools/claim/visit-record.js";
import { FhirEhrClient } from "../../../../tools/ehr/fhir-ehr-client.js";
import { SandboxFhirTransport } from "../../../../tools/ehr/sandbox/fhir-handler.js";
import { loadPayerConfig } from "../../../../tools/payer/sandbox/payer-config.js";
import { generateClinic } from "../../../../tools/sandbox/clinic-generator.js";
import { loadRegimens } from "../../../../tools/sandbox/regimens.js";
import { seedSandbox } from "../../../../tools/sandbox/seed-sandbox.js";
import { CLINIC_MAR_DEFECTS_OFF, plantContext } from "../../../../tools/sandbox/visits/generate.js";
import { withCapturedCharges } from "../../../../tools/sandbox/visits/seed-visits.js";
import { ConfigError, loadConfig } from "../../../../src/config.js";
import { seedClinic } from "../../../../src/sandbox/sandbox-world.js";
import { DEFAULT_CHARGE_ERROR_RATE } from "../../../../tools/sandbox/visits/charge-errors.js";
import { testConfig } from "../../../helpers/app.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../../../helpers/databases.js";

const tables = loadCodingTables();
const ctx = plantContext(tables);
const AS_OF = "2026-03-02";

describe.each(DATABASE_KINDS)("the sandbox after the visit, seeded, read back through the EHR client on %s", (kind) => {
  let t: TestDatabase;
  const generated = generateClinic({ patients: 30, weeks: 2, seed: 9, asOf: AS_OF, defects: CLINIC_MAR_DEFECTS_OFF }, loadPayerConfig(), loadRegimens(), ctx.drugs);
  // High rates so the seeded EHR holds planted MAR changes (stop times gone, hydration added) as well as line errors.
  const { clinic, visits } = withCapturedCharges(generated, { ctx, rates: { default: 0.15 } });
  let ehr: FhirEhrClient;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await seedSandbox(t.db.pool, clinic, { id: "seed-9", meta: {} });
    ehr = new FhirEhrClient(new SandboxFhirTransport(t.db.pool));
  });
  afterAll(async () => t.drop());

  it("captures every past visit, and no future one", () => {
    const past = generated.truth.filter((x) => x.dateOfService < AS_OF);
    expect(visits.length).toBe(past.length);
    expect(visits.length).toBeGreaterThan(20);
    expect(visits.some((v) => v.truth.length > 0)).toBe(true);
    expect(visits.some((v) => v.truth.some((e) => e.kind === "stop-time-missing" || e.kind === "hydration-concurrent" || e.kind === "ncci-no-modifier"))).toBe(true);
    for (const v of visits) expect(() => VisitRecord.parse(v.record)).not.toThrow();
    expect(clinic.truth.filter((x) => x.charges !== undefined).length).toBe(visits.length);
    expect(clinic.truth.filter((x) => x.dateOfService >= AS_OF).every((x) => x.charges === undefined)).toBe(true);
  });

  it("finds the visits whose charges are captured in a date range", async () => {
    const found = await ehr.findCapturedVisits({ from: clinic.range.from, to: AS_OF });
    expect(found.map((f) => f.encounterId)).toEqual(visits.map((v) => v.record.visitId).sort((a, b) => {
      const da = visits.find((v) => v.record.visitId === a)!.record.dateOfService;
      const db = visits.find((v) => v.record.visitId === b)!.record.dateOfService;
      return da.localeCompare(db) || a.localeCompare(b);
    }));
    for (const f of found) {
      const v = visits.find((x) => x.record.visitId === f.encounterId)!.record;
      expect(f).toMatchObject({ patientId: v.patient.id, dateOfService: v.dateOfService, siteOfCare: v.siteOfCare, chargeCount: v.charges.length });
    }
    const oneDay = visits[0]!.record.dateOfService;
    const day = await ehr.findCapturedVisits({ from: oneDay, to: oneDay });
    expect(day.map((d) => d.encounterId).sort()).toEqual(visits.filter((v) => v.record.dateOfService === oneDay).map((v) => v.record.visitId).sort());
    expect(await ehr.findCapturedVisits({ from: AS_OF, to: clinic.range.to })).toEqual([]);
  });

  it("reads each visit back exactly as generated: encounter and diagnoses, MAR (planted changes included), charges", async () => {
    for (const { record } of visits) {
      const visit = (await ehr.getVisit(record.visitId))!;
      expect(visit.encounter).toMatchObject({ id: record.visitId, patientId: record.patient.id, dateOfService: record.dateOfService, siteOfCare: record.siteOfCare, status: "finished" });
      expect(visit.encounter.diagnoses.map((d) => d.icd10)).toEqual(record.diagnoses.map((d) => d.icd10));
      expect(visit.charges).toEqual([...record.charges].sort((a, b) => a.id.localeCompare(b.id)));
      const mar = record.administrations.map(({ acquired340b: _, concentration: _c, ...a }) => a).sort((a, b) => (a.start ?? "").localeCompare(b.start ?? "") || a.id.localeCompare(b.id));
      expect(visit.administrations).toEqual(mar);
    }
  });

  it("keeps the truth with the seed", async () => {
    const { rows } = await t.db.pool.query<{ truth: { appointmentId: string; charges?: { encounterId: string; errors: unknown[] } }[] }>("SELECT truth FROM sandbox_seeds");
    const stored = rows[0]!.truth.filter((x) => x.charges !== undefined);
    expect(stored.length).toBe(visits.length);
    for (const s of stored) expect(s.charges!.errors).toEqual(JSON.parse(JSON.stringify(visits.find((v) => v.record.visitId === s.charges!.encounterId)!.truth)));
  });

  it("answers null for an unknown encounter and bad input (400) for an id that cannot be one", async () => {
    expect(await ehr.getVisit("no-such-encounter")).toBeNull();
    await expect(ehr.getVisit("bad id/../x")).rejects.toMatchObject({ status: 400 });
    await expect(ehr.findCapturedVisits({ from: "2026-03-09", to: "2026-03-01" })).rejects.toMatchObject({ status: 400 });
    await expect(ehr.findCapturedVisits({ from: "yesterday", to: "2026-03-01" })).rejects.toMatchObject({ status: 400 });
  });

  it("refuses an invalid ChargeItem with a 400 OperationOutcome, and a malformed stored one fails as INVALID_FHIR", async () => {
    const transport = new SandboxFhirTransport(t.db.pool);
    const { record } = visits[0]!;
    const bad = await transport.request("PUT", "ChargeItem/bad-1", { resourceType: "ChargeItem", id: "bad-1", status: "billable", subject: { reference: `Patient/${record.patient.id}` } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ resourceType: "OperationOutcome", issue: [{ expression: ["ChargeItem.code"] }] });
    const badQty = await transport.request("PUT", "ChargeItem/bad-2", { resourceType: "ChargeItem", id: "bad-2", status: "billable", code: { coding: [{ code: "J9271" }] }, subject: { reference: "Patient/x" }, quantity: { value: "200" } });
    expect(badQty.status).toBe(400);
    // Shape-valid FHIR that is not a valid captured charge (a 6-character code, no date of service): the client's zod check names it.
    const odd = await transport.request("PUT", "ChargeItem/odd-1", {
      resourceType: "ChargeItem", id: "odd-1", status: "billable", code: { coding: [{ code: "J92710" }] }, subject: { reference: `Patient/${record.patient.id}` },
      context: { reference: `Encounter/${record.visitId}` }, quantity: { value: 1 }, priceOverride: { value: 1, currency: "USD" },
    });
    expect(odd.status).toBe(200);
    await expect(ehr.getVisit(record.visitId)).rejects.toMatchObject({ code: "INVALID_FHIR" });
  });
});

describe.each(DATABASE_KINDS)("the service's sandbox seeding captures the past visits' charges on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => t.drop());

  it("at SANDBOX_CHARGE_ERROR_RATE=0 every captured visit is clean; at 0.3 some carry planted errors; the rate is validated", async () => {
    const ehr = new FhirEhrClient(new SandboxFhirTransport(t.db.pool));
    const truthOf = async () => (await t.db.pool.query<{ truth: { dateOfService: string; charges?: { errors: unknown[] } }[] }>("SELECT truth FROM sandbox_seeds")).rows[0]!.truth;
    await seedClinic(t.db.pool, testConfig({ SANDBOX_CHARGE_ERROR_RATE: "0" }), tables, { patients: 15, weeks: 2, seed: 4, asOf: AS_OF });
    const found = await ehr.findCapturedVisits({ from: "2026-01-01", to: AS_OF });
    const clean = await truthOf();
    expect(found.length).toBe(clean.filter((x) => x.dateOfService < AS_OF).length);
    expect(found.length).toBeGreaterThan(5);
    expect(clean.filter((x) => x.charges !== undefined).every((x) => x.charges!.errors.length === 0)).toBe(true);
    await seedClinic(t.db.pool, testConfig({ SANDBOX_CHARGE_ERROR_RATE: "0.3" }), tables, { patients: 15, weeks: 2, seed: 4, asOf: AS_OF });
    expect((await truthOf()).some((x) => (x.charges?.errors.length ?? 0) > 0)).toBe(true);
    expect(() => loadConfig({ SANDBOX_CHARGE_ERROR_RATE: "1.5" })).toThrow(ConfigError);
    expect(loadConfig({}).sandbox.chargeErrorRate).toBe(DEFAULT_CHARGE_ERROR_RATE);
  });
});
