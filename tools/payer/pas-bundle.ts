/**
 * The Da Vinci Prior Authorization Support (PAS) request Bundle equivalent to a 278 request: a
 * `collection` Bundle holding the Claim (use `preauthorization`), the beneficiary Patient, the
 * Coverage, the insurer and requester Organizations and the MedicationRequest being authorized
 * (PAS STU 1.1 / 2.0 profiles). The Claim item carries the drug's HCPCS, the units, the service
 * period and the diagnoses; the clinical justification rides in `supportingInfo`.
 */
import { SYSTEM } from "../ehr/fhir-conventions.js";

const PAS = "http://hl7.org/fhir/us/davinci-pas";
const BASE = "urn:infusion-rcm:pas";
const profile = (name: string) => ({ profile: [`${PAS}/StructureDefinition/${name}`] });
const X12_CODES = "https://codesystem.x12.org/005010";

/** What a PAS request is built from (the same facts as the 278). */
export interface PasRequestInput {
  /** The request's trace number (TRN02 of the 278). */
  trace: string;
  /** When the request was created (ISO date-time). */
  created: string;
  patient: { id: string; memberId: string; firstName: string | null; lastName: string | null; birthDate: string | null; gender: string | null };
  coverage: { id: string; payerId: string; payerName: string | null };
  /**
   * The policy holder when the patient is not (the 278's 2010C subscriber with the patient in
   * 2010D): named in its own Patient (PAS profile-subscriber) and referenced as Coverage.subscriber,
   * with Coverage.relationship (subscriber-relationship: spouse, child …). Absent: the patient holds
   * the policy (relationship self).
   */
  subscriber?: { firstName: string | null; lastName: string | null; birthDate: string | null; relationship: string | null };
  requester: { name: string; npi: string };
  order: { id: string; drugName: string; hcpcs: string };
  units: number;
  period: { start: string; end: string };
  /** ICD-10-CM codes, principal first. */
  diagnoses: string[];
  /** The clinical justification, as text. */
  justification: string;
  /** "I" initial, "R" renewal (reauthorization). */
  certificationType: "I" | "R";
}

/** A FHIR resource as JSON. */
export type FhirJson = Record<string, unknown>;

const FREE_FORM = "freeFormMessage";

/** The Claim's supportingInfo that carries the clinical justification (PAS free-form message). */
const justificationInfo = (text: string): FhirJson => ({
  sequence: 1,
  category: { coding: [{ system: `${PAS}/CodeSystem/PASTempCodes`, code: FREE_FORM }] },
  valueString: text,
});

/**
 * The bundle with its clinical justification rebuilt from `text` (a person edited it): the
 * Claim's free-form supportingInfo is built afresh; the rest of the request is the tools'.
 */
export function withPasJustification(bundle: FhirJson, text: string): FhirJson {
  const entries = bundle.entry as { fullUrl: string; resource: FhirJson }[] | undefined;
  const isClaim = (r: FhirJson) => r.resourceType === "Claim" && r.use === "preauthorization";
  if (!Array.isArray(entries) || !entries.some((e) => isClaim(e.resource))) throw new Error("The PAS bundle has no preauthorization Claim to carry the justification");
  const isJustification = (i: FhirJson) => (i.category as { coding?: { code?: string }[] } | undefined)?.coding?.[0]?.code === FREE_FORM;
  return {
    ...bundle,
    entry: entries.map((e) => {
      if (!isClaim(e.resource)) return e;
      const others = ((e.resource.supportingInfo ?? []) as FhirJson[]).filter((i) => !isJustification(i));
      return { ...e, resource: { ...e.resource, supportingInfo: [justificationInfo(text), ...others] } };
    }),
  };
}

