/**
 * FHIR R4 resources → the clinic's records. Each mapper reads the conventions of
 * `fhir-conventions.ts` and validates its result, so a malformed resource fails with the resource
 * and the field named instead of flowing on as undefined.
 */
import type * as R4 from "fhir/r4.js";
import type { z } from "zod";
import { AppError } from "../errors.js";
import { EXTENSION, SYSTEM } from "./fhir-conventions.js";
import {
  AdministrationRecord, ClinicalNote, CoverageSummary, Diagnosis, MedicationOrder, PatientSummary, ScheduledInfusion, type PolicyHolder,
} from "./ehr-types.js";
import { CapturedCharge } from "../claim/visit-record.js";
import { VisitEncounter } from "./visit-types.js";

/** A FHIR resource from the server that does not have the shape we need. */
export class InvalidFhirError extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super("INVALID_FHIR", 502, message, { details });
  }
}

function validated<T>(schema: z.ZodType<T>, value: unknown, resource: { resourceType?: string; id?: string }): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ field: i.path.join("."), message: i.message }));
  throw new InvalidFhirError(
    `${resource.resourceType ?? "Resource"}/${resource.id ?? "?"} is missing or has invalid ${issues.map((i) => i.field).join(", ")}`,
    { resourceType: resource.resourceType, id: resource.id, issues },
  );
}

const code = (cc: R4.CodeableConcept | undefined, system: string): string | null =>
  cc?.coding?.find((c) => c.system === system)?.code ?? null;
const ref = (reference: string | undefined, type: string): string | null =>
  reference?.startsWith(`${type}/`) === true ? reference.slice(type.length + 1) : null;
const ext = (e: R4.Extension[] | undefined, url: string) => e?.find((x) => x.url === url);
const quantity = (q: R4.Quantity | undefined) =>
  q?.value === undefined ? null : { value: q.value, unit: q.code ?? q.unit ?? "" };

export function toPatient(p: R4.Patient): PatientSummary {
  const name = p.name?.find((n) => n.use === "official") ?? p.name?.[0];
  return validated(PatientSummary, {
    id: p.id,
    mrn: p.identifier?.find((i) => i.system === SYSTEM.MRN)?.value ?? null,
    firstName: name?.given?.[0],
    lastName: name?.family,
    birthDate: p.birthDate,
    gender: p.gender ?? null,
    weightKg: ext(p.extension, EXTENSION.WEIGHT)?.valueQuantity?.value ?? null,
    bsaM2: ext(p.extension, EXTENSION.BSA)?.valueQuantity?.value ?? null,
    address: postalAddress(p.address),
  }, p);
}

/** The home (else first) address when it has a street line, a city, a two-letter state and a ZIP; else null (never half an address). */
function postalAddress(addresses: R4.Address[] | undefined): PatientSummary["address"] {
  const a = addresses?.find((x) => x.use === "home") ?? addresses?.[0];
  const zip = a?.postalCode?.replace("-", "") ?? "";
  if (a === undefined || a.line?.[0] === undefined || a.city === undefined || !/^[A-Z]{2}$/.test(a.state ?? "") || !/^\d{5}(\d{4})?$/.test(zip)) return null;
  return { line1: a.line[0], line2: a.line[1] ?? null, city: a.city, state: a.state as string, zip };
}

export function toScheduledInfusion(a: R4.Appointment): ScheduledInfusion {
  const patient = a.participant.map((x) => ref(x.actor?.reference, "Patient")).find((x) => x !== null);
  const site = code(a.serviceCategory?.[0], SYSTEM.SITE_OF_CARE);
  return validated(ScheduledInfusion, {
    appointmentId: a.id,
    patientId: patient,
    start: a.start,
    dateOfService: a.start?.slice(0, 10),
    status: a.status,
    siteOfCare: site,
    orderIds: (a.basedOn ?? []).map((b) => ref(b.reference, "MedicationRequest")).filter((x): x is string => x !== null),
  }, a);
}

