/**
 * What the generated 835s are made of: payers with their adjudication habits, oncology infusion
 * visits (drug and administration lines with plausible units and charges), and the denials an
 * infusion clinic sees, each with the group code, CARC and RARC a payer sends for it
 * (X12 external code lists 139 CARC and 411 RARC). Synthetic: no real payer, patient or provider.
 */

/** A payer as the generator adjudicates for it. */
export interface GeneratedPayer {
  name: string;
  /** CLP06 claim filing indicator (MB Medicare Part B, 16 Medicare Advantage HMO, BL, CI, MC). */
  filing: string;
  /** TRN03 / BPR10: "1" followed by the payer's EIN. */
  originator: string;
  /** N1*PR N103/N104 (XV CMS plan id), absent for payers that identify themselves by REF*2U only. */
  planId: string | null;
  /** Allowed amount as a share of charge. */
  allowedShare: number;
  /** PR-2 coinsurance percent of the allowed amount after deductible; 0 when the plan uses copays. */
  coinsurancePercent: number;
  /** PR-3 copay in cents on the first administration or visit line (0 for none). */
  copayCents: number;
  /** Chance that a claim meets an unmet deductible (PR-1). */
  deductibleChance: number;
  /** Medicare sequestration (CO-253, 2 % of the payer's share). */
  sequestration: boolean;
  /** Secondary payer: pays the primary's coinsurance (CLP02 2, OA-23 for the rest). */
  secondary: boolean;
  /** How the payer writes decimals: "fixed" 1234.50, or "minimal" 1234.5 / 1234 (both valid X12 R type). */
  amounts: "fixed" | "minimal";
  /** BPR04 payment method for a non-zero payment. */
  method: "ACH" | "CHK";
  /** Medicare crosses paid claims over to the supplemental payer (CLP02 19, NM1*TT, MOA MA18). */
  crossover: boolean;
}

export const PAYERS: readonly GeneratedPayer[] = [
  { name: "SANDBOX MEDICARE PART B", filing: "MB", originator: "1660000001", planId: null, allowedShare: 0.42, coinsurancePercent: 20, copayCents: 0, deductibleChance: 0.08, sequestration: true, secondary: false, amounts: "minimal", method: "ACH", crossover: true },
  { name: "SANDBOX MEDICARE ADVANTAGE", filing: "16", originator: "1660000002", planId: "SBXMA0001", allowedShare: 0.45, coinsurancePercent: 20, copayCents: 0, deductibleChance: 0.05, sequestration: true, secondary: false, amounts: "fixed", method: "ACH", crossover: false },
  { name: "SANDBOX BLUE CROSS", filing: "BL", originator: "1660000003", planId: null, allowedShare: 0.62, coinsurancePercent: 10, copayCents: 4000, deductibleChance: 0.15, sequestration: false, secondary: false, amounts: "fixed", method: "ACH", crossover: false },
  { name: "SANDBOX COMMERCIAL HEALTH", filing: "CI", originator: "1660000004", planId: null, allowedShare: 0.68, coinsurancePercent: 20, copayCents: 0, deductibleChance: 0.2, sequestration: false, secondary: false, amounts: "fixed", method: "CHK", crossover: false },
  { name: "SANDBOX STATE MEDICAID", filing: "MC", originator: "1660000005", planId: null, allowedShare: 0.36, coinsurancePercent: 0, copayCents: 300, deductibleChance: 0, sequestration: false, secondary: false, amounts: "minimal", method: "ACH", crossover: false },
  { name: "SANDBOX MEDIGAP SUPPLEMENT", filing: "CI", originator: "1660000006", planId: null, allowedShare: 0.42, coinsurancePercent: 20, copayCents: 0, deductibleChance: 0, sequestration: false, secondary: true, amounts: "fixed", method: "CHK", crossover: false },
];

/** One billed line of a visit: HCPCS/CPT code, charge per unit (cents), units billed. */
export interface VisitLine {
  code: string;
  unitChargeCents: number;
  units: [number, number];
  /** A drug from a single-dose container: JZ when nothing was discarded, else a JW waste line (CMS JW/JZ policy). */
  singleDose?: boolean;
  /** NUBC revenue code (SVC04) on hospital outpatient claims. */
  revenue: string;
}

const drug = (code: string, unitChargeCents: number, min: number, max: number, singleDose = true): VisitLine =>
  ({ code, unitChargeCents, units: [min, max], singleDose, revenue: "0636" });
const admin = (code: string, unitChargeCents: number, min = 1, max = 1, revenue = "0335"): VisitLine => ({ code, unitChargeCents, units: [min, max], revenue });

