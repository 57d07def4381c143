/**
 * A past visit as the EHR holds it after charge capture: the encounter with its diagnoses, the
 * MAR and the captured charges — the parts of a visit record (`tools/claim/visit-record.ts`) the
 * EHR supplies; the agent adds coverage, orders, authorizations and payer rules.
 */
import { z } from "zod";
import { CapturedCharge } from "../claim/visit-record.js";
import { AdministrationRecord } from "./ehr-types.js";

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** A finished infusion encounter. */
export const VisitEncounter = z.object({
  id: z.string().min(1),
  patientId: z.string(),
  appointmentId: z.string().nullable(),
  status: z.string(),
  start: z.string().describe("ISO date-time"),
  end: z.string().nullable(),
  dateOfService: IsoDate,
  siteOfCare: z.enum(["hospital-outpatient", "physician-office"]).nullable(),
  /** Encounter.diagnosis in rank order (1 principal), resolved to their ICD-10-CM codes. */
  diagnoses: z.array(z.object({ conditionId: z.string(), icd10: z.string(), display: z.string().nullable() })),
});
export type VisitEncounter = z.infer<typeof VisitEncounter>;

/** `EhrClient.getVisit`: the encounter, its MAR and its ChargeItems. */
export const VisitFromEhr = z.object({
  encounter: VisitEncounter,
  administrations: z.array(AdministrationRecord),
  charges: z.array(CapturedCharge),
});
export type VisitFromEhr = z.infer<typeof VisitFromEhr>;

/** `EhrClient.findCapturedVisits`: a visit whose charges are captured. */
export const CapturedVisitSummary = z.object({
  encounterId: z.string(),
  patientId: z.string(),
  appointmentId: z.string().nullable(),
  dateOfService: IsoDate,
  siteOfCare: z.enum(["hospital-outpatient", "physician-office"]).nullable(),
  chargeCount: z.number().int().positive(),
});
export type CapturedVisitSummary = z.infer<typeof CapturedVisitSummary>;
