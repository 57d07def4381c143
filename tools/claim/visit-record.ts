/**
 * The visit record: everything the pre-bill scrubber reads about one infusion visit after it
 * happened — the encounter, the patient and coverage, the orders and diagnoses, the MAR, the
 * charges charge capture produced, the authorizations on file and the payer's billing rules in
 * force on the date of service. The EHR client builds it from FHIR (Encounter,
 * MedicationAdministration, MedicationRequest, Condition, ChargeItem, Coverage); integrations post
 * it as JSON to `POST /v1/claims/scrub`; the sandbox and the evaluations generate it with known
 * truth. The scrubber is a pure function of a visit record and the coding tables.
 *
 * The finding codes are the contract with staff, evaluations and the README: a code is never
 * renamed or reused for another meaning.
 */
import { z } from "zod";
import { AdministrationRecord, CoverageSummary, MedicationOrder, PatientSummary } from "../ehr/ehr-types.js";
import { Address } from "./claim.js";

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const Money = z.string().regex(/^-?\d+\.\d{2}$/).describe("Decimal dollars with two places, e.g. \"1234.50\"");

/** What a pre-bill finding is about; stable codes (README "Pre-bill scrubber"). */
export const FINDING_CODES = [
  "DRUG_UNITS",
  "NDC_MISSING",
  "NDC_INVALID",
  "NDC_QUANTITY",
  "WASTE_UNBILLED",
  "WASTE_UNDOCUMENTED",
  "JZ_MISSING",
  "WASTE_VIAL_MISMATCH",
  "ADMIN_NOT_CHARGED",
  "ADMIN_NOT_DOCUMENTED",
  "ADMIN_CODE",
  "ADMIN_TIME_MISSING",
  "HYDRATION_CONCURRENT",
  "NCCI_PTP",
  "MUE",
  "DX_LINK",
  "REV_CODE",
  "AUTH_MISSING",
  "AUTH_UNITS",
  "DUPLICATE_LINE",
  "DRUG_NOT_CHARGED",
  "CLAIM_BALANCE",
  /** A 340B-acquired drug on a Medicare claim without its JG/TB modifier (added by the scrubber). */
  "MODIFIER_340B",
] as const;
export const FindingCode = z.enum(FINDING_CODES);
export type FindingCode = z.infer<typeof FindingCode>;

/**
 * One captured charge (FHIR ChargeItem): what charge capture put on the claim before anyone
 * checked it. Codes are as captured — possibly wrong; the NDC is as typed (10 or 11 digits,
 * hyphens or not).
 */
export const CapturedCharge = z.object({
  id: z.string().min(1),
  /** HCPCS or CPT as captured. */
  code: z.string().regex(/^[A-Z0-9]{5}$/),
  modifiers: z.array(z.string().regex(/^[A-Z0-9]{2}$/)).max(4).default([]),
  units: z.number().positive(),
  /** The line's charge from the clinic's charge master. */
  charge: Money,
  /** 837I revenue code as captured (null on an office claim). */
  revenueCode: z.string().regex(/^\d{4}$/).nullable().default(null),
  /** NDC as captured, any common format; null when charge capture sent none. */
  ndc: z.string().nullable().default(null),
  /** NDC quantity and unit (837 CTP04/CTP05-1). */
  ndcQuantity: z.number().positive().nullable().default(null),
  ndcUnit: z.enum(["UN", "ML", "GR", "ME", "F2"]).nullable().default(null),
  /** ICD-10-CM codes the line points at (as on the claim's diagnosis pointers). */
  diagnosisCodes: z.array(z.string()).max(4).default([]),
  /** MAR entries charge capture attached the line to (empty when it did not say). */
  administrationIds: z.array(z.string()).default([]),
  serviceDate: IsoDate,
});
export type CapturedCharge = z.infer<typeof CapturedCharge>;
export type CapturedChargeInput = z.input<typeof CapturedCharge>;

