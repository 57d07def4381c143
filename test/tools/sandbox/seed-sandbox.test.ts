import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
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

describe.each(DATABASE_KINDS)("seeding the sandbox once per database on %s", (kind) => {
  let t: TestDatabase | undefined;
  const clinic = generateClinic({ patients: 10, weeks: 2, seed: 5, asOf: "2026-03-02" }, loadPayerConfig(), loadRegimens(), fixtureDrugFacts);
  const auth = clinic.authorizations.find((a) => a.patientId !== undefined)!;
  afterEach(async () => {
    await t?.drop();
    t = undefined;
  });

  /** What a sweep writes after the clinic is loaded: a visit drawn from an authorization on file. */
  async function sweepWrites(pool: TestDatabase["db"]["pool"]): Promise<void> {
    await pool.query(
      "INSERT INTO authorization_usage (payer_id, auth_number, appointment_id, date_of_service, units) VALUES ($1, $2, 'apt-swept', $3, 1)",
      [auth.payerId, auth.authNumber, auth.start],
    );
  }

  it("two instances seeding at once load one clinic, once; what is written after the first survives the second", async () => {
    t = await createTestDatabase(kind);
    const pool = t.db.pool;
    expect(auth).toBeDefined();
    // Each instance found no clinic when it started; the first to load one writes as its sweep would.
    const [first, second] = await Promise.all([
      seedSandbox(pool, clinic, { id: "instance-1", meta: {}, ifEmpty: true }).then(async (seeded) => {
        if (seeded) await sweepWrites(pool);
        return seeded;
      }),
      seedSandbox(pool, clinic, { id: "instance-2", meta: {}, ifEmpty: true }).then(async (seeded) => {
        if (seeded) await sweepWrites(pool);
        return seeded;
      }),
    ]);
    expect([first, second].sort()).toEqual([false, true]);
    const { rows } = await pool.query("SELECT id FROM sandbox_seeds");
    expect(rows).toEqual([{ id: first ? "instance-1" : "instance-2" }]);
    const resources = await pool.query("SELECT count(*)::int AS n FROM fhir_resources");
    expect(resources.rows[0].n).toBe(clinic.bundle.entry.length);
    const usage = await pool.query("SELECT appointment_id FROM authorization_usage");
    expect(usage.rows).toEqual([{ appointment_id: "apt-swept" }]);
  });

  it("an instance that found no clinic at start, loading its own after another seeded and swept, leaves the clinic and the sweep's rows alone", async () => {
    t = await createTestDatabase(kind);
    const pool = t.db.pool;
    expect(await seedSandbox(pool, clinic, { id: "instance-1", meta: {}, ifEmpty: true })).toBe(true);
    await sweepWrites(pool);
    expect(await seedSandbox(pool, clinic, { id: "instance-2", meta: {}, ifEmpty: true })).toBe(false);
    expect((await pool.query("SELECT id FROM sandbox_seeds")).rows).toEqual([{ id: "instance-1" }]);
    expect((await pool.query("SELECT appointment_id FROM authorization_usage")).rows).toEqual([{ appointment_id: "apt-swept" }]);
    // Without `ifEmpty` (the `sandbox seed` command) a seeding still replaces the clinic.
    expect(await seedSandbox(pool, clinic, { id: "reseeded", meta: {} })).toBe(true);
    expect((await pool.query("SELECT id FROM sandbox_seeds")).rows).toEqual([{ id: "reseeded" }]);
    expect((await pool.query("SELECT count(*)::int AS n FROM authorization_usage")).rows[0].n).toBe(0);
  });
});
