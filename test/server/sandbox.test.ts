import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCodingTables } from "../../tools/coding/coding-tables.js";
import { parseX12 } from "../../tools/edi/parse.js";
import type { Eligibility271 } from "../../tools/edi/readers/eligibility-271.js";
import { write270 } from "../../tools/edi/writers/eligibility.js";
import { FhirEhrClient } from "../../tools/ehr/fhir-ehr-client.js";
import { SandboxFhirTransport } from "../../tools/ehr/sandbox/fhir-handler.js";
import { SandboxPayer } from "../../tools/payer/sandbox/sandbox-payer.js";
import { loadPayerConfig } from "../../tools/payer/sandbox/payer-config.js";
import type { App } from "../../src/server/app.js";
import { Readiness } from "../../src/db/readiness.js";
import { buildApp } from "../../src/server/app.js";
import { createLogger } from "../../src/logger.js";
import { seedClinic } from "../../src/sandbox/sandbox-world.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { keysForRoles, testConfig, testRuntime } from "../helpers/app.js";

describe.each(DATABASE_KINDS)("sandbox world through the service on %s", (kind) => {
  let t: TestDatabase;
  let app: App;
  let keys: Awaited<ReturnType<typeof keysForRoles>>;
  const tables = loadCodingTables();

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const config = testConfig();
    await seedClinic(t.db.pool, config, tables, { patients: 30, weeks: 4, seed: 42, asOf: "2026-03-02" });
    const logger = createLogger({ level: "silent" });
    const readiness = new Readiness(t.db, logger);
    readiness.markMigrated();
    const sandboxPayer = new SandboxPayer({ pool: t.db.pool, config: loadPayerConfig(), tables, now: () => new Date("2026-02-27T09:00:00Z") });
    app = await buildApp(config, { logger, readiness, runtime: await testRuntime(t.db, logger), sandboxPayer });
    keys = await keysForRoles(t.db);
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  it("the seeded clinic (drug facts from the real catalogue and crosswalk) is readable through the EHR client", async () => {
    const ehr = new FhirEhrClient(new SandboxFhirTransport(t.db.pool));
    const visits = await ehr.appointments({ from: "2026-03-02", to: "2026-03-08" });
    expect(visits.length).toBeGreaterThan(0);
    const orders = await ehr.activeMedicationOrders(visits[0]!.patientId);
    expect(orders.every((o) => o.hcpcs !== null && tables.drugs.byCode(o.hcpcs) !== undefined)).toBe(true);
  });

  it("POST /sandbox/payer/x12 answers a 270 with a 271 that validates", async () => {
    const { rows } = await t.db.pool.query("SELECT payer_id, member_id FROM payer_members ORDER BY member_id LIMIT 1");
    const m = rows[0] as { payer_id: string; member_id: string };
    const request = write270({ trace: "HTTP-1", payer: { name: "P", id: m.payer_id }, provider: { name: "SANDBOX INFUSION CENTER", npi: "1234567893" },
      subscriber: { lastName: "X", firstName: "Y", memberId: m.member_id, birthDate: null }, dateOfService: "2026-03-02", serviceTypes: ["30"], procedures: [] },
      { senderId: "INFUSIONRCM", receiverId: "SANDBOXPAYER", interchangeControl: 1, groupControl: 1, now: new Date() });
    const res = await app.inject({ method: "POST", url: "/sandbox/payer/x12", headers: { ...keys.service, "content-type": "application/edi-x12" }, payload: request });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/application\/edi-x12/);
    const parsed = parseX12(res.body);
    expect(parsed.issues).toEqual([]);
    expect((parsed.transactions[0]!.data as Eligibility271).subjects[0]!.memberId).toBe(m.member_id);
  });

  it("refuses non-X12 with a typed 400 and staff keys with 403", async () => {
    const bad = await app.inject({ method: "POST", url: "/sandbox/payer/x12", headers: { ...keys.service, "content-type": "text/plain" }, payload: "hello" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: "INVALID_X12" });
    expect((await app.inject({ method: "POST", url: "/sandbox/payer/x12", headers: { ...keys.staff, "content-type": "text/plain" }, payload: "x" })).statusCode).toBe(403);
  });
});