/** Builds the PAS request Bundle. */
export function buildPasRequestBundle(input: PasRequestInput): FhirJson {
  const ids = {
    claim: `claim-${input.trace}`, patient: `patient-${input.patient.id}`, coverage: `coverage-${input.coverage.id}`, subscriber: `subscriber-${input.coverage.id}`,
    insurer: `insurer-${input.coverage.payerId}`, requester: `requester-${input.requester.npi}`, order: `medreq-${input.order.id}`,
  };
  const ref = (type: string, id: string) => ({ reference: `${type}/${id}` });
  const entry = (resource: FhirJson) => ({ fullUrl: `${BASE}/${String(resource.resourceType)}/${String(resource.id)}`, resource });
  const claim: FhirJson = {
    resourceType: "Claim", id: ids.claim, meta: profile("profile-claim"),
    identifier: [{ system: `${BASE}/PATIENT_EVENT_TRACE_NUMBER`, value: input.trace }],
    status: "active",
    type: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/claim-type", code: "professional" }] },
    use: "preauthorization",
    patient: ref("Patient", ids.patient),
    created: input.created,
    insurer: ref("Organization", ids.insurer),
    provider: ref("Organization", ids.requester),
    priority: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/processpriority", code: "normal" }] },
    supportingInfo: [justificationInfo(input.justification)],
    diagnosis: input.diagnoses.map((code, i) => ({
      sequence: i + 1,
      diagnosisCodeableConcept: { coding: [{ system: SYSTEM.ICD10CM, code }] },
      type: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/ex-diagnosistype", code: i === 0 ? "principal" : "secondary" }] }],
    })),
    insurance: [{ sequence: 1, focal: true, coverage: ref("Coverage", ids.coverage) }],
    item: [{
      extension: [
        { url: `${PAS}/StructureDefinition/extension-itemTraceNumber`, valueIdentifier: { system: `${BASE}/ITEM_TRACE_NUMBER`, value: `${input.trace}-1` } },
        { url: `${PAS}/StructureDefinition/extension-certificationType`, valueCodeableConcept: { coding: [{ system: `${X12_CODES}/1322`, code: input.certificationType }] } },
        { url: `${PAS}/StructureDefinition/extension-requestedService`, valueReference: ref("MedicationRequest", ids.order) },
      ],
      sequence: 1,
      diagnosisSequence: input.diagnoses.map((_, i) => i + 1),
      informationSequence: [1],
      productOrService: { coding: [{ system: SYSTEM.HCPCS, code: input.order.hcpcs }], text: input.order.drugName },
      servicedPeriod: { start: input.period.start, end: input.period.end },
      quantity: { value: input.units, unit: "billing units" },
    }],
  };
  const patient: FhirJson = {
    resourceType: "Patient", id: ids.patient, meta: profile("profile-beneficiary"),
    identifier: [{ system: `${BASE}/MIN`, value: input.patient.memberId }],
    name: [{
      ...(input.patient.lastName === null ? {} : { family: input.patient.lastName }),
      ...(input.patient.firstName === null ? {} : { given: [input.patient.firstName] }),
    }],
    ...(input.patient.gender === null ? {} : { gender: input.patient.gender }),
    ...(input.patient.birthDate === null ? {} : { birthDate: input.patient.birthDate }),
  };
  const holder = input.subscriber;
  const subscriber: FhirJson | null = holder === undefined ? null : {
    resourceType: "Patient", id: ids.subscriber, meta: profile("profile-subscriber"),
    identifier: [{ system: `${BASE}/MIN`, value: input.patient.memberId }],
    name: [{ ...(holder.lastName === null ? {} : { family: holder.lastName }), ...(holder.firstName === null ? {} : { given: [holder.firstName] }) }],
    ...(holder.birthDate === null ? {} : { birthDate: holder.birthDate }),
  };
  const relationship = holder === undefined ? "self" : holder.relationship;
  const coverage: FhirJson = {
    resourceType: "Coverage", id: ids.coverage, meta: profile("profile-coverage"), status: "active",
    ...(subscriber === null ? {} : { subscriber: ref("Patient", ids.subscriber) }),
    subscriberId: input.patient.memberId, beneficiary: ref("Patient", ids.patient),
    ...(relationship === null ? {} : { relationship: { coding: [{ system: SYSTEM.SUBSCRIBER_RELATIONSHIP, code: relationship }] } }),
    payor: [ref("Organization", ids.insurer)],
  };
  const insurer: FhirJson = {
    resourceType: "Organization", id: ids.insurer, meta: profile("profile-insurer"), active: true,
    identifier: [{ system: SYSTEM.PAYER_ID, value: input.coverage.payerId }],
    type: [{ coding: [{ system: `${X12_CODES}/98`, code: "PR" }] }],
    name: input.coverage.payerName ?? input.coverage.payerId,
  };
  const requester: FhirJson = {
    resourceType: "Organization", id: ids.requester, meta: profile("profile-requestor"), active: true,
    identifier: [{ system: SYSTEM.NPI, value: input.requester.npi }],
    type: [{ coding: [{ system: `${X12_CODES}/98`, code: "1P" }] }],
    name: input.requester.name,
  };
  const order: FhirJson = {
    resourceType: "MedicationRequest", id: ids.order, meta: profile("profile-medicationrequest"), status: "active", intent: "order",
    medicationCodeableConcept: { coding: [{ system: SYSTEM.HCPCS, code: input.order.hcpcs }], text: input.order.drugName },
    subject: ref("Patient", ids.patient),
    dispenseRequest: { quantity: { value: input.units, unit: "billing units" }, validityPeriod: { start: input.period.start, end: input.period.end } },
  };
  return {
    resourceType: "Bundle", id: `pas-${input.trace}`, meta: profile("profile-pas-request-bundle"),
    identifier: { system: `${BASE}/SUBMITTER_TRANSACTION_IDENTIFIER`, value: input.trace },
    type: "collection", timestamp: input.created,
    entry: [claim, requester, insurer, coverage, patient, ...(subscriber === null ? [] : [subscriber]), order].map(entry),
  };
}
