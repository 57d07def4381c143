/** A hand-written, synthetic two-patient clinic as a FHIR transaction Bundle (no real PHI). */
import { EXTENSION, SYSTEM } from "../../../tools/ehr/fhir-conventions.js";

const put = (resource: Record<string, unknown>) => ({
  resource, request: { method: "PUT", url: `${String(resource.resourceType)}/${String(resource.id)}` },
});

export function smallClinicBundle() {
  const patient = (id: string, given: string, family: string, birthDate: string, kg: number, bsa: number) => put({
    resourceType: "Patient", id, birthDate, gender: "female",
    identifier: [{ system: SYSTEM.MRN, value: `MRN-${id}` }],
    name: [{ use: "official", given: [given], family }],
    extension: [
      { url: EXTENSION.WEIGHT, valueQuantity: { value: kg, unit: "kg", system: SYSTEM.UCUM, code: "kg" } },
      { url: EXTENSION.BSA, valueQuantity: { value: bsa, unit: "m2", system: SYSTEM.UCUM, code: "m2" } },
    ],
  });
  const order = (id: string, patientId: string, hcpcs: string, name: string, dose: number, unit: string, supply: string) => put({
    resourceType: "MedicationRequest", id, status: "active", intent: "order",
    subject: { reference: `Patient/${patientId}` },
    medicationCodeableConcept: { text: name, coding: [{ system: SYSTEM.HCPCS, code: hcpcs }] },
    category: [{ coding: [{ system: SYSTEM.DRUG_CLASS, code: "biologic" }] }, { coding: [{ system: SYSTEM.SUPPLY, code: supply }] }],
    reasonCode: [{ coding: [{ system: SYSTEM.ICD10CM, code: "C34.90" }] }],
    dosageInstruction: [{
      timing: { repeat: { period: 21, periodUnit: "d" } },
      route: { coding: [{ system: SYSTEM.ADMIN_ROUTE, code: "iv-infusion" }] },
      doseAndRate: [{ doseQuantity: { value: dose, unit, system: SYSTEM.UCUM, code: unit } }],
    }],
  });
  const appointment = (id: string, patientId: string, start: string, orders: string[]) => put({
    resourceType: "Appointment", id, status: "booked", start, end: start,
    serviceType: [{ coding: [{ system: "https://infusion-rcm.dev/fhir/CodeSystem/service-type", code: "infusion" }] }],
    serviceCategory: [{ coding: [{ system: SYSTEM.SITE_OF_CARE, code: "physician-office" }] }],
    participant: [{ actor: { reference: `Patient/${patientId}` }, status: "accepted" }],
    basedOn: orders.map((o) => ({ reference: `MedicationRequest/${o}` })),
  });
  return {
    resourceType: "Bundle",
    type: "transaction",
    entry: [
      patient("p1", "Alex", "Testperson", "1961-04-02", 70, 1.82),
      patient("p2", "Sam", "Example", "1955-09-30", 82, 1.98),
      order("mr1", "p1", "J9271", "pembrolizumab", 200, "mg", "buy-and-bill"),
      order("mr2", "p2", "J9035", "bevacizumab", 1230, "mg", "white-bag"),
      appointment("a1", "p1", "2026-03-02T09:00:00Z", ["mr1"]),
      appointment("a2", "p2", "2026-03-03T10:30:00Z", ["mr2"]),
      appointment("a3", "p1", "2026-03-23T09:00:00Z", ["mr1"]),
      put({
        resourceType: "Coverage", id: "c1", status: "active", beneficiary: { reference: "Patient/p1" },
        payor: [{ display: "Sandbox Medicare", identifier: { system: SYSTEM.PAYER_ID, value: "SBMCR" } }],
        type: { coding: [{ system: SYSTEM.PAYER_TYPE, code: "medicare" }] }, subscriberId: "1EG4TE5MK73", order: 1,
        period: { start: "2026-01-01", end: "2026-12-31" },
        class: [{ type: { coding: [{ code: "plan" }] }, value: "MCR-B", name: "Medicare Part B" }],
      }),
      put({ resourceType: "Condition", id: "d1", subject: { reference: "Patient/p1" }, code: { coding: [{ system: SYSTEM.ICD10CM, code: "C34.90" }], text: "Lung cancer" } }),
      put({
        resourceType: "MedicationAdministration", id: "ma1", status: "completed", subject: { reference: "Patient/p1" },
        context: { reference: "Encounter/e1" }, request: { reference: "MedicationRequest/mr1" },
        medicationCodeableConcept: { text: "pembrolizumab", coding: [{ system: SYSTEM.HCPCS, code: "J9271" }, { system: SYSTEM.NDC, code: "00006302602" }] },
        effectivePeriod: { start: "2026-03-02T09:05:00Z" },
        dosage: { dose: { value: 200, unit: "mg", code: "mg" }, route: { coding: [{ system: SYSTEM.ADMIN_ROUTE, code: "iv-infusion" }] }, site: { text: "A" } },
        extension: [{ url: EXTENSION.WASTED_AMOUNT, valueQuantity: { value: 0, unit: "mg", code: "mg" } }],
      }),
      put({
        resourceType: "DocumentReference", id: "n1", status: "current", subject: { reference: "Patient/p1" }, date: "2026-02-20T12:00:00Z",
        description: "Oncology progress note",
        content: [{ attachment: { contentType: "text/plain", data: Buffer.from("PD-L1 TPS 60%. Stage IV NSCLC. Plan pembrolizumab q3w.").toString("base64") } }],
      }),
    ],
  };
}