/** An authorization on file for the visit's drugs (from the prior-auth agent's ledger or the EHR). */
export const AuthorizationOnFile = z.object({
  number: z.string().min(1),
  /** HCPCS codes it covers. */
  codes: z.array(z.string()).min(1),
  from: IsoDate,
  to: IsoDate,
  /** Units authorized over the period (null when the payer authorized visits, not units). */
  unitsAuthorized: z.number().nonnegative().nullable().default(null),
  /** Units already billed against it before this visit. */
  unitsUsed: z.number().nonnegative().default(0),
  diagnosisCodes: z.array(z.string()).default([]),
  status: z.enum(["approved", "pending", "denied", "expired"]).default("approved"),
});
export type AuthorizationOnFile = z.infer<typeof AuthorizationOnFile>;

/**
 * A payer billing rule in force on the date of service (a payer rule overlay): data the clinic
 * keeps per payer, effective-dated, editable by admins without a release.
 */
export const PayerBillingRule = z.discriminatedUnion("kind", [
  z.object({ id: z.string(), kind: z.literal("requires-jw-jz"), note: z.string().nullable().default(null) }),
  z.object({ id: z.string(), kind: z.literal("waives-jw-jz"), note: z.string().nullable().default(null) }),
  z.object({ id: z.string(), kind: z.literal("requires-ndc"), note: z.string().nullable().default(null) }),
  z.object({ id: z.string(), kind: z.literal("bundles-pair"), column1: z.string(), column2: z.string(), modifierAllowed: z.boolean(), note: z.string().nullable().default(null) }),
  z.object({ id: z.string(), kind: z.literal("site-of-service"), codes: z.array(z.string()), allowedSites: z.array(z.enum(["hospital-outpatient", "physician-office"])), note: z.string().nullable().default(null) }),
  z.object({ id: z.string(), kind: z.literal("auth-required"), codes: z.array(z.string()), note: z.string().nullable().default(null) }),
]);
export type PayerBillingRule = z.infer<typeof PayerBillingRule>;

/** A free-text note on the visit (e.g. the nurse's waste reason). Data, never instructions. */
export const VisitNote = z.object({ id: z.string(), title: z.string().nullable().default(null), text: z.string().max(20_000) });

/** The visit record (JSON schema in /openapi.json and the README). */
export const VisitRecord = z.object({
  visitId: z.string().min(1).max(64).describe("The encounter id; the claim's patient control number derives from it"),
  dateOfService: IsoDate,
  siteOfCare: z.enum(["hospital-outpatient", "physician-office"]).describe("hospital-outpatient bills 837I (type of bill 13x, revenue codes); physician-office 837P (place of service 11)"),
  billingProvider: z.object({ name: z.string().min(1), npi: z.string().regex(/^\d{10}$/), taxId: z.string().regex(/^\d{9}$/), address: Address }),
  patient: PatientSummary,
  coverage: CoverageSummary,
  /** ICD-10-CM codes on the encounter, principal first. */
  diagnoses: z.array(z.object({ icd10: z.string(), display: z.string().nullable().default(null) })).min(1).max(12),
  orders: z.array(MedicationOrder).default([]),
  administrations: z.array(AdministrationRecord.extend({
    /** 340B-acquired drug (Medicare needs JG/TB on its line). */
    acquired340b: z.boolean().default(false),
    /** Concentration of a dose recorded in mL, e.g. "25 mg/mL" (needed to bill a mL dose in mg units). */
    concentration: z.string().max(40).nullable().default(null),
  })).default([]),
  charges: z.array(CapturedCharge).max(50),
  authorizations: z.array(AuthorizationOnFile).default([]),
  payerRules: z.array(PayerBillingRule).default([]),
  notes: z.array(VisitNote).default([]),
  /** The claim total as charge capture computed it (CLM02), when it sent one; else the sum of the charges. */
  capturedTotalCharge: Money.optional(),
});
export type VisitRecord = z.infer<typeof VisitRecord>;
export type VisitRecordInput = z.input<typeof VisitRecord>;
