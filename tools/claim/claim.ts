/**
 * The project's claim model: what the 837 writers produce from and the 837 readers read into,
 * and what the pre-bill scrubber and the payer simulator work on. Amounts are decimal strings.
 */
import { z } from "zod";
import { BadInputError } from "../errors.js";

const Money = z.string().regex(/^-?\d+\.\d{2}$/).describe("Decimal dollars with two places, e.g. \"1234.50\"");
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** A postal address. */
export const Address = z.object({
  line1: z.string().min(1),
  line2: z.string().nullable().default(null),
  city: z.string().min(1),
  state: z.string().length(2),
  zip: z.string().regex(/^\d{5}(\d{4})?$/),
});
export type Address = z.infer<typeof Address>;

/** NDC drug identification on a drug line (837 2410 LIN/CTP). */
export const DrugIdentification = z.object({
  ndc11: z.string().regex(/^\d{11}$/).describe("11-digit NDC, 5-4-2 without hyphens"),
  quantity: z.number().positive(),
  unit: z.enum(["UN", "ML", "GR", "ME", "F2"]).describe("UN unit, ML millilitre, GR gram, ME milligram, F2 international unit"),
});
export type DrugIdentification = z.infer<typeof DrugIdentification>;

/** A service line. */
export const ServiceLine = z.object({
  procedure: z.object({
    code: z.string().regex(/^[A-Z0-9]{5}$/).describe("HCPCS or CPT"),
    modifiers: z.array(z.string().regex(/^[A-Z0-9]{2}$/)).max(4).default([]),
  }),
  /** Revenue code (837I only), e.g. 0636 drugs requiring detailed coding. */
  revenueCode: z.string().regex(/^\d{4}$/).nullable().default(null),
  charge: Money,
  units: z.number().positive(),
  unitBasis: z.enum(["UN", "MJ"]).default("UN").describe("UN units, MJ minutes"),
  serviceDate: IsoDate,
  serviceDateEnd: IsoDate.nullable().default(null),
  /** 1-based pointers into the claim's diagnoses (837P SV107). */
  diagnosisPointers: z.array(z.number().int().min(1).max(12)).max(4).default([]),
  drug: DrugIdentification.nullable().default(null),
  note: z.string().nullable().default(null),
  lineControlNumber: z.string().nullable().default(null),
});
export type ServiceLine = z.infer<typeof ServiceLine>;

/**
 * PAT01 individual relationship codes a patient who is not the subscriber may have
 * (005010X222A1 / X223A2 2000C PAT01): 01 spouse, 19 child, 20 employee, 21 unknown,
 * 39 organ donor, 40 cadaver donor, 53 life partner, G8 other relationship. 18 (self) is not one:
 * a patient who is the subscriber has no 2000C loop.
 */
export const PATIENT_RELATIONSHIPS = ["01", "19", "20", "21", "39", "40", "53", "G8"] as const;

/**
 * The patient when not the subscriber — a dependent on the subscriber's policy, written in the
 * patient loop 2000C/2010CA (HL*…*23, PAT, NM1*QC, N3/N4, DMG) under the subscriber's 2000B
 * (X222A1 1.4.3.2.2.1: the claim sits in 2000C when the patient is not the subscriber).
 */
export const ClaimPatient = z.object({
  relationship: z.enum(PATIENT_RELATIONSHIPS).describe("PAT01: the patient's relationship to the subscriber"),
  lastName: z.string().min(1),
  firstName: z.string().min(1),
  birthDate: IsoDate,
  gender: z.enum(["M", "F", "U"]),
  /** 2010CA N3/N4 are required in both guides (unlike the subscriber's, which are required only when the subscriber is the patient). */
  address: Address,
});
export type ClaimPatient = z.infer<typeof ClaimPatient>;

/** A claim, professional (837P) or institutional (837I). */
export const Claim = z.object({
  form: z.enum(["837P", "837I"]),
  claimId: z.string().min(1).max(38).describe("Patient control number (CLM01)"),
  totalCharge: Money,
  frequency: z.string().regex(/^\d$/).default("1").describe("Claim frequency: 1 original, 7 replacement, 8 void"),
  /** 837P: place of service (11 office, 22 outpatient hospital …). */
  placeOfService: z.string().regex(/^\d{2}$/).nullable().default(null),
  /** 837I: type of bill facility code + classification (13 = hospital outpatient). */
  facilityType: z.string().regex(/^\d{2}$/).nullable().default(null),
  billingProvider: z.object({ name: z.string().min(1), npi: z.string().regex(/^\d{10}$/), taxId: z.string().regex(/^\d{9}$/), address: Address }),
  subscriber: z.object({
    memberId: z.string().min(1),
    lastName: z.string().min(1),
    firstName: z.string().min(1),
    birthDate: IsoDate,
    gender: z.enum(["M", "F", "U"]),
    address: Address.nullable().default(null),
    groupNumber: z.string().nullable().default(null),
    /** SBR09 claim filing indicator: MB Medicare Part B, 16 HMO Medicare risk, CI commercial, MC Medicaid. */
    filingIndicator: z.string().min(2).max(2),
  }),
  /** The patient when not the subscriber (a dependent); null: the patient is the subscriber (SBR02 18). */
  patient: ClaimPatient.nullable().default(null),
  payer: z.object({ name: z.string().min(1), id: z.string().min(1) }),
  priorAuthorization: z.string().nullable().default(null),
  /** ICD-10-CM codes without the dot; the first is the principal diagnosis. */
  diagnoses: z.array(z.string().regex(/^[A-Z]\d[0-9A-Z]{1,5}$/)).min(1).max(12),
  statementFrom: IsoDate.nullable().default(null),
  statementTo: IsoDate.nullable().default(null),
  lines: z.array(ServiceLine).min(1).max(50),
}).superRefine((claim, ctx) => {
  // 005010X222A1 / X223A2 2300 CLM02: "the sum of all charges included within this claim" —
  // the total must equal the line charges (SV102 / SV203), or the payer rejects the claim.
  const lineTotal = sumMoney(claim.lines.map((l) => l.charge));
  if (lineTotal !== null && lineTotal !== claim.totalCharge) {
    ctx.addIssue({ code: "custom", path: ["totalCharge"], message: `totalCharge ${claim.totalCharge} is not the sum of the line charges, ${lineTotal}`, params: { rule: "CLAIM_UNBALANCED", lineTotal } });
  }
});
export type Claim = z.infer<typeof Claim>;
export type ClaimInput = z.input<typeof Claim>;

/** Σ of two-decimal money strings, exact (integer cents as BigInt); null when one is not money. */
export function sumMoney(amounts: readonly string[]): string | null {
  let cents = 0n;
  for (const a of amounts) {
    if (!/^-?\d+\.\d{2}$/.test(a)) return null;
    cents += BigInt(a.replace(".", ""));
  }
  const sign = cents < 0n ? "-" : "";
  const abs = (cents < 0n ? -cents : cents).toString().padStart(3, "0");
  return `${sign}${abs.slice(0, -2)}.${abs.slice(-2)}`;
}

/** A claim whose total charge (CLM02) is not the sum of its line charges: never written, never sent. */
export class ClaimUnbalancedError extends BadInputError {
  constructor(claimId: string, totalCharge: string, lineTotal: string) {
    super(`Claim ${claimId}: total charge ${totalCharge} is not the sum of its line charges, ${lineTotal}`, {
      code: "CLAIM_UNBALANCED", details: { claimId, totalCharge, lineTotal },
    });
  }
}
