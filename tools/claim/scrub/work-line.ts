/**
 * The scrubber's working copy of the claim lines: the captured charges plus the lines it adds,
 * each marked removed rather than dropped so findings can name it. Corrections are applied here;
 * the corrected claim is built from the lines left.
 */
import { Decimal } from "decimal.js";
import type { CapturedCharge } from "../visit-record.js";
import type { LineSnapshot } from "./finding.js";

export type NdcUnit = "UN" | "ML" | "GR" | "ME" | "F2";

/** One line being scrubbed. */
export interface WorkLine {
  id: string;
  code: string;
  modifiers: string[];
  units: number;
  charge: string;
  revenueCode: string | null;
  ndc: string | null;
  ndcQuantity: number | null;
  ndcUnit: NdcUnit | null;
  diagnosisCodes: string[];
  administrationIds: string[];
  serviceDate: string;
  origin: "captured" | "added";
  removed: boolean;
}

/** The corrections a finding may make to a line. */
export type LinePatch = Partial<Pick<WorkLine, "code" | "modifiers" | "units" | "charge" | "revenueCode" | "ndc" | "ndcQuantity" | "ndcUnit" | "diagnosisCodes">>;

export function workLineOf(c: CapturedCharge): WorkLine {
  return {
    id: c.id, code: c.code, modifiers: [...c.modifiers], units: c.units, charge: c.charge, revenueCode: c.revenueCode, ndc: c.ndc,
    ndcQuantity: c.ndcQuantity, ndcUnit: c.ndcUnit, diagnosisCodes: [...c.diagnosisCodes], administrationIds: [...c.administrationIds],
    serviceDate: c.serviceDate, origin: "captured", removed: false,
  };
}

export function snapshot(l: WorkLine | (WorkLine & LinePatch)): LineSnapshot {
  return {
    code: l.code, modifiers: [...l.modifiers], units: l.units, charge: l.charge, revenueCode: l.revenueCode, ndc: l.ndc,
    ndcQuantity: l.ndcQuantity, ndcUnit: l.ndcUnit, diagnosisCodes: [...l.diagnosisCodes],
  };
}

/** CPT drug-administration codes the scrubber reconciles. */
export const ADMINISTRATION_CODES = new Set(["96360", "96361", "96365", "96366", "96367", "96368", "96372", "96374", "96375", "96401", "96402", "96409", "96411", "96413", "96415", "96416", "96417"]);

/** HCPCS level II drug codes (J and Q codes) — drug lines, JW lines included. */
export const isDrugCode = (code: string): boolean => /^[JQ]\d{4}$/.test(code);

/** A line's price at other units: the captured price per unit kept (half-up to the cent). */
export function repriced(line: WorkLine, units: number): string {
  if (line.units <= 0) return line.charge;
  return new Decimal(line.charge).dividedBy(line.units).times(units).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
}

/** An NDC quantity kept in proportion to new units (CTP04 to three decimals). */
export function scaledQuantity(line: WorkLine, units: number): number | null {
  if (line.ndcQuantity === null || line.units <= 0) return line.ndcQuantity;
  return new Decimal(line.ndcQuantity).times(units).dividedBy(line.units).toDecimalPlaces(3, Decimal.ROUND_HALF_UP).toNumber();
}

/** Σ of money strings, exact. */
export function sumCharges(charges: string[]): string {
  return charges.reduce((t, c) => t.plus(c), new Decimal(0)).toFixed(2);
}
