/** The sandbox world a generator run produces: the EHR's FHIR data, the payer's records and the truth. */
import { z } from "zod";
import type { PlantedError } from "./visits/charge-errors.js";

/** Real-world defects the generator plants, at configurable rates. */
export const DEFECTS = [
  "missing-stop-time", "missing-waste-record", "expired-auth", "no-auth-on-file", "wrong-ndc", "coverage-terminated",
  "pharmacy-benefit-buy-and-bill",
] as const;
export type Defect = (typeof DEFECTS)[number];

/** Defect rates (0–1), per patient or per administration as each defect's note says. */
export const DefectRates = z.object({
  missingStopTime: z.number().min(0).max(1).default(0.03).describe("per administration in the past"),
  missingWasteRecord: z.number().min(0).max(1).default(0.05).describe("per administration with waste"),
  expiredAuth: z.number().min(0).max(1).default(0.06).describe("per patient-drug needing auth"),
  noAuthOnFile: z.number().min(0).max(1).default(0.05).describe("per patient-drug needing auth"),
  wrongNdc: z.number().min(0).max(1).default(0.02).describe("per administration"),
  coverageTerminated: z.number().min(0).max(1).default(0.04).describe("per patient"),
  pharmacyBenefitBuyAndBill: z.number().min(0).max(1).default(0.3).describe("per patient-drug the plan routes to pharmacy"),
});
export type DefectRates = z.infer<typeof DefectRates>;

/** A member as the payer knows them, with accumulators. */
const CoveredPerson = z.object({
  payerId: z.string(),
  /** The member id (a dependent's is the subscriber's). */
  memberId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  birthDate: z.string(),
  gender: z.string(),
  coverageStart: z.string(),
  coverageEnd: z.string().nullable(),
  deductibleMet: z.string(),
  oopMet: z.string(),
});

export const PayerMember = CoveredPerson.extend({
  planId: z.string(),
  familyDeductibleMet: z.string().nullable(),
  /** How the payer's 271 departs from the plain answer (absent: plain); see `ELIGIBILITY_STYLES`. */
  eligibilityStyle: z.enum(["pending-investigation", "no-status", "answers-for-today"]).nullable().optional(),
});
export type PayerMember = z.infer<typeof PayerMember>;

/**
 * Someone covered on a member's policy with no member id of their own (spouse, child …): the payer
 * finds them by the subscriber's member id, their name and birth date (a 270's 2000D loop).
 */
export const PayerDependent = CoveredPerson.extend({
  /** The dependent's number on the policy (1, 2 …). */
  sequence: z.number().int().positive(),
  /** X12 INS02 individual relationship code: 01 spouse, 19 child, 53 life partner, G8 other. */
  relationship: z.string(),
});
export type PayerDependent = z.infer<typeof PayerDependent>;

/** An authorization on file at the payer (the clinic keeps a copy in its ledger). */
export const PayerAuthorization = z.object({
  authNumber: z.string(),
  payerId: z.string(),
  memberId: z.string(),
  /**
   * The clinic's patient the member is (the payer itself does not know it); when absent the seed
   * finds the patient by the coverage with this payer and member id.
   */
  patientId: z.string().optional(),
  hcpcs: z.string(),
  unitsApproved: z.number().int(),
  unitsUsed: z.number().int(),
  start: z.string(),
  end: z.string(),
  diagnosisCodes: z.array(z.string()),
  status: z.enum(["approved", "pended", "denied"]),
});
export type PayerAuthorization = z.infer<typeof PayerAuthorization>;

/** What is true of one appointment, for tests and evaluations. */
export interface AppointmentTruth {
  appointmentId: string;
  patientId: string;
  dateOfService: string;
  payerId: string;
  planId: string;
  payerType: string;
  coverageActive: boolean;
  /** Who the patient is on the policy (FHIR subscriber-relationship: self, spouse, child …). */
  relationship?: string;
  drugs: { drug: string; hcpcs: string; orderId: string; route: "medical" | "pharmacy"; supply: "buy-and-bill" | "white-bag"; authRequired: boolean; authValid: boolean | null; authEnd: string | null; cycleDays: number; billingUnits: number }[];
  defects: Defect[];
  /**
   * For a past visit whose charges were captured: the encounter and the charge errors planted in
   * it (empty: clean). Absent for future visits and clinics generated without charge capture.
   */
  charges?: { encounterId: string; errors: PlantedError[] };
}

/** A generated clinic. */
export interface SandboxClinic {
  seed: number;
  asOf: string;
  range: { from: string; to: string };
  bundle: { resourceType: "Bundle"; type: "transaction"; entry: { resource: Record<string, unknown>; request: { method: "PUT"; url: string } }[] };
  members: PayerMember[];
  /** Patients covered as dependents on a member's policy (absent: none). */
  dependents?: PayerDependent[];
  authorizations: PayerAuthorization[];
  truth: AppointmentTruth[];
}
