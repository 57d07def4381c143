/**
 * Hand-described sandbox scenarios (synthetic, no real PHI): each patient is one scenario — a
 * coverage, orders, visits, notes — with the payer's member record and authorizations beside the
 * chart. Tests and the evaluations' hand-written edge cases are built with it.
 */
import { EXTENSION, SYSTEM } from "../ehr/fhir-conventions.js";
import { coverageResource, type CoverageHolder } from "./fhir-builders.js";
import type { PayerAuthorization, PayerDependent, PayerMember, SandboxClinic } from "./world.js";

const put = (resource: Record<string, unknown>) => ({ resource, request: { method: "PUT" as const, url: `${String(resource.resourceType)}/${String(resource.id)}` } });

/** One scenario: a patient, a coverage, one order per drug, appointments, and the payer's member. */
export interface Scenario {
  id: string;
  payer: { id: string; name: string; type: string; planId: string; memberId: string };
  drugs: { hcpcs: string; name: string; doseMg: number; supply?: "buy-and-bill" | "white-bag"; icd10?: string; cycleDays?: number }[];
  visits: string[];
  /** The payer's view of the member; null = the payer does not know the member. */
  member?: Partial<PayerMember> | null;
  /** Leave the coverage out of the chart. */
  noCoverage?: boolean;
  /**
   * The patient is covered on someone else's policy: the subscriber (a contained RelatedPerson in
   * the Coverage; the payer's member is the subscriber) and the patient's relationship to them.
   */
  holder?: CoverageHolder;
  /** The payer's view of the patient as a dependent on the holder's policy; null = the payer does not know the patient. */
  dependent?: Partial<PayerDependent> | null;
  diagnosis?: string;
  note?: string;
}

/** X12 INS02 for a FHIR subscriber-relationship (the patient's relation to the subscriber). */
const INS_RELATIONSHIP: Record<string, string> = { spouse: "01", child: "19", common: "53", other: "G8" };

