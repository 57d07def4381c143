import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FhirEhrClient } from "../../../tools/ehr/fhir-ehr-client.js";
import { SandboxFhirTransport } from "../../../tools/ehr/sandbox/fhir-handler.js";
import { loadPayerConfig } from "../../../tools/payer/sandbox/payer-config.js";
import { generateClinic } from "../../../tools/sandbox/clinic-generator.js";
import { loadRegimens } from "../../../tools/sandbox/regimens.js";
import { sandboxSeeded, seedSandbox } from "../../../tools/sandbox/seed-sandbox.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../../helpers/databases.js";
import { fixtureDrugFacts } from "./drug-facts-fixture.js";

describe.each(DATABASE_KINDS)("seeding the sandbox on %s", (kind) => {
  let t: TestDatabase;
  const clinic = generateClinic({ patients: 25, weeks: 4, seed: 3, asOf: "2026-03-02" }, loadPayerConfig(), loadRegimens(), fixtureDrugFacts);
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => t.drop());

  it("loads the clinic so the EHR client sees exactly the generated schedule, orders and coverage", async () => {
    expect(await sandboxSeeded(t.db.pool)).toBe(false);
    await seedSandbox(t.db.pool, clinic, { id: "seed-3", meta: { patients: 25 } });
    expect(await sandboxSeeded(t.db.pool)).toBe(true);
    const ehr = new FhirEhrClient(new SandboxFhirTransport(t.db.pool));
    const appointments = await ehr.appointments(clinic.range);
    expect(appointments.map((a) => a.appointmentId).sort()).toEqual(clinic.truth.map((x) => x.appointmentId).sort());
    const first = clinic.truth[0]!;
    const orders = await ehr.activeMedicationOrders(first.patientId);
    expect(orders.map((o) => o.hcpcs).sort()).toEqual(first.drugs.map((d) => d.hcpcs).sort());
    const members = await t.db.pool.query("SELECT count(*)::int AS n FROM payer_members");
    expect(members.rows[0].n).toBe(25);
  });

  it("copies the payer's authorizations into the clinic's ledger, on file, with the patient and the units used before", async () => {
    expect(clinic.authorizations.length).toBeGreaterThan(0);
    const { rows } = await t.db.pool.query(
      `SELECT auth_number, patient_id, units_approved, units_used_prior, to_char(end_date, 'YYYY-MM-DD') AS end_date, source FROM authorizations ORDER BY auth_number`);
    expect(rows).toEqual([...clinic.authorizations].sort((a, b) => a.authNumber.localeCompare(b.authNumber)).map((a) => ({
      auth_number: a.authNumber, patient_id: a.patientId, units_approved: a.unitsApproved, units_used_prior: a.unitsUsed, end_date: a.end, source: "on-file",
    })));
    const truth = clinic.truth.find((x) => x.drugs.some((d) => d.authValid === true))!;
    const drug = truth.drugs.find((d) => d.authValid === true)!;
    const ledger = await t.db.pool.query("SELECT count(*)::int AS n FROM authorizations WHERE patient_id = $1 AND hcpcs = $2", [truth.patientId, drug.hcpcs]);
    expect(ledger.rows[0].n).toBe(1);
  });

  it("reseeding replaces everything, and a failing seed leaves the previous one intact", async () => {
    const broken = { ...clinic, members: [...clinic.members, { ...clinic.members[0]! }] };
    await expect(seedSandbox(t.db.pool, broken, { id: "seed-dup", meta: {} })).rejects.toThrow();
    const { rows } = await t.db.pool.query("SELECT id FROM sandbox_seeds");
    expect(rows).toEqual([{ id: "seed-3" }]);
    const count = await t.db.pool.query("SELECT count(*)::int AS n FROM fhir_resources");
    expect(count.rows[0].n).toBe(clinic.bundle.entry.length);
  });
});
