/**
 * The patient's estimated share of a visit's drugs: deductible remaining first, then coinsurance
 * on the rest, capped at the out-of-pocket remaining. The allowed amount is estimated at the
 * Medicare rate (ASP + 6 %) unless a contract is given — an estimate, labelled with its basis.
 */
import { Decimal } from "decimal.js";
import type { AspPricing } from "./asp-pricing.js";
import { expectedPayment, type ContractTerms } from "./expected-payment.js";

export interface EstimateLine {
  hcpcs: string;
  units: number;
}

export interface PatientEstimate {
  allowed: string;
  deductibleApplied: string;
  coinsurance: string;
  patientShare: string;
  basis: string;
  lines: { hcpcs: string; units: number; allowed: string }[];
  unpriced: string[];
}

const money = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);

export function estimatePatientShare(
  asp: AspPricing,
  lines: EstimateLine[],
  dateOfService: string,
  benefits: { deductibleRemaining: string | null; coinsurancePercent: string | null; outOfPocketRemaining: string | null },
  options: { payerType?: "medicare" | "medicare-advantage" | "commercial" | "medicaid"; contract?: ContractTerms } = {},
): PatientEstimate {
  const priced: PatientEstimate["lines"] = [];
  const unpriced: string[] = [];
  for (const l of lines) {
    try {
      const payerType = options.contract === undefined ? "medicare" : (options.payerType ?? "commercial");
      priced.push({ hcpcs: l.hcpcs, units: l.units, allowed: expectedPayment(asp, { hcpcs: l.hcpcs, units: l.units, dateOfService, payerType, contract: options.contract }).allowed });
    } catch {
      unpriced.push(l.hcpcs);
    }
  }
  const allowed = priced.reduce((s, l) => s.plus(l.allowed), new Decimal(0));
  const deductible = Decimal.min(new Decimal(benefits.deductibleRemaining ?? "0"), allowed);
  const coins = allowed.minus(deductible).times(benefits.coinsurancePercent ?? "20").dividedBy(100);
  let share = deductible.plus(coins);
  if (benefits.outOfPocketRemaining !== null) share = Decimal.min(share, new Decimal(benefits.outOfPocketRemaining));
  return {
    allowed: money(allowed), deductibleApplied: money(deductible), coinsurance: money(coins), patientShare: money(share),
    basis: options.contract === undefined ? "estimated at the Medicare rate (ASP + 6 %)" : "estimated at the contract rate",
    lines: priced, unpriced,
  };
}
