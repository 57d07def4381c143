/**
 * Expected payment for a drug line, in exact decimals.
 *
 * Medicare Part B (and Medicare Advantage paying Medicare rates): allowed = units × payment limit
 * (ASP + 6 %); the deductible comes off first; Medicare pays 80 % of the rest (or 100 − the
 * file's co-insurance); the 2 % sequestration cut applies to Medicare's share (Medicare only).
 * Commercial and Medicaid: the contract — "% of ASP" (ASP = payment limit ÷ 1.06) or a fee
 * schedule rate per unit — and the plan's coinsurance after the deductible.
 *
 * Rounding, stated once: the allowed amount is rounded half-up to cents; every later amount is
 * computed from the rounded allowed and rounded half-up to cents; the patient's share is the
 * allowed amount less the payer's share before sequestration, so the two always add up.
 */
import { Decimal } from "decimal.js";
import { BadInputError, NotFoundError } from "../errors.js";
import type { AspPricing } from "./asp-pricing.js";
import { quarterLabel } from "./quarters.js";

const cents = (d: Decimal): Decimal => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
const money = (d: Decimal): string => cents(d).toFixed(2);

/** Contract terms for non-Medicare payers. */
export type ContractTerms =
  | { kind: "asp-percent"; percentOfAsp: number }
  | { kind: "fee-schedule"; rate: string };

/** What to price. */
export interface PriceRequest {
  hcpcs: string;
  units: number;
  dateOfService: string;
  payerType: "medicare" | "medicare-advantage" | "commercial" | "medicaid";
  /** Deductible the patient still owes this year (default 0). */
  deductibleRemaining?: string;
  /** Plan coinsurance percent for non-Medicare payers (default 20). */
  coinsurancePercent?: number;
  /** Required for commercial and Medicaid. */
  contract?: ContractTerms;
  /** Medicare sequestration percent (default 2). */
  sequestrationPercent?: number;
  /**
   * When the quarter in force is not loaded, price from the latest loaded quarter before it and
   * say so (`stale`) instead of refusing. For estimates; a claim is priced from its own quarter.
   */
  allowStale?: boolean;
}

/** The expected payment, as decimal strings. */
export interface PriceResult {
  hcpcs: string;
  units: number;
  /** The quarter whose payment limit was used. */
  quarter: string;
  /** The quarter in force on the date of service. */
  quarterInForce: string;
  /** True when `quarter` is not the quarter in force (its file is not loaded). */
  stale: boolean;
  paymentLimit: string;
  basis: string;
  allowed: string;
  deductibleApplied: string;
  coinsurancePercent: string;
  payerShareBeforeSequestration: string;
  sequestration: string;
  payerPays: string;
  patientPays: string;
}

/** Prices one line. Unknown codes and unpriced codes are NotFound; bad input is BadInput. */
export function expectedPayment(asp: AspPricing, req: PriceRequest): PriceResult {
  if (!Number.isFinite(req.units) || req.units <= 0) throw new BadInputError(`units must be a positive number, not ${req.units}`);
  const priced = asp.priceRow(req.hcpcs, req.dateOfService);
  const { quarterInForce } = priced;
  if (priced.stale && req.allowStale !== true) {
    throw new NotFoundError(`No ASP payment limit for ${req.hcpcs} on ${req.dateOfService}: the ASP file for ${quarterLabel(quarterInForce)} is not loaded`, { code: "UNKNOWN_CODE", details: { hcpcs: req.hcpcs, quarterInForce } });
  }
  const row = priced.row;
  if (row === null) {
    const why = priced.priceQuarter === null ? `no ASP file for ${quarterLabel(quarterInForce)} or before is loaded` : `the code is not in the ${quarterLabel(priced.priceQuarter)} ASP file`;
    throw new NotFoundError(`No ASP payment limit for ${req.hcpcs} on ${req.dateOfService}: ${why}`, { code: "UNKNOWN_CODE", details: { hcpcs: req.hcpcs, quarterInForce } });
  }
  if (row.paymentLimit === null) throw new NotFoundError(`${req.hcpcs} has no CMS payment limit in ${row.quarter} (contractor-priced)`, { code: "UNKNOWN_CODE" });
  const limit = new Decimal(row.paymentLimit);
  const units = new Decimal(req.units);
  const medicareRates = req.payerType === "medicare" || req.payerType === "medicare-advantage";
  let allowed: Decimal;
  let basis: string;
  if (medicareRates) {
    allowed = cents(units.times(limit));
    basis = `${req.units} × payment limit ${row.paymentLimit} (ASP + 6 %, ${row.quarter})`;
  } else {
    const contract = req.contract;
    if (contract === undefined) throw new BadInputError(`A ${req.payerType} price needs contract terms (% of ASP or a fee-schedule rate)`);
    if (contract.kind === "fee-schedule") {
      if (!/^\d+(\.\d+)?$/.test(contract.rate)) throw new BadInputError(`Fee-schedule rate "${contract.rate}" is not a decimal amount`);
      allowed = cents(units.times(contract.rate));
      basis = `${req.units} × fee-schedule rate ${contract.rate}`;
    } else {
      const aspPerUnit = limit.dividedBy("1.06");
      allowed = cents(units.times(aspPerUnit).times(contract.percentOfAsp).dividedBy(100));
      basis = `${req.units} × ASP ${aspPerUnit.toDecimalPlaces(3).toString()} × ${contract.percentOfAsp} % (${row.quarter})`;
    }
  }
  const deductibleRemaining = new Decimal(req.deductibleRemaining ?? "0");
  if (deductibleRemaining.isNegative()) throw new BadInputError("deductibleRemaining cannot be negative");
  const deductibleApplied = Decimal.min(deductibleRemaining, allowed);
  const coinsurance = new Decimal(medicareRates ? row.coinsurancePercent : (req.coinsurancePercent ?? 20));
  const payerShare = cents(allowed.minus(deductibleApplied).times(new Decimal(100).minus(coinsurance)).dividedBy(100));
  const sequestration = req.payerType === "medicare" ? cents(payerShare.times(req.sequestrationPercent ?? 2).dividedBy(100)) : new Decimal(0);
  return {
    hcpcs: req.hcpcs, units: req.units, quarter: row.quarter, quarterInForce, stale: priced.stale, paymentLimit: row.paymentLimit, basis,
    allowed: money(allowed), deductibleApplied: money(deductibleApplied), coinsurancePercent: coinsurance.toString(),
    payerShareBeforeSequestration: money(payerShare), sequestration: money(sequestration),
    payerPays: money(payerShare.minus(sequestration)), patientPays: money(allowed.minus(payerShare)),
  };
}