/** Infusion visits by regimen (drug units in the HCPCS dosage: J9271 1 mg, J9045 50 mg, …). */
export const VISITS: readonly { regimen: string; lines: readonly VisitLine[] }[] = [
  { regimen: "pembrolizumab", lines: [drug("J9271", 9500, 200, 200), admin("96413", 42000)] },
  { regimen: "carboplatin-paclitaxel", lines: [drug("J9045", 2500, 10, 16), drug("J9267", 150, 280, 350), drug("J2405", 200, 8, 16, false), drug("J1100", 100, 12, 20, false),
    admin("96413", 42000), admin("96415", 9500, 1, 2), admin("96417", 18000), admin("96375", 8500, 1, 1, "0260")] },
  { regimen: "FOLFOX", lines: [drug("J9263", 100, 150, 340), drug("J0640", 800, 8, 16), drug("J9190", 600, 6, 10, false), admin("96413", 42000), admin("96415", 9500),
    admin("96417", 18000), admin("96416", 21000)] },
  { regimen: "trastuzumab-pertuzumab", lines: [drug("J9355", 18000, 42, 84), drug("J9306", 2500, 420, 840), admin("96413", 42000), admin("96417", 18000)] },
  { regimen: "bevacizumab-biosimilar", lines: [drug("Q5107", 9500, 50, 105), admin("96413", 42000)] },
  { regimen: "nivolumab", lines: [drug("J9299", 6000, 240, 480), admin("96413", 42000)] },
  { regimen: "denosumab", lines: [drug("J0897", 3800, 120, 120), admin("96372", 6500, 1, 1, "0260")] },
  { regimen: "pegfilgrastim", lines: [drug("J2506", 65000, 12, 12), admin("96372", 6500, 1, 1, "0260")] },
  { regimen: "gemcitabine", lines: [drug("J9201", 2000, 8, 12), admin("96413", 42000), admin("96360", 19000, 1, 1, "0260")] },
  { regimen: "hydration", lines: [drug("J7050", 1200, 2, 4, false), admin("96360", 19000, 1, 1, "0260"), admin("96361", 6000, 1, 2, "0260")] },
];

/** Lines a visit may add: an E/M visit the same day (modifier 25), labs, a port flush. */
export const EXTRA_LINES: readonly { line: VisitLine; modifiers: string[]; chance: number }[] = [
  { line: admin("99214", 24000, 1, 1, "0510"), modifiers: ["25"], chance: 0.25 },
  { line: admin("36415", 2500, 1, 1, "0300"), modifiers: [], chance: 0.3 },
  { line: admin("85025", 4500, 1, 1, "0305"), modifiers: [], chance: 0.3 },
  { line: admin("96523", 7000, 1, 1, "0260"), modifiers: [], chance: 0.05 },
];

/** A denial as a payer sends it: group code, CARC, and the RARC (LQ*HE) when one goes with it. */
export interface Denial {
  group: "CO" | "PR" | "OA";
  reason: string;
  remark: string | null;
  /** Whether the payer denies the whole claim (every line) or only a drug line. */
  scope: "claim" | "drug";
}

/** The denials an infusion clinic meets, by weight. */
export const DENIALS: readonly { value: Denial; weight: number }[] = [
  { value: { group: "CO", reason: "197", remark: "M62", scope: "drug" }, weight: 6 }, // authorization absent
  { value: { group: "CO", reason: "16", remark: "M119", scope: "drug" }, weight: 5 }, // NDC missing or invalid
  { value: { group: "CO", reason: "16", remark: "N290", scope: "claim" }, weight: 2 }, // rendering provider id missing
  { value: { group: "CO", reason: "4", remark: "N519", scope: "drug" }, weight: 3 }, // JW/JZ modifier missing or inconsistent
  { value: { group: "CO", reason: "11", remark: "M76", scope: "drug" }, weight: 3 }, // diagnosis inconsistent with procedure
  { value: { group: "CO", reason: "27", remark: "N30", scope: "claim" }, weight: 2 }, // coverage terminated
  { value: { group: "CO", reason: "50", remark: "N115", scope: "drug" }, weight: 2 }, // not medically necessary (LCD)
  { value: { group: "CO", reason: "96", remark: "N425", scope: "drug" }, weight: 1 }, // non-covered (pharmacy benefit)
  { value: { group: "CO", reason: "18", remark: null, scope: "claim" }, weight: 1 }, // exact duplicate
  { value: { group: "CO", reason: "29", remark: null, scope: "claim" }, weight: 1 }, // timely filing
  { value: { group: "CO", reason: "198", remark: "N54", scope: "drug" }, weight: 1 }, // authorized units exceeded
];

/** Provider-level adjustments (PLB03-1): WO overpayment recovery, L6 interest, FB forward balance. */
export const PLB_REASONS = ["WO", "L6", "FB"] as const;

/** Claim-level remark codes (MOA03–07): MA01 appeal rights, MA07 forwarded to Medicaid, MA28 non-assigned notice. */
export const MOA_REMARKS = ["MA01", "MA07", "MA28"] as const;

/** Remarks on paid lines (LQ*HE): N362 units above the acceptable maximum, N130 consult plan documents, M80 … */
export const PAID_LINE_REMARKS = ["N130", "M80", "N362", "N20"] as const;
