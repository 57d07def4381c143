import type * as R4 from "fhir/r4.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insuredParties, loadVisitCharts, type VisitChart } from "../../../agents/shared/chart.js";
import { SYSTEM } from "../../../tools/ehr/fhir-conventions.js";
import { FhirEhrClient } from "../../../tools/ehr/fhir-ehr-client.js";
import { toCoverage } from "../../../tools/ehr/fhir-mapping.js";
import { SandboxFhirTransport } from "../../../tools/ehr/sandbox/fhir-handler.js";
import { putResource } from "../../../tools/ehr/sandbox/fhir-store.js";
import { appointmentResource, coverageResource, patientResource } from "../../../tools/sandbox/fhir-builders.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../../helpers/databases.js";

const base = { patientId: "p1", payerId: "SBCOM1", payerName: "Sandbox Commercial Health", payerType: "commercial", memberId: "W123456789", planId: "COM-PPO", planName: "PPO", start: "2026-01-01", end: null, active: true };
const holder = { relationship: "spouse", first: "Robin", last: "Holder", birthDate: "1956-07-11", gender: "male" };
const patient: VisitChart["patient"] = { id: "p1", mrn: null, firstName: "Alex", lastName: "Holder", birthDate: "1958-04-02", gender: "female", weightKg: 70, bsaM2: 1.8 };

describe("the chart's coverage: subscriber, beneficiary, relationship", () => {
  it("a policy the patient holds: relationship self, no other subscriber; the 270 asks about the patient in 2000C", () => {
    const c = toCoverage(coverageResource({ id: "c1", ...base }) as unknown as R4.Coverage);
    expect(c).toMatchObject({ relationship: "self", subscriber: null, subscriberRef: null, patientMemberId: null, memberId: "W123456789" });
    expect(insuredParties({ patient, coverage: c })).toEqual({ memberId: "W123456789", subscriber: { lastName: "Holder", firstName: "Alex", birthDate: "1958-04-02" }, dependent: null });
  });

  it("covered as a spouse: the subscriber (a contained RelatedPerson) in 2000C with the member id, the patient in 2000D", () => {
    const c = toCoverage(coverageResource({ id: "c2", ...base, holder }) as unknown as R4.Coverage);
    expect(c).toMatchObject({ relationship: "spouse", subscriber: { firstName: "Robin", lastName: "Holder", birthDate: "1956-07-11", gender: "male" }, subscriberRef: "#subscriber", patientMemberId: null });
    expect(insuredParties({ patient, coverage: c })).toEqual({
      memberId: "W123456789", subscriber: { lastName: "Holder", firstName: "Robin", birthDate: "1956-07-11" },
      dependent: { lastName: "Holder", firstName: "Alex", birthDate: "1958-04-02", gender: "F" },
    });
  });

  it("a dependent with a member id of their own (identifier MB) is asked about as the subscriber, under that id (TR3: 2000D only without a unique id)", () => {
    const c = toCoverage(coverageResource({ id: "c3", ...base, holder: { ...holder, patientMemberId: "W999999999" } }) as unknown as R4.Coverage);
    expect(c.patientMemberId).toBe("W999999999");
    expect(insuredParties({ patient, coverage: c })).toMatchObject({ memberId: "W999999999", subscriber: { firstName: "Alex" }, dependent: null });
  });

  it("a subscriber named only by reference: the 270 names the subscriber by member id alone", () => {
    const resource = { ...coverageResource({ id: "c4", ...base }), relationship: { coding: [{ system: SYSTEM.SUBSCRIBER_RELATIONSHIP, code: "child" }] }, subscriber: { reference: "RelatedPerson/rp1" } };
    const c = toCoverage(resource as unknown as R4.Coverage);
    expect(c).toMatchObject({ relationship: "child", subscriber: null, subscriberRef: "RelatedPerson/rp1" });
    expect(insuredParties({ patient, coverage: c })).toMatchObject({ memberId: "W123456789", subscriber: { lastName: null, firstName: null, birthDate: null }, dependent: { firstName: "Alex" } });
  });
});

describe.each(DATABASE_KINDS)("charts read a subscriber who is another patient on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const person = (id: string, first: string, birthDate: string, gender: string) => patientResource({ id, first, last: "Holder", birthDate, gender, weightKg: 70, bsaM2: 1.8, heightCm: 170 });
    for (const r of [
      person("spouse-a", "Alex", "1958-04-02", "female"), person("spouse-b", "Robin", "1956-07-11", "male"),
      { ...coverageResource({ id: "cov-a", ...base, patientId: "spouse-a" }), relationship: { coding: [{ system: SYSTEM.SUBSCRIBER_RELATIONSHIP, code: "spouse" }] }, subscriber: { reference: "Patient/spouse-b" } },
      appointmentResource({ id: "appt-a", patientId: "spouse-a", start: "2026-03-06T09:00:00Z", end: "2026-03-06T10:00:00Z", orderIds: [], site: "physician-office", status: "booked" }),
    ]) await putResource(t.db.pool, r);
  });
  afterAll(async () => t.drop());

  it("fills the subscriber from the other patient's record", async () => {
    const chart = (await loadVisitCharts(new FhirEhrClient(new SandboxFhirTransport(t.db.pool)), ["appt-a"])).get("appt-a") as VisitChart;
    expect(chart.coverage).toMatchObject({ relationship: "spouse", subscriberRef: "Patient/spouse-b", subscriber: { firstName: "Robin", lastName: "Holder", birthDate: "1956-07-11", gender: "male" } });
    expect(insuredParties(chart)?.dependent).toMatchObject({ firstName: "Alex", gender: "F" });
  });
});
