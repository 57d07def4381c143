import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadVisitChart, loadVisitCharts, primaryCoverage, type VisitChart } from "../../agents/shared/chart.js";
import type { EhrClient } from "../../tools/ehr/ehr-client.js";
import { FhirEhrClient } from "../../tools/ehr/fhir-ehr-client.js";
import type { FhirTransport } from "../../tools/ehr/fhir-transport.js";
import { SandboxFhirTransport } from "../../tools/ehr/sandbox/fhir-handler.js";
import { putResource } from "../../tools/ehr/sandbox/fhir-store.js";
import { NotFoundError } from "../../tools/errors.js";
import { seedGeneratedClinic } from "../../src/sandbox/harness.js";
import { appointmentResource, coverageResource } from "../../tools/sandbox/fhir-builders.js";
import type { SandboxClinic } from "../../tools/sandbox/world.js";
import { countingPool } from "../helpers/counting-pool.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";

/** The chart as `loadVisitChart` read it before the bulk reads: five single-patient EHR calls. */
async function chartOneByOne(ehr: EhrClient, appointmentId: string): Promise<VisitChart> {
  const appointment = await ehr.appointment(appointmentId);
  if (appointment === null) throw new NotFoundError(`No appointment ${appointmentId} in the EHR`);
  const [patients, orders, coverages, diagnoses] = await Promise.all([
    ehr.patients([appointment.patientId]),
    ehr.activeMedicationOrders(appointment.patientId),
    ehr.coverages(appointment.patientId),
    ehr.conditions(appointment.patientId),
  ]);
  const patient = patients[0];
  if (patient === undefined) throw new NotFoundError(`No patient ${appointment.patientId} for appointment ${appointmentId}`);
  const wanted = new Set(appointment.orderIds);
  return { appointment, patient, diagnoses, orders: orders.filter((o) => wanted.has(o.id)), coverage: primaryCoverage(coverages) };
}

/** A transport that counts its requests. */
function countingTransport(inner: FhirTransport): FhirTransport & { requests: string[] } {
  const requests: string[] = [];
  return { requests, request: (method, path, body) => { requests.push(`${method} ${path}`); return inner.request(method, path, body); } };
}

/** An EHR client that counts the calls made on it. */
function countingEhr(inner: EhrClient): { ehr: EhrClient; calls: string[] } {
  const calls: string[] = [];
  const ehr = new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => { calls.push(String(prop)); return (value as (...a: unknown[]) => unknown).apply(target, args); };
    },
  });
  return { ehr, calls };
}

/** Records in id order (a bulk read returns many patients' records in no particular order). */
const byId = <T extends { id: string }>(records: T[]): T[] => [...records].sort((a, b) => a.id.localeCompare(b.id));

