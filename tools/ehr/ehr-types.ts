/**
 * What the agents read from and write to the EHR, in the clinic's words. The FHIR client maps
 * FHIR R4 resources onto these; every field is validated with zod on the way in.
 */
import { z } from "zod";
import { DRUG_CLASSES, PAYER_TYPES, ROUTES, SUPPLY_MODES } from "./fhir-conventions.js";

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const Quantity = z.object({ value: z.number(), unit: z.string() });

/** A patient, with what dosing and eligibility need. PHI: stays in the database. */
export const PatientSummary = z.object({
  id: z.string(),
  mrn: z.string().nullable(),
  firstName: z.string(),
  lastName: z.string(),
  birthDate: IsoDate,
  gender: z.string().nullable(),
  weightKg: z.number().nullable(),
  bsaM2: z.number().nullable(),
  /** The home address (Patient.address, home or first), when the EHR has a usable one; a dependent's claim needs it (837 2010CA N3/N4). */
  address: z.object({ line1: z.string(), line2: z.string().nullable(), city: z.string(), state: z.string().length(2), zip: z.string().regex(/^\d{5}(\d{4})?$/) }).nullish(),
});
export type PatientSummary = z.infer<typeof PatientSummary>;

/** A scheduled infusion visit with the orders it is for. */
export const ScheduledInfusion = z.object({
  appointmentId: z.string(),
  patientId: z.string(),
  start: z.string().describe("ISO date-time"),
  dateOfService: IsoDate,
  status: z.string(),
  siteOfCare: z.enum(["hospital-outpatient", "physician-office"]).nullable(),
  orderIds: z.array(z.string()).describe("MedicationRequest ids this visit administers"),
});
export type ScheduledInfusion = z.infer<typeof ScheduledInfusion>;

/** The drug fields orders and administrations share. */
const DrugFields = {
  drugName: z.string(),
  hcpcs: z.string().nullable(),
  ndc: z.string().nullable(),
  drugClass: z.enum(DRUG_CLASSES).nullable(),
  dose: Quantity.nullable(),
  route: z.enum(ROUTES).nullable(),
};

/** An active medication order (one drug of the regimen). */
export const MedicationOrder = z.object({
  id: z.string(),
  patientId: z.string(),
  ...DrugFields,
  cycleDays: z.number().int().nullable(),
  supply: z.enum(SUPPLY_MODES).nullable().describe("buy-and-bill (clinic bills the J-code) or white-bag (pharmacy benefit)"),
  diagnosisCodes: z.array(z.string()),
  status: z.string(),
});
export type MedicationOrder = z.infer<typeof MedicationOrder>;

/** One administration on the MAR. A missing stop time stays missing: never guessed. */
export const AdministrationRecord = z.object({
  id: z.string(),
  encounterId: z.string().nullable(),
  patientId: z.string(),
  orderId: z.string().nullable(),
  ...DrugFields,
  start: z.string().nullable(),
  stop: z.string().nullable(),
  site: z.string().nullable(),
  wasted: Quantity.nullable(),
  containersOpened: z.number().int().nullable(),
  pump: z.boolean(),
});
export type AdministrationRecord = z.infer<typeof AdministrationRecord>;

/** The person who holds a policy, when it is not the patient. PHI: stays in the database. */
export const PolicyHolder = z.object({
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  birthDate: IsoDate.nullable(),
  gender: z.string().nullable(),
});
export type PolicyHolder = z.infer<typeof PolicyHolder>;

/** A coverage on file. */
export const CoverageSummary = z.object({
  id: z.string(),
  patientId: z.string(),
  status: z.string(),
  payerId: z.string().nullable(),
  payerName: z.string().nullable(),
  payerType: z.enum(PAYER_TYPES).nullable(),
  memberId: z.string().nullable().describe("Coverage.subscriberId: the subscriber's member id (NM1*IL on the 270)"),
  /** The patient's own member id (Coverage.identifier of type MB) when it differs from the subscriber's. */
  patientMemberId: z.string().nullable(),
  /** Coverage.relationship (subscriber-relationship): self, spouse, child, parent, common, other, injured; null when not recorded. */
  relationship: z.string().nullable(),
  /** The subscriber when not the patient, read from Coverage.subscriber; null when the patient is the subscriber or it cannot be read. */
  subscriber: PolicyHolder.nullable(),
  /** Coverage.subscriber's reference as written (`#contained`, `Patient/…`, `RelatedPerson/…`), or null. */
  subscriberRef: z.string().nullable(),
  planId: z.string().nullable(),
  planName: z.string().nullable(),
  start: IsoDate.nullable(),
  end: IsoDate.nullable(),
  order: z.number().int().nullable().describe("1 = primary"),
});
export type CoverageSummary = z.infer<typeof CoverageSummary>;

/** A diagnosis on the problem list. */
export const Diagnosis = z.object({ id: z.string(), patientId: z.string(), icd10: z.string(), display: z.string().nullable(), clinicalStatus: z.string().nullable() });
export type Diagnosis = z.infer<typeof Diagnosis>;

/** A clinical note's text. PHI: stays in the database. */
export const ClinicalNote = z.object({ id: z.string(), patientId: z.string(), date: z.string().nullable(), title: z.string().nullable(), text: z.string() });
export type ClinicalNote = z.infer<typeof ClinicalNote>;

/** A verification to write back to the chart. */
export const VerificationWriteBack = z.object({
  patientId: z.string(),
  coverageId: z.string(),
  appointmentId: z.string(),
  dateOfService: IsoDate,
  outcome: z.enum(["complete", "partial", "error"]).describe("complete: the payer stated coverage; partial: it did not for this date; error: it rejected the inquiry"),
  disposition: z.string().describe("One line staff read in the chart"),
  inforce: z.boolean().nullable().describe("Coverage in force on the date of service; null when the payer did not say"),
  benefits: z.array(z.object({ category: z.string(), description: z.string() })),
  requestorRef: z.string().describe("Who verified: the agent and run"),
});
export type VerificationWriteBack = z.infer<typeof VerificationWriteBack>;

/** A task for the clinic's staff, shown in their EHR worklist. */
export const StaffTask = z.object({
  patientId: z.string(),
  focusRef: z.string().describe("The FHIR reference the task is about"),
  code: z.string(),
  description: z.string(),
  dueBy: z.string().nullable(),
});
export type StaffTask = z.infer<typeof StaffTask>;
