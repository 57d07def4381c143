/** Builders for the sandbox clinic's FHIR R4 resources, following `fhir-conventions.ts`. */
import { EXTENSION, SYSTEM } from "../ehr/fhir-conventions.js";
import type { DrugFacts } from "./drug-facts.js";

type Resource = Record<string, unknown> & { resourceType: string; id: string };

const coding = (system: string, code: string, display?: string) => ({ coding: [{ system, code, ...(display === undefined ? {} : { display }) }] });
const mg = (value: number) => ({ value, unit: "mg", system: SYSTEM.UCUM, code: "mg" });

/** The sandbox EHR's MRN for a patient id: "sbx-p42" → "SBX-P42" (one prefix, not "SBX-SBX-P42"). */
const sandboxMrn = (id: string) => (id.toUpperCase().startsWith("SBX-") ? id.toUpperCase() : `SBX-${id.toUpperCase()}`);

/** A synthetic home address, the same for a patient id every time (claims carry it for a dependent, 2010CA N3/N4). */
function sandboxAddress(id: string): Record<string, unknown> {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const streets = ["Oak Street", "Maple Avenue", "Cedar Lane", "Elm Street", "Prairie Road", "Lincoln Avenue"];
  return { use: "home", line: [`${100 + (h % 9800)} ${streets[h % streets.length]}`], city: "Springfield", state: "IL", postalCode: "62704" };
}

export function patientResource(p: { id: string; first: string; last: string; birthDate: string; gender: string; weightKg: number; bsaM2: number; heightCm: number }): Resource {
  return {
    resourceType: "Patient", id: p.id, gender: p.gender, birthDate: p.birthDate,
    identifier: [{ system: SYSTEM.MRN, value: sandboxMrn(p.id) }],
    name: [{ use: "official", given: [p.first], family: p.last }],
    address: [sandboxAddress(p.id)],
    extension: [
      { url: EXTENSION.WEIGHT, valueQuantity: { value: p.weightKg, unit: "kg", system: SYSTEM.UCUM, code: "kg" } },
      { url: EXTENSION.BSA, valueQuantity: { value: p.bsaM2, unit: "m2", system: SYSTEM.UCUM, code: "m2" } },
    ],
    meta: { tag: [{ system: "https://infusion-rcm.dev/fhir/tag", code: "sandbox", display: "Synthetic sandbox data" }] },
  };
}

export function conditionResource(id: string, patientId: string, icd10: string, display: string): Resource {
  return {
    resourceType: "Condition", id, subject: { reference: `Patient/${patientId}` },
    clinicalStatus: coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
    code: { ...coding(SYSTEM.ICD10CM, icd10, display), text: display },
  };
}

/** The policy holder of a coverage the patient is a dependent on (a contained RelatedPerson). */
export interface CoverageHolder {
  /** FHIR subscriber-relationship code of the patient to the subscriber: spouse, child, parent, common, other. */
  relationship: string;
  first: string;
  last: string;
  birthDate: string;
  gender: string;
  /** The patient's own member id, when the payer issued one (Coverage.identifier of type MB). */
  patientMemberId?: string;
}

/**
 * A Coverage. The patient holds the policy (relationship self) or, with `holder`, is covered on
 * someone else's: the subscriber is a RelatedPerson contained in the Coverage, `subscriberId` the
 * subscriber's member id, and the patient's own member id, if any, an identifier of type MB.
 */
