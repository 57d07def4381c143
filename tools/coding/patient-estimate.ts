/**
 * The patient's estimated share of a visit's drugs: deductible remaining first, then coinsurance
 * on the rest, capped at the out-of-pocket remaining. The allowed amount per line is the contract
 * rate when the plan's contract is known (% of ASP or fee schedule), else the Medicare rate
 * (ASP + 6 %) — an estimate, labelled with its basis. Exact decimals throughout.
 *
 * Prices come from the ASP file in force on the date of service. When that quarter's file is not
 * loaded the lines are priced from the latest earlier quarter, and the estimate says so
 * (`priceQuarter`, `stale`) and is less confident; a line that cannot be priced is listed, never
 * guessed, and an estimate with no priced line is a zero, not an estimate (confidence 0).
 */
import { Decimal } from "decimal.js";
import type { AspPricing } from "./asp-pricing.js";
import { expectedPayment, type ContractTerms, type PriceRequest } from "./expected-payment.js";
import { quarterLabel, quarterOf } from "./quarters.js";

/** One drug line to estimate. */
export interface EstimateLine {
  hcpcs: string;
  units: number;
}

/** The estimate, in decimal-string dollars. */
export interface PatientEstimate {
  allowed: string;
  deductibleApplied: string;
  coinsurancePercent: string;
  coinsurance: string;
  patientShare: string;
  /** True when the out-of-pocket maximum capped the share. */
  cappedByOutOfPocket: boolean;
  basis: string;
  lines: { hcpcs: string; units: number; allowed: string; basis: string }[];
  /** Lines that could not be priced (no units, no ASP payment limit), with why. */
  unpriced: { hcpcs: string; reason: string }[];
  /** The quarter in force on the date of service (`2026Q4`). */
  quarterInForce: string;
  /** The quarter whose ASP file priced the lines; null when no line was priced. */
  priceQuarter: string | null;
  /** True when the lines were priced from an earlier quarter because the quarter in force is not loaded. */
  stale: boolean;
  /** How far the estimate can be relied on, in [0, 1] (see `ESTIMATE_CONFIDENCE`). */
  confidence: number;
}

/** What the 271 says about the patient's accumulators. */
export interface BenefitAccumulators {
  deductibleRemaining: string | null;
  coinsurancePercent: string | null;
  outOfPocketRemaining: string | null;
}

/** Confidence of an estimate: the lowest that applies. */
export const ESTIMATE_CONFIDENCE = {
  /** Every line priced from the quarter in force, with the coinsurance the 271 gave. */
  complete: 0.95,
  /** The 271 gave no coinsurance: 20 % assumed. */
  coinsuranceAssumed: 0.8,
  /** Priced from an earlier quarter's file: the quarter in force is not loaded. */
  stale: 0.6,
  /** Some lines could not be priced: the share is short by their amount. */
  partial: 0.4,
  /** Lines to price, none priced: the amount is a zero, not an estimate. */
  none: 0,
} as const;

const money = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
const DEFAULT_COINSURANCE = "20";

/**
 * Estimates the patient's share of a visit. `contractFor` gives a commercial plan's terms per
 * drug; `notPriceable` lists drugs that could not even be turned into lines (units not computed),
 * which count as unpriced.
 */
export function estimatePatientShare(
  asp: AspPricing,
  lines: EstimateLine[],
  dateOfService: string,
  benefits: BenefitAccumulators,
  options: { payerType: PriceRequest["payerType"]; contractFor?: (hcpcs: string) => ContractTerms | undefined; notPriceable?: { hcpcs: string; reason: string }[] },
): PatientEstimate {
  const priced: PatientEstimate["lines"] = [];
  const unpriced: PatientEstimate["unpriced"] = [...(options.notPriceable ?? [])];
  const quarterInForce = quarterOf(dateOfService).quarter;
  let priceQuarter: string | null = null;
  let stale = false;
  for (const l of lines) {
    const contract = options.payerType === "medicare" ? undefined : options.contractFor?.(l.hcpcs);
    const payerType = contract === undefined ? "medicare" : options.payerType;
    try {
      const price = expectedPayment(asp, { hcpcs: l.hcpcs, units: l.units, dateOfService, payerType, contract, allowStale: true });
      priced.push({ hcpcs: l.hcpcs, units: l.units, allowed: price.allowed, basis: contract === undefined ? "Medicare rate (ASP + 6 %)" : price.basis });
      priceQuarter = price.quarter;
      stale ||= price.stale;
    } catch (error) {
      unpriced.push({ hcpcs: l.hcpcs, reason: (error as Error).message });
    }
  }
  const allowed = priced.reduce((s, l) => s.plus(l.allowed), new Decimal(0));
  const deductible = Decimal.min(new Decimal(benefits.deductibleRemaining ?? "0"), allowed);
  const percent = benefits.coinsurancePercent ?? DEFAULT_COINSURANCE;
  const coins = new Decimal(money(allowed.minus(deductible).times(percent).dividedBy(100)));
  let share = deductible.plus(coins);
  let capped = false;
  if (benefits.outOfPocketRemaining !== null && share.greaterThan(benefits.outOfPocketRemaining)) {
    share = new Decimal(benefits.outOfPocketRemaining);
    capped = true;
  }
  const bases = [...new Set(priced.map((l) => l.basis))];
  const notes = [
    ...(stale && priceQuarter !== null ? [`priced from the ${quarterLabel(priceQuarter)} ASP file: the ${quarterLabel(quarterInForce)} file is not loaded`] : []),
    ...(priced.length > 0 && unpriced.length > 0 ? [`${unpriced.length} drug line${unpriced.length === 1 ? "" : "s"} not priced`] : []),
    ...(benefits.coinsurancePercent === null ? [`coinsurance not in the 271, ${DEFAULT_COINSURANCE} % assumed`] : []),
  ];
  return {
    allowed: money(allowed), deductibleApplied: money(deductible), coinsurancePercent: new Decimal(percent).toFixed(2), coinsurance: money(coins),
    patientShare: money(share), cappedByOutOfPocket: capped,
    basis: `estimate: ${bases.length > 0 ? bases.join("; ") : lines.length + unpriced.length === 0 ? "no drug lines to price" : "no priced lines"}${notes.map((n) => `; ${n}`).join("")}`,
    lines: priced, unpriced, quarterInForce, priceQuarter, stale,
    confidence: estimateConfidence({ priced: priced.length, unpriced: unpriced.length, stale, coinsuranceAssumed: benefits.coinsurancePercent === null }),
  };
}

/** The lowest confidence that applies to an estimate's facts. */
function estimateConfidence(f: { priced: number; unpriced: number; stale: boolean; coinsuranceAssumed: boolean }): number {
  if (f.priced === 0 && f.unpriced > 0) return ESTIMATE_CONFIDENCE.none;
  return Math.min(
    ESTIMATE_CONFIDENCE.complete,
    f.unpriced > 0 ? ESTIMATE_CONFIDENCE.partial : 1,
    f.stale ? ESTIMATE_CONFIDENCE.stale : 1,
    f.coinsuranceAssumed ? ESTIMATE_CONFIDENCE.coinsuranceAssumed : 1,
  );
}
