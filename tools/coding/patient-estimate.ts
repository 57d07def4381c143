/**
 * The patient's estimated share of a visit's drugs: deductible remaining first, then coinsurance
 * on the rest, capped at the out-of-pocket remaining. The allowed amount per line is the contract
 * rate when the plan's contract is known (% of ASP or fee schedule), else the Medicare rate
 * (ASP + 6 %) — an estimate, labelled with its basis. Exact decimals throughout.
 */
import { Decimal } from "decimal.js";
import type { AspPricing } from "./asp-pricing.js";
import { expectedPayment, type ContractTerms, type PriceRequest } from "./expected-payment.js";

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
  /** Lines that could not be priced (no ASP payment limit for the quarter), with why. */
  unpriced: { hcpcs: string; reason: string }[];
}

/** What the 271 says about the patient's accumulators. */
export interface BenefitAccumulators {
  deductibleRemaining: string | null;
  coinsurancePercent: string | null;
  outOfPocketRemaining: string | null;
}

const money = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
const DEFAULT_COINSURANCE = "20";

/** Estimates the patient's share of a visit. `contractFor` gives a commercial plan's terms per drug. */
export function estimatePatientShare(
  asp: AspPricing,
  lines: EstimateLine[],
  dateOfService: string,
  benefits: BenefitAccumulators,
  options: { payerType: PriceRequest["payerType"]; contractFor?: (hcpcs: string) => ContractTerms | undefined },
): PatientEstimate {
  const priced: PatientEstimate["lines"] = [];
  const unpriced: PatientEstimate["unpriced"] = [];
  for (const l of lines) {
    const contract = options.payerType === "medicare" ? undefined : options.contractFor?.(l.hcpcs);
    const payerType = contract === undefined ? "medicare" : options.payerType;
    try {
      const price = expectedPayment(asp, { hcpcs: l.hcpcs, units: l.units, dateOfService, payerType, contract });
      priced.push({ hcpcs: l.hcpcs, units: l.units, allowed: price.allowed, basis: contract === undefined ? "Medicare rate (ASP + 6 %)" : price.basis });
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
  return {
    allowed: money(allowed), deductibleApplied: money(deductible), coinsurancePercent: new Decimal(percent).toFixed(2), coinsurance: money(coins),
    patientShare: money(share), cappedByOutOfPocket: capped,
    basis: `estimate: ${bases.length === 0 ? "no priced lines" : bases.join("; ")}${benefits.coinsurancePercent === null ? `; coinsurance not in the 271, ${DEFAULT_COINSURANCE} % assumed` : ""}`,
    lines: priced, unpriced,
  };
}