export function toMedicationOrder(m: R4.MedicationRequest): MedicationOrder {
  const dose = m.dosageInstruction?.[0]?.doseAndRate?.[0]?.doseQuantity;
  return validated(MedicationOrder, {
    id: m.id,
    patientId: ref(m.subject.reference, "Patient"),
    drugName: m.medicationCodeableConcept?.text ?? m.medicationCodeableConcept?.coding?.[0]?.display,
    hcpcs: code(m.medicationCodeableConcept, SYSTEM.HCPCS),
    ndc: code(m.medicationCodeableConcept, SYSTEM.NDC),
    drugClass: m.category?.map((c) => code(c, SYSTEM.DRUG_CLASS)).find((c) => c !== null) ?? null,
    dose: quantity(dose),
    route: code(m.dosageInstruction?.[0]?.route, SYSTEM.ADMIN_ROUTE),
    cycleDays: m.dosageInstruction?.[0]?.timing?.repeat?.period ?? null,
    supply: m.category?.map((c) => code(c, SYSTEM.SUPPLY)).find((c) => c !== null) ?? null,
    diagnosisCodes: (m.reasonCode ?? []).map((r) => code(r, SYSTEM.ICD10CM)).filter((c): c is string => c !== null),
    status: m.status,
  }, m);
}

export function toAdministration(m: R4.MedicationAdministration): AdministrationRecord {
  return validated(AdministrationRecord, {
    id: m.id,
    encounterId: ref(m.context?.reference, "Encounter"),
    patientId: ref(m.subject.reference, "Patient"),
    orderId: ref(m.request?.reference, "MedicationRequest"),
    drugName: m.medicationCodeableConcept?.text ?? m.medicationCodeableConcept?.coding?.[0]?.display,
    hcpcs: code(m.medicationCodeableConcept, SYSTEM.HCPCS),
    ndc: code(m.medicationCodeableConcept, SYSTEM.NDC),
    drugClass: m.category === undefined ? null : code(m.category, SYSTEM.DRUG_CLASS),
    dose: quantity(m.dosage?.dose),
    route: code(m.dosage?.route, SYSTEM.ADMIN_ROUTE),
    start: m.effectivePeriod?.start ?? m.effectiveDateTime ?? null,
    stop: m.effectivePeriod?.end ?? null,
    site: m.dosage?.site?.text ?? null,
    wasted: quantity(ext(m.extension, EXTENSION.WASTED_AMOUNT)?.valueQuantity),
    containersOpened: ext(m.extension, EXTENSION.CONTAINERS_OPENED)?.valueInteger ?? null,
    pump: ext(m.extension, EXTENSION.PUMP)?.valueBoolean ?? false,
  }, m);
}

/** The policy holder a Coverage names in a contained Patient or RelatedPerson (`subscriber: { reference: "#id" }`). */
function containedHolder(c: R4.Coverage): PolicyHolder | null {
  const reference = c.subscriber?.reference;
  if (reference?.startsWith("#") !== true) return null;
  const found = c.contained?.find((r) => r.id === reference.slice(1));
  if (found?.resourceType !== "RelatedPerson" && found?.resourceType !== "Patient") return null;
  const person = found as R4.RelatedPerson | R4.Patient;
  const name = person.name?.find((n) => n.use === "official") ?? person.name?.[0];
  return { firstName: name?.given?.[0] ?? null, lastName: name?.family ?? null, birthDate: person.birthDate ?? null, gender: person.gender ?? null };
}

/**
 * A Coverage: the subscriber's member id (subscriberId), the patient's own (identifier of type MB)
 * when different, the relationship, and the subscriber when the patient is not (contained, or a
 * reference the chart loader resolves).
 */
export function toCoverage(c: R4.Coverage): CoverageSummary {
  const plan = c.class?.find((k) => k.type.coding?.some((x) => x.code === "plan"));
  const payor = c.payor[0];
  const patientId = ref(c.beneficiary.reference, "Patient");
  const relationship = code(c.relationship, SYSTEM.SUBSCRIBER_RELATIONSHIP) ?? c.relationship?.coding?.[0]?.code ?? null;
  const subscriberRef = c.subscriber?.reference ?? null;
  const self = relationship === "self" || (subscriberRef !== null && subscriberRef === c.beneficiary.reference);
  const own = c.identifier?.find((i) => i.type?.coding?.some((x) => x.code === "MB"))?.value ?? null;
  return validated(CoverageSummary, {
    id: c.id,
    patientId,
    status: c.status,
    payerId: payor?.identifier?.value ?? ref(payor?.reference, "Organization"),
    payerName: payor?.display ?? null,
    payerType: code(c.type, SYSTEM.PAYER_TYPE),
    memberId: c.subscriberId ?? null,
    patientMemberId: own !== null && own !== c.subscriberId ? own : null,
    relationship,
    subscriber: self ? null : containedHolder(c),
    subscriberRef: self ? null : subscriberRef,
    planId: plan?.value ?? null,
    planName: plan?.name ?? null,
    start: c.period?.start?.slice(0, 10) ?? null,
    end: c.period?.end?.slice(0, 10) ?? null,
    order: c.order ?? null,
  }, c);
}