export function coverageResource(c: {
  id: string; patientId: string; payerId: string; payerName: string; payerType: string; memberId: string; planId: string; planName: string;
  start: string; end: string | null; active: boolean; holder?: CoverageHolder;
}): Resource {
  const holder = c.holder;
  return {
    resourceType: "Coverage", id: c.id, status: c.active ? "active" : "cancelled", order: 1,
    ...(holder === undefined ? {} : {
      contained: [{
        resourceType: "RelatedPerson", id: "subscriber", patient: { reference: `Patient/${c.patientId}` }, name: [{ use: "official", given: [holder.first], family: holder.last }],
        birthDate: holder.birthDate, gender: holder.gender, relationship: [coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", holder.relationship === "spouse" ? "SPS" : holder.relationship === "child" ? "PRN" : "FAMMEMB")],
      }],
      subscriber: { reference: "#subscriber" },
      ...(holder.patientMemberId === undefined ? {} : { identifier: [{ type: coding("http://terminology.hl7.org/CodeSystem/v2-0203", "MB"), value: holder.patientMemberId }] }),
    }),
    beneficiary: { reference: `Patient/${c.patientId}` }, subscriberId: c.memberId, relationship: coding(SYSTEM.SUBSCRIBER_RELATIONSHIP, holder?.relationship ?? "self"),
    payor: [{ display: c.payerName, identifier: { system: SYSTEM.PAYER_ID, value: c.payerId } }],
    type: coding(SYSTEM.PAYER_TYPE, c.payerType),
    period: { start: c.start, ...(c.end === null ? {} : { end: c.end }) },
    class: [{ type: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/coverage-class", code: "plan" }] }, value: c.planId, name: c.planName }],
  };
}

export function medicationRequestResource(m: {
  id: string; patientId: string; drug: DrugFacts; doseMg: number; cycleDays: number; supply: string; icd10: string; authoredOn: string;
}): Resource {
  return {
    resourceType: "MedicationRequest", id: m.id, status: "active", intent: "order", authoredOn: m.authoredOn,
    subject: { reference: `Patient/${m.patientId}` },
    medicationCodeableConcept: { text: m.drug.name, ...coding(SYSTEM.HCPCS, m.drug.hcpcs) },
    category: [coding(SYSTEM.DRUG_CLASS, m.drug.drugClass), coding(SYSTEM.SUPPLY, m.supply)],
    reasonCode: [coding(SYSTEM.ICD10CM, m.icd10)],
    dosageInstruction: [{
      timing: { repeat: { frequency: 1, period: m.cycleDays, periodUnit: "d" } },
      route: coding(SYSTEM.ADMIN_ROUTE, m.drug.route),
      doseAndRate: [{ doseQuantity: mg(m.doseMg) }],
    }],
  };
}

export function appointmentResource(a: { id: string; patientId: string; start: string; end: string; orderIds: string[]; site: string; status: string }): Resource {
  return {
    resourceType: "Appointment", id: a.id, status: a.status, start: a.start, end: a.end,
    serviceType: [coding("https://infusion-rcm.dev/fhir/CodeSystem/service-type", "infusion", "Infusion")],
    serviceCategory: [coding(SYSTEM.SITE_OF_CARE, a.site)],
    participant: [{ actor: { reference: `Patient/${a.patientId}` }, status: "accepted" }],
    basedOn: a.orderIds.map((o) => ({ reference: `MedicationRequest/${o}` })),
  };
}

export function encounterResource(id: string, patientId: string, appointmentId: string, start: string, end: string): Resource {
  return {
    resourceType: "Encounter", id, status: "finished", class: { system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "AMB" },
    subject: { reference: `Patient/${patientId}` }, appointment: [{ reference: `Appointment/${appointmentId}` }], period: { start, end },
  };
}

export function administrationResource(a: {
  id: string; patientId: string; encounterId: string; orderId: string; drug: DrugFacts; ndc11: string; doseMg: number;
  start: string; stop: string | null; site: string; wasteMg: number | null; containers: number; pump: boolean;
}): Resource {
  const extension: Record<string, unknown>[] = [{ url: EXTENSION.CONTAINERS_OPENED, valueInteger: a.containers }];
  if (a.wasteMg !== null) extension.push({ url: EXTENSION.WASTED_AMOUNT, valueQuantity: mg(a.wasteMg) });
  if (a.pump) extension.push({ url: EXTENSION.PUMP, valueBoolean: true });
  return {
    resourceType: "MedicationAdministration", id: a.id, status: "completed",
    subject: { reference: `Patient/${a.patientId}` }, context: { reference: `Encounter/${a.encounterId}` },
    request: { reference: `MedicationRequest/${a.orderId}` },
    category: coding(SYSTEM.DRUG_CLASS, a.drug.drugClass),
    medicationCodeableConcept: { text: a.drug.name, coding: [{ system: SYSTEM.HCPCS, code: a.drug.hcpcs }, { system: SYSTEM.NDC, code: a.ndc11 }] },
    effectivePeriod: { start: a.start, ...(a.stop === null ? {} : { end: a.stop }) },
    dosage: { dose: mg(a.doseMg), route: coding(SYSTEM.ADMIN_ROUTE, a.drug.route), site: { text: a.site } },
    extension,
  };
}

export function noteResource(id: string, patientId: string, date: string, title: string, text: string): Resource {
  return {
    resourceType: "DocumentReference", id, status: "current", subject: { reference: `Patient/${patientId}` }, date, description: title,
    type: coding("http://loinc.org", "11506-3", "Progress note"),
    content: [{ attachment: { contentType: "text/plain", title, data: Buffer.from(text, "utf8").toString("base64") } }],
  };
}
