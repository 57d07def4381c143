/**
 * Drug billing units and waste (CMS):
 * - units = dose ÷ HCPCS billing-unit size, rounded up to a whole unit when the dose falls
 *   between units (paclitaxel 332.5 mg at 1 mg/unit = 333);
 * - single-dose containers: the discarded amount is billed on its own line with JW; with nothing
 *   discarded Medicare requires JZ on the drug line; multi-dose containers take neither;
 * - billed + wasted units equal what the opened containers held.
 */
import type { Decimal } from "decimal.js";
import { BadInputError } from "../errors.js";
import { convertDose, parseConcentration, parseDose, type Dose } from "./dose.js";
import type { CatalogueDrug, Container } from "./drug-catalogue.js";

/** Units for a dose. */
export interface BillingUnitsResult {
  hcpcs: string;
  dose: string;
  billingUnitSize: string;
  /** The dose in billing units before rounding (exact). */
  exactUnits: string;
  billingUnits: number;
  roundedUp: boolean;
}

/** Dose → billing units for a HCPCS billing unit (e.g. 10 mg). */
export function billingUnits(hcpcs: string, doseText: string, unit: Dose, concentrationText?: string | null): BillingUnitsResult {
  const dose = parseDose(doseText);
  const concentration = concentrationText == null || concentrationText === "" ? null : parseConcentration(concentrationText);
  const inUnit = convertDose(dose, unit.unit, concentration);
  const exact = inUnit.dividedBy(unit.amount);
  const units = exact.ceil();
  return {
    hcpcs, dose: doseText.trim(), billingUnitSize: `${unit.amount.toString()} ${unit.unit}`, exactUnits: exact.toString(),
    billingUnits: units.toNumber(), roundedUp: !units.equals(exact),
  };
}

/** Waste and the modifier each drug line needs. */
export interface WasteResult {
  administeredUnits: number;
  openedUnits: number | null;
  wasteUnits: number;
  /** Lines to bill: the administered line and, with waste, a JW line. */
  lines: { units: number; modifiers: ("JW" | "JZ")[] }[];
  containers: { ndc11: string; count: number } | null;
  findings: { code: string; message: string }[];
}

/**
 * Waste for a single-dose drug. The opened amount comes from the administration record
 * (`openedUnits`) or, when absent, from the smallest whole number of the catalogue's containers
 * that holds the dose.
 */
export function wasteFor(drug: CatalogueDrug, administeredUnits: number, options: { openedUnits?: number | null; recordedWasteUnits?: number | null } = {}): WasteResult {
  if (!drug.singleDose) {
    return { administeredUnits, openedUnits: null, wasteUnits: 0, lines: [{ units: administeredUnits, modifiers: [] }], containers: null, findings: [] };
  }
  const findings: WasteResult["findings"] = [];
  let opened = options.openedUnits ?? null;
  let containers: WasteResult["containers"] = null;
  if (opened === null) {
    const pick = leastWaste(administeredUnits, drug.containers);
    if (pick === null) throw new BadInputError(`No container sizes known for ${drug.name}; give the opened amount`, { code: "INVALID_DOSE" });
    opened = pick.count * pick.container.billingUnits;
    containers = { ndc11: pick.container.ndc11, count: pick.count };
  }
  if (opened < administeredUnits) throw new BadInputError(`Opened ${opened} units but administered ${administeredUnits}: the record is inconsistent`, { code: "INVALID_DOSE" });
  const waste = opened - administeredUnits;
  if (options.recordedWasteUnits != null && options.recordedWasteUnits !== waste) {
    findings.push({ code: "WASTE_MISMATCH", message: `Recorded waste ${options.recordedWasteUnits} units, but opened − administered = ${waste}` });
  }
  const lines: WasteResult["lines"] = waste === 0
    ? [{ units: administeredUnits, modifiers: ["JZ"] }]
    : [{ units: administeredUnits, modifiers: [] }, { units: waste, modifiers: ["JW"] }];
  return { administeredUnits, openedUnits: opened, wasteUnits: waste, lines, containers, findings };
}

/** The container and count that waste least (then open fewest). */
export function leastWaste(units: number, containers: Container[]): { container: Container; count: number } | null {
  let best: { container: Container; count: number; waste: number } | null = null;
  for (const c of containers) {
    const count = Math.ceil(units / c.billingUnits);
    const waste = count * c.billingUnits - units;
    if (best === null || waste < best.waste || (waste === best.waste && count < best.count)) best = { container: c, count, waste };
  }
  return best === null ? null : { container: best.container, count: best.count };
}

/** Exact helper for callers holding a Decimal dose. */
export const toUnits = (amount: Decimal, unit: Dose): number => amount.dividedBy(unit.amount).ceil().toNumber();