export function toDiagnosis(c: R4.Condition): Diagnosis {
  return validated(Diagnosis, {
    id: c.id,
    patientId: ref(c.subject.reference, "Patient"),
    icd10: code(c.code, SYSTEM.ICD10CM),
    display: c.code?.text ?? c.code?.coding?.[0]?.display ?? null,
    clinicalStatus: c.clinicalStatus?.coding?.[0]?.code ?? null,
  }, c);
}

export function toClinicalNote(d: R4.DocumentReference): ClinicalNote {
  const attachment = d.content[0]?.attachment;
  const text = attachment?.data === undefined ? undefined : Buffer.from(attachment.data, "base64").toString("utf8");
  return validated(ClinicalNote, {
    id: d.id,
    patientId: ref(d.subject?.reference, "Patient"),
    date: d.date ?? null,
    title: d.description ?? attachment?.title ?? null,
    text,
  }, d);
}

/**
 * A finished Encounter with its diagnoses (`Encounter.diagnosis` by rank, each Condition looked up
 * in `conditions`; one not found fails as invalid) and site of care (`serviceType`).
 */
export function toVisitEncounter(e: R4.Encounter, conditions: ReadonlyMap<string, Diagnosis>): VisitEncounter {
  const ranked = [...(e.diagnosis ?? [])].sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99));
  return validated(VisitEncounter, {
    id: e.id,
    patientId: ref(e.subject?.reference, "Patient"),
    appointmentId: ref(e.appointment?.[0]?.reference, "Appointment"),
    status: e.status,
    start: e.period?.start,
    end: e.period?.end ?? null,
    dateOfService: e.period?.start?.slice(0, 10),
    siteOfCare: code(e.serviceType, SYSTEM.SITE_OF_CARE),
    diagnoses: ranked.map((d) => {
      const id = ref(d.condition.reference, "Condition");
      const found = id === null ? undefined : conditions.get(id);
      return { conditionId: id, icd10: found?.icd10, display: found?.display ?? null };
    }),
  }, e);
}

/** A ChargeItem as a captured charge (mapping in `fhir-conventions.ts`); the NDC stays as typed. */
export function toCapturedCharge(c: R4.ChargeItem): CapturedCharge {
  const ndcQuantity = ext(c.extension, EXTENSION.NDC_QUANTITY)?.valueQuantity;
  const price = c.priceOverride?.value;
  return validated(CapturedCharge, {
    id: c.id,
    code: c.code.coding?.find((x) => x.system === SYSTEM.HCPCS || x.system === SYSTEM.CPT)?.code ?? c.code.coding?.[0]?.code,
    modifiers: (c.extension ?? []).filter((x) => x.url === EXTENSION.CHARGE_MODIFIER).map((x) => x.valueCoding?.code ?? x.valueCode),
    units: c.quantity?.value,
    charge: typeof price === "number" && Number.isFinite(price) ? price.toFixed(2) : undefined,
    revenueCode: ext(c.extension, EXTENSION.REVENUE_CODE)?.valueCoding?.code ?? null,
    ndc: code(c.productCodeableConcept, SYSTEM.NDC),
    ndcQuantity: ndcQuantity?.value ?? null,
    ndcUnit: ndcQuantity === undefined ? null : ndcQuantity.code ?? null,
    diagnosisCodes: (c.reason ?? []).map((r) => code(r, SYSTEM.ICD10CM)),
    administrationIds: (c.service ?? []).map((s) => ref(s.reference, "MedicationAdministration")),
    serviceDate: c.occurrenceDateTime?.slice(0, 10) ?? c.occurrencePeriod?.start?.slice(0, 10),
  }, c);
}