describe.each(DATABASE_KINDS)("visit charts read in bulk on %s", (kind) => {
  let t: TestDatabase;
  let clinic: SandboxClinic;
  let ehr: FhirEhrClient;
  let ids: string[];

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    clinic = await seedGeneratedClinic(t.db, { patients: 30, weeks: 4, seed: 7, asOf: "2026-03-02" });
    const [first, second] = clinic.truth;
    // A visit whose patient is not in the EHR, and a secondary (and an older primary) coverage so the primary choice matters.
    await putResource(t.db.pool, appointmentResource({ id: "orphan", patientId: "ghost", start: "2026-03-04T09:00:00Z", end: "2026-03-04T10:00:00Z", orderIds: [], site: "physician-office", status: "booked" }));
    const coverage = (id: string, patientId: string, start: string, order: number) => ({
      ...coverageResource({ id, patientId, payerId: "SBCOM1", payerName: "Sandbox Commercial Health", payerType: "commercial", memberId: `M-${id}`,
        planId: "COM-PPO", planName: "PPO", start, end: "2027-12-31", active: true }),
      order,
    });
    await putResource(t.db.pool, coverage("cov-secondary", first!.patientId, "1990-01-01", 2));
    await putResource(t.db.pool, coverage("cov-other-primary", second!.patientId, "1990-01-01", 1));
    ehr = new FhirEhrClient(new SandboxFhirTransport(t.db.pool));
    ids = [...clinic.truth.map((x) => x.appointmentId), "orphan", "no-such-appointment"];
  });
  afterAll(async () => t.drop());

  it("reads the same chart for every appointment as reading them one by one, a missing appointment or patient as a NotFoundError", async () => {
    expect(clinic.truth.length).toBeGreaterThan(50);
    const charts = await loadVisitCharts(ehr, [...ids, ids[0]!]);
    expect([...charts.keys()]).toEqual(ids);
    for (const id of ids) {
      const chart = charts.get(id);
      const alone = await chartOneByOne(ehr, id).catch((e: unknown) => e);
      expect(chart, id).toEqual(alone);
      if (alone instanceof Error) {
        expect(chart).toBeInstanceOf(NotFoundError);
        expect((chart as Error).message).toBe((alone as Error).message);
        await expect(loadVisitChart(ehr, id)).rejects.toThrow((alone as Error).message);
      } else {
        expect(await loadVisitChart(ehr, id)).toEqual(alone);
      }
    }
    expect((charts.get("orphan") as Error).message).toBe("No patient ghost for appointment orphan");
    expect((charts.get("no-such-appointment") as Error).message).toBe("No appointment no-such-appointment in the EHR");
    // The planted coverages: the secondary is not chosen, and the earlier-starting primary is.
    const [first, second] = clinic.truth;
    const firstChart = [...charts.values()].find((c): c is VisitChart => !(c instanceof Error) && c.patient.id === first!.patientId)!;
    expect(firstChart.coverage?.order).toBe(1);
    const secondChart = [...charts.values()].find((c): c is VisitChart => !(c instanceof Error) && c.patient.id === second!.patientId)!;
    expect(secondChart.coverage?.id).toBe("cov-other-primary");
    expect(await loadVisitCharts(ehr, [])).toEqual(new Map());
  });

  it("makes five EHR calls, five FHIR searches and five SQL statements whatever the number of appointments", async () => {
    const measure = async (some: string[]) => {
      const sql = countingPool(t.db.pool);
      const transport = countingTransport(new SandboxFhirTransport(sql.pool));
      const { ehr: counted, calls } = countingEhr(new FhirEhrClient(transport));
      const charts = await loadVisitCharts(counted, some);
      expect(charts.size).toBe(some.length);
      return { calls: calls.length, requests: transport.requests.length, statements: sql.statements() };
    };
    const one = await measure(ids.slice(0, 1));
    const ten = await measure(ids.slice(0, 10));
    const all = await measure(ids);
    expect(ids.length).toBeLessThanOrEqual(100); // one search per kind; more ids are chunked 100 per search
    expect(one).toEqual({ calls: 5, requests: 5, statements: 5 });
    expect(ten).toEqual(one);
    expect(all).toEqual(one);
  });

  it("the bulk reads chunk long id lists and follow pages, returning what the single reads return", async () => {
    const transport = countingTransport(new SandboxFhirTransport(t.db.pool));
    const paged = new FhirEhrClient(transport, 7);
    const patientIds = [...new Set(clinic.truth.map((x) => x.patientId))];
    const padded = [...patientIds, ...Array.from({ length: 150 }, (_, i) => `absent-${i}`)];
    const orders = await paged.activeMedicationOrdersFor(padded);
    expect(transport.requests.filter((r) => r.includes("_offset")).length).toBeGreaterThan(0);
    expect(transport.requests.every((r) => r.includes("MedicationRequest?"))).toBe(true);
    const one = await Promise.all(patientIds.map((p) => ehr.activeMedicationOrders(p)));
    expect(byId(orders)).toEqual(byId(one.flat()));
    const coverages = await paged.coveragesFor(padded);
    expect(byId(coverages)).toEqual(byId((await Promise.all(patientIds.map((p) => ehr.coverages(p)))).flat()));
    const diagnoses = await paged.conditionsFor(padded);
    expect(byId(diagnoses)).toEqual(byId((await Promise.all(patientIds.map((p) => ehr.conditions(p)))).flat()));
    const appointmentIds = clinic.truth.map((x) => x.appointmentId);
    const appointments = await paged.appointmentsById([...appointmentIds, "no-such-appointment"]);
    const single = await Promise.all(appointmentIds.map((id) => ehr.appointment(id)));
    expect(appointments.map((a) => ({ ...a, id: a.appointmentId })).sort((a, b) => a.id.localeCompare(b.id)))
      .toEqual(byId(single.map((a) => ({ ...a!, id: a!.appointmentId }))));
    transport.requests.length = 0;
    expect(await new FhirEhrClient(transport).conditionsFor(Array.from({ length: 250 }, (_, i) => `absent-${i}`))).toEqual([]);
    expect(transport.requests).toHaveLength(3);
    expect(await new FhirEhrClient(transport).conditionsFor([])).toEqual([]);
    expect(transport.requests).toHaveLength(3);
  });
});
