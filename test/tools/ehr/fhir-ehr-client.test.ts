import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FhirEhrClient } from "../../../tools/ehr/fhir-ehr-client.js";
import { InvalidFhirError } from "../../../tools/ehr/fhir-mapping.js";
import { HttpFhirTransport } from "../../../tools/ehr/fhir-transport.js";
import { SandboxFhirTransport } from "../../../tools/ehr/sandbox/fhir-handler.js";
import { UpstreamError } from "../../../tools/errors.js";
import type { App } from "../../../src/server/app.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../../helpers/databases.js";
import { buildTestApp, keysForRoles } from "../../helpers/app.js";
import { smallClinicBundle } from "./small-clinic.js";

describe.each(DATABASE_KINDS)("FHIR EHR client against the sandbox server over HTTP on %s", (kind) => {
  let t: TestDatabase;
  let app: App;
  let base: string;
  let client: FhirEhrClient;
  let token: string;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    ({ app } = await buildTestApp(t.db));
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    base = `${url}/sandbox/fhir`;
    token = (await keysForRoles(t.db)).service.authorization.slice("Bearer ".length);
    const imported = await fetch(base, {
      method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/fhir+json" }, body: JSON.stringify(smallClinicBundle()),
    });
    expect(imported.status).toBe(200);
    // A page size of 1 makes every search follow `next` links.
    client = new FhirEhrClient(new HttpFhirTransport({ baseUrl: base, token }), 1);
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  it("lists infusion appointments in a date range, across pages, with their orders", async () => {
    const march = await client.appointments({ from: "2026-03-01", to: "2026-03-05" });
    expect(march).toEqual([
      { appointmentId: "a1", patientId: "p1", start: "2026-03-02T09:00:00Z", dateOfService: "2026-03-02", status: "booked", siteOfCare: "physician-office", orderIds: ["mr1"] },
      { appointmentId: "a2", patientId: "p2", start: "2026-03-03T10:30:00Z", dateOfService: "2026-03-03", status: "booked", siteOfCare: "physician-office", orderIds: ["mr2"] },
    ]);
    expect(await client.appointments({ from: "2026-03-23", to: "2026-03-23" })).toHaveLength(1);
  });

  it("reads patients, orders, coverage, conditions, the MAR and notes", async () => {
    const [p1] = await client.patients(["p1", "p1", "missing"]);
    expect(p1).toMatchObject({ id: "p1", mrn: "MRN-p1", birthDate: "1961-04-02", weightKg: 70, bsaM2: 1.82 });
    const orders = await client.activeMedicationOrders("p2");
    expect(orders[0]).toMatchObject({ hcpcs: "J9035", dose: { value: 1230, unit: "mg" }, supply: "white-bag", cycleDays: 21, route: "iv-infusion", diagnosisCodes: ["C34.90"] });
    expect(await client.coverages("p1")).toEqual([expect.objectContaining({ payerType: "medicare", memberId: "1EG4TE5MK73", planId: "MCR-B", start: "2026-01-01", end: "2026-12-31", payerId: "SBMCR" })]);
    expect((await client.conditions("p1"))[0]?.icd10).toBe("C34.90");
    const mar = await client.medicationAdministrations("e1");
    expect(mar[0]).toMatchObject({ ndc: "00006302602", start: "2026-03-02T09:05:00Z", stop: null, site: "A", wasted: { value: 0, unit: "mg" } });
    expect((await client.clinicalNotes("p1"))[0]?.text).toContain("PD-L1 TPS 60%");
  });

  it("writes a verification and a task back to the chart", async () => {
    const id = await client.writeVerification({
      patientId: "p1", coverageId: "c1", appointmentId: "a1", dateOfService: "2026-03-02", outcome: "complete",
      disposition: "Active Medicare Part B on DOS", inforce: true, benefits: [{ category: "deductible", description: "met" }], requestorRef: "agent:eligibility",
    });
    const stored = await (await fetch(`${base}/CoverageEligibilityResponse/${id}`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(stored).toMatchObject({ resourceType: "CoverageEligibilityResponse", patient: { reference: "Patient/p1" }, insurance: [{ inforce: true }] });
    const taskId = await client.createTask({ patientId: "p1", focusRef: "Appointment/a1", code: "auth-missing", description: "Obtain auth", dueBy: "2026-03-01T00:00:00Z" });
    expect(taskId).toMatch(/\S/);
  });

  it("refuses a search parameter it does not support with an OperationOutcome, and requires a key", async () => {
    const res = await fetch(`${base}/Patient?name=Alex`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ resourceType: "OperationOutcome", issue: [{ expression: ["name"] }] });
    expect((await fetch(`${base}/Patient?_id=p1`)).status).toBe(401);
  });

  it("exports a Bundle that imports back unchanged, and a failed transaction writes nothing", async () => {
    const exported = await (await fetch(`${base}/$export?_type=Patient,Coverage`, { headers: { authorization: `Bearer ${token}` } })).json() as { entry: unknown[] };
    expect(exported.entry).toHaveLength(3);
    const bad = { resourceType: "Bundle", type: "transaction", entry: [
      { resource: { resourceType: "Patient", id: "p9", birthDate: "2000-01-01", name: [{ given: ["X"], family: "Y" }] }, request: { method: "PUT", url: "Patient/p9" } },
      { resource: { resourceType: "Patient", id: "bad id!" }, request: { method: "PUT", url: "Patient/bad" } },
    ] };
    const res = await fetch(base, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/fhir+json" }, body: JSON.stringify(bad) });
    expect(res.status).toBe(400);
    expect(await client.patients(["p9"])).toEqual([]);
  });

  it("the in-process transport answers exactly as the HTTP server does", async () => {
    const local = new FhirEhrClient(new SandboxFhirTransport(t.db.pool), 1);
    expect(await local.appointments({ from: "2026-03-01", to: "2026-03-31" })).toEqual(await client.appointments({ from: "2026-03-01", to: "2026-03-31" }));
  });
});

describe("FHIR client failure handling", () => {
  let server: http.Server;
  let base: string;
  let answers: ((res: http.ServerResponse) => void)[] = [];
  beforeAll(async () => {
    server = http.createServer((_req, res) => (answers.shift() ?? ((r) => r.writeHead(500).end()))(res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const json = (status: number, body: unknown) => (res: http.ServerResponse) => res.writeHead(status, { "content-type": "application/fhir+json" }).end(JSON.stringify(body));
  const noSleep = { sleep: async () => undefined };

  it("retries 503 and 429, then succeeds", async () => {
    answers = [json(503, {}), json(429, {}), json(200, { resourceType: "Bundle", type: "searchset", entry: [] })];
    const client = new FhirEhrClient(new HttpFhirTransport({ baseUrl: base, ...noSleep, maxAttempts: 3 }));
    expect(await client.conditions("p1")).toEqual([]);
    expect(answers).toHaveLength(0);
  });

  it("a search asked again while it is under way is sent once; asked after it answered, it is sent again", async () => {
    const condition = { resourceType: "Condition", id: "c1", subject: { reference: "Patient/p1" }, code: { coding: [{ system: "http://hl7.org/fhir/sid/icd-10-cm", code: "C50.911" }] } };
    const bundle = json(200, { resourceType: "Bundle", type: "searchset", entry: [{ resource: condition }] });
    answers = [bundle, bundle, bundle];
    const client = new FhirEhrClient(new HttpFhirTransport({ baseUrl: base, ...noSleep }));
    const [a, b] = await Promise.all([client.conditions("p1"), client.conditions("p1")]);
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
    expect(answers).toHaveLength(2);
    const [c] = await Promise.all([client.conditions("p1"), client.conditions("p2")]);
    expect(c).toEqual(a);
    expect(answers).toHaveLength(0);
  });

  it("gives up after the last attempt with an upstream error", async () => {
    answers = [json(503, {}), json(503, {})];
    const client = new FhirEhrClient(new HttpFhirTransport({ baseUrl: base, ...noSleep, maxAttempts: 2 }));
    await expect(client.conditions("p1")).rejects.toBeInstanceOf(UpstreamError);
  });

  it("names the resource and field when the server returns invalid FHIR", async () => {
    answers = [json(200, { resourceType: "Bundle", entry: [{ resource: { resourceType: "Coverage", id: "c9", beneficiary: { reference: "Patient/p1" }, payor: [], status: 7 } }] })];
    const client = new FhirEhrClient(new HttpFhirTransport({ baseUrl: base, ...noSleep }));
    const error = await client.coverages("p1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidFhirError);
    expect((error as Error).message).toBe("Coverage/c9 is missing or has invalid status");
  });

  it("refuses a non-JSON answer and a next link that leaves the server", async () => {
    answers = [(res) => res.writeHead(200).end("<html>")];
    const client = new FhirEhrClient(new HttpFhirTransport({ baseUrl: base, ...noSleep }));
    await expect(client.conditions("p1")).rejects.toThrow(/non-JSON/);
    answers = [json(200, { resourceType: "Bundle", entry: [], link: [{ relation: "next", url: "http://elsewhere.invalid/x" }] })];
    await expect(client.conditions("p1")).rejects.toThrow(/outside/);
  });
});