/** Builds the clinic for `scenarios`, ready for `seedSandbox`. */
export function scenarioClinic(scenarios: Scenario[], authorizations: PayerAuthorization[] = []): SandboxClinic {
  const entries: ReturnType<typeof put>[] = [];
  const members: PayerMember[] = [];
  const dependents: PayerDependent[] = [];
  for (const s of scenarios) {
    const pid = s.id;
    const dx = s.diagnosis ?? "C34.90";
    entries.push(put({
      resourceType: "Patient", id: pid, birthDate: "1958-04-02", gender: "female", identifier: [{ system: SYSTEM.MRN, value: `MRN-${pid}` }],
      name: [{ use: "official", given: ["Test"], family: `Patient${pid}` }],
      extension: [{ url: EXTENSION.WEIGHT, valueQuantity: { value: 70, unit: "kg", system: SYSTEM.UCUM, code: "kg" } }, { url: EXTENSION.BSA, valueQuantity: { value: 1.8, unit: "m2", system: SYSTEM.UCUM, code: "m2" } }],
    }));
    entries.push(put({ resourceType: "Condition", id: `${pid}-dx`, subject: { reference: `Patient/${pid}` }, code: { coding: [{ system: SYSTEM.ICD10CM, code: dx }], text: dx } }));
    if (s.noCoverage !== true && s.holder === undefined) {
      entries.push(put({
        resourceType: "Coverage", id: `${pid}-cov`, status: "active", beneficiary: { reference: `Patient/${pid}` },
        payor: [{ display: s.payer.name, identifier: { system: SYSTEM.PAYER_ID, value: s.payer.id } }],
        type: { coding: [{ system: SYSTEM.PAYER_TYPE, code: s.payer.type }] }, subscriberId: s.payer.memberId, order: 1,
        period: { start: "2026-01-01" }, class: [{ type: { coding: [{ code: "plan" }] }, value: s.payer.planId, name: s.payer.planId }],
      }));
    } else if (s.noCoverage !== true && s.holder !== undefined) {
      entries.push(put(coverageResource({
        id: `${pid}-cov`, patientId: pid, payerId: s.payer.id, payerName: s.payer.name, payerType: s.payer.type, memberId: s.payer.memberId,
        planId: s.payer.planId, planName: s.payer.planId, start: "2026-01-01", end: null, active: true, holder: s.holder,
      })));
    }
    const orderIds = s.drugs.map((d, k) => {
      const id = `${pid}-mr${k + 1}`;
      entries.push(put({
        resourceType: "MedicationRequest", id, status: "active", intent: "order", subject: { reference: `Patient/${pid}` },
        medicationCodeableConcept: { text: d.name, coding: [{ system: SYSTEM.HCPCS, code: d.hcpcs }] },
        category: [{ coding: [{ system: SYSTEM.DRUG_CLASS, code: "biologic" }] }, { coding: [{ system: SYSTEM.SUPPLY, code: d.supply ?? "buy-and-bill" }] }],
        reasonCode: [{ coding: [{ system: SYSTEM.ICD10CM, code: d.icd10 ?? dx }] }],
        dosageInstruction: [{
          timing: { repeat: { period: d.cycleDays ?? 21, periodUnit: "d" } }, route: { coding: [{ system: SYSTEM.ADMIN_ROUTE, code: "iv-infusion" }] },
          doseAndRate: [{ doseQuantity: { value: d.doseMg, unit: "mg", system: SYSTEM.UCUM, code: "mg" } }],
        }],
      }));
      return id;
    });
    s.visits.forEach((date, n) => entries.push(put({
      resourceType: "Appointment", id: `${pid}-a${n + 1}`, status: "booked", start: `${date}T09:00:00Z`, end: `${date}T11:00:00Z`,
      serviceType: [{ coding: [{ system: "https://infusion-rcm.dev/fhir/CodeSystem/service-type", code: "infusion" }] }],
      serviceCategory: [{ coding: [{ system: SYSTEM.SITE_OF_CARE, code: "physician-office" }] }],
      participant: [{ actor: { reference: `Patient/${pid}` }, status: "accepted" }], basedOn: orderIds.map((o) => ({ reference: `MedicationRequest/${o}` })),
    })));
    entries.push(put({
      resourceType: "DocumentReference", id: `${pid}-note`, status: "current", subject: { reference: `Patient/${pid}` }, date: "2026-02-20T12:00:00Z", description: "Oncology progress note",
      content: [{ attachment: { contentType: "text/plain", data: Buffer.from(s.note ?? "Synthetic note. Stage IV non-small cell lung cancer. PD-L1 TPS 60%. ECOG 1. Plan pembrolizumab q3w.").toString("base64") } }],
    }));
    const patient = { firstName: "TEST", lastName: `PATIENT${pid.toUpperCase()}`, birthDate: "1958-04-02", gender: "F" };
    const holder = s.holder;
    // A patient with a member id of their own is the payer's member under that id; otherwise the subscriber is, and the patient a dependent.
    const ownId = holder?.patientMemberId;
    const subscriber = holder === undefined || ownId !== undefined ? patient : { firstName: holder.first.toUpperCase(), lastName: holder.last.toUpperCase(), birthDate: holder.birthDate, gender: holder.gender === "female" ? "F" : "M" };
    if (s.member !== null) {
      members.push({
        payerId: s.payer.id, planId: s.payer.planId, memberId: ownId ?? s.payer.memberId, ...subscriber,
        coverageStart: "2026-01-01", coverageEnd: null, deductibleMet: "0.00", oopMet: "0.00", familyDeductibleMet: null, ...s.member,
      });
    }
    if (holder !== undefined && ownId === undefined && s.member !== null && s.dependent !== null) {
      dependents.push({
        payerId: s.payer.id, memberId: s.payer.memberId, sequence: 1, relationship: INS_RELATIONSHIP[holder.relationship] ?? "G8", ...patient,
        coverageStart: "2026-01-01", coverageEnd: null, deductibleMet: "0.00", oopMet: "0.00", ...s.dependent,
      });
    }
  }
  return { seed: 0, asOf: "2026-03-01", range: { from: "2026-03-01", to: "2026-04-30" }, bundle: { resourceType: "Bundle", type: "transaction", entry: entries }, members, dependents, authorizations, truth: [] };
}
