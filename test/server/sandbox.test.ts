import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCodingTables } from "../../tools/coding/coding-tables.js";
import { parseX12 } from "../../tools/edi/parse.js";
import type { Eligibility271 } from "../../tools/edi/readers/eligibility-271.js";
import { readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Ack999 } from "../../tools/edi/readers/acknowledgments.js";
import { write278Response } from "../../tools/edi/writers/authorization.js";
import { write837 } from "../../tools/edi/writers/claim-837.js";
import { write270 } from "../../tools/edi/writers/eligibility.js";
import { write999 } from "../../tools/edi/writers/remittance.js";
import { officeClaim } from "../tools/edi/claims.js";
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
    // Room for a 10 MB hostile element (the default body limit is 10 MB).
    const config = testConfig({ BODY_LIMIT_BYTES: String(16 * 1024 * 1024) });
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
  const post = (payload: string) => app.inject({ method: "POST", url: "/sandbox/payer/x12", headers: { ...keys.service, "content-type": "application/edi-x12" }, payload });
  const envelope = { senderId: "INFUSIONRCM", receiverId: "SANDBOXPAYER", interchangeControl: 5, groupControl: 5, now: new Date("2026-02-27T09:00:00Z") };

  /** The payer's answer to something it does not take: a 999 rejecting the set, or a 400 problem. Never a 500. */
  function expectRefused(res: Awaited<ReturnType<typeof post>>, type: string) {
    if (res.statusCode === 400) {
      expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
      expect(res.json()).toMatchObject({ code: "INVALID_X12" });
      return;
    }
    expect(res.statusCode).toBe(200);
    const parsed = parseX12(res.body);
    expect(parsed.issues).toEqual([]);
    const ack = parsed.transactions[0]!.data as Ack999;
    expect(parsed.transactions[0]!.type).toBe("999");
    expect(ack.groupStatus).toBe("R");
    expect(ack.transactions).toEqual([expect.objectContaining({ type, status: "R", accepted: false })]);
  }

  it("refuses a transaction it does not take (a 278 response, an 835, a 999, an unknown set) with a 999 rejection, never a 500", async () => {
    const response278 = write278Response({ trace: "T1", traceOriginator: "9123456789", umo: { name: "P", idQualifier: "PI", id: "SBCOM1" }, subscriber: { lastName: "X", firstName: "Y", memberId: "M1" },
      decisions: [{ level: "event", action: "A1", authorizationNumber: "A1", reason: null, procedure: null, quantity: null, quantityQualifier: null, certifiedFrom: null, certifiedTo: null, diagnoses: [], messages: [] }], rejections: [] }, envelope);
    expectRefused(await post(response278), "278");
    expectRefused(await post(readFileSync(path.resolve(import.meta.dirname, "../fixtures/x12/hand-denials.835"), "latin1")), "835");
    const ack = write999({ functionalId: "HC", groupControl: "1", groupStatus: "A", transactions: [{ type: "837", controlNumber: "0001", status: "A", accepted: true, codes: [], errors: [] }], counts: { included: 1, received: 1, accepted: 1 } }, envelope);
    expectRefused(await post(ack), "999");
    const unknown = write270({ trace: "T2", payer: { name: "P", id: "SBCOM1" }, provider: { name: "C", npi: "1234567893" }, subscriber: { lastName: "X", firstName: "Y", memberId: "M", birthDate: null }, dateOfService: null, serviceTypes: ["30"], procedures: [] }, envelope)
      .replace("ST*270*", "ST*ZZZ*");
    expectRefused(await post(unknown), "ZZZ");
  });

  /** Best of three: the first request also warms the route for a body this size, and the machine is shared. */
  async function bestOf(payload: string): Promise<{ ms: number; res: Awaited<ReturnType<typeof post>> }> {
    let ms = Infinity;
    let res: Awaited<ReturnType<typeof post>> | null = null;
    for (let i = 0; i < 3; i += 1) {
      const started = performance.now();
      res = await post(payload);
      ms = Math.min(ms, performance.now() - started);
    }
    return { ms, res: res! };
  }

  it.each([
    ["claim amount (CLM02)", "CLM*SBX-CLM-0001*16950.00*", (d: string) => `CLM*SBX-CLM-0001*${d}*`, "CLM", "2"],
    ["service units (SV104)", "SV1*HC:J9271:JZ*14500.00*UN*200*", (d: string) => `SV1*HC:J9271:JZ*14500.00*UN*${d}*`, "SV1", "4"],
  ])("a 10 MB %s of digits ending in a letter gets a 999 rejection through the route; the payer handles it in < 100 ms", async (_what, from, to, segmentId, position) => {
    const claim = write837([officeClaim], { submitter: { name: "S", id: "S1", contactName: "B", phone: "5555550100" }, receiver: { name: "R", id: "R1" } }, envelope);
    const hostile = claim.replace(from, to(`${"1".repeat(10 * 1024 * 1024)}A`));
    const { ms, res } = await bestOf(hostile);
    expect(res.statusCode).toBe(200);
    const ack = parseX12(res.body).transactions[0]!.data as Ack999;
    expect(ack.transactions[0]).toMatchObject({ status: "R", accepted: false });
    expect(ack.transactions[0]!.errors).toContainEqual(expect.objectContaining({ segmentId, elements: [expect.objectContaining({ position })] }));
    // The payer's handling of it (read, grammar, 999) is under 100 ms. Through HTTP, receiving a
    // 10 MB body (inject, auth, the content parser) costs 100–450 ms on this shared machine —
    // the same as a 10 MB body that is not X12 at all, refused at its first byte — so the route
    // is held to a bound no superlinear reader could meet (before: 100 KB took 9.5 s).
    let handled = Infinity;
    for (let i = 0; i < 2; i += 1) {
      const started = performance.now();
      await app.sandboxPayer!.handle(hostile);
      handled = Math.min(handled, performance.now() - started);
    }
    expect(handled).toBeLessThan(100);
    expect(ms).toBeLessThan(1500);
  });
});
