/**
 * Quantities of drug: parsing doses ("332.5 mg", "6 mg", "150 IU", "4 mL") and HCPCS dosage
 * descriptors ("10 MG", "0.5 MG", "1 ML", "150 IU"), and converting between mass units. A dose
 * without a unit, or a unit that cannot convert, is refused with a message naming the problem.
 */
import { Decimal } from "decimal.js";
import { BadInputError } from "../errors.js";

/** Units a dose may be in. */
export type DoseUnit = "mg" | "mcg" | "g" | "units" | "IU" | "mL";

/** A quantity of drug, exact. */
export interface Dose {
  amount: Decimal;
  unit: DoseUnit;
}

const UNIT_ALIASES: Record<string, DoseUnit> = {
  mg: "mg", milligram: "mg", milligrams: "mg",
  mcg: "mcg", ug: "mcg", "µg": "mcg", microgram: "mcg", micrograms: "mcg",
  g: "g", gm: "g", gram: "g", grams: "g",
  unit: "units", units: "units", u: "units",
  iu: "IU", "int'l units": "IU",
  ml: "mL", cc: "mL",
};

/** Mass units in milligrams. */
const MG_PER: Partial<Record<DoseUnit, string>> = { mg: "1", mcg: "0.001", g: "1000" };

/** Parses "332.5 mg" (or a HCPCS dosage "10 MG"); throws INVALID_DOSE naming what is wrong. */
export function parseDose(text: string, what = "dose"): Dose {
  const trimmed = text.trim();
  // The unit starts with a non-blank, so the blanks before it are read one way only (linear).
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-zµ'.][A-Za-zµ'. ]*)?$/.exec(trimmed);
  if (m === null) throw new BadInputError(`The ${what} "${text}" is not a number followed by a unit`, { code: "INVALID_DOSE" });
  const rawUnit = (m[2] ?? "").trim().toLowerCase().replace(/\.$/, "");
  if (rawUnit === "") throw new BadInputError(`The ${what} "${text}" has no unit (mg, mcg, g, units, IU or mL)`, { code: "INVALID_DOSE" });
  const unit = UNIT_ALIASES[rawUnit];
  if (unit === undefined) throw new BadInputError(`The ${what} "${text}" has a unit "${m[2]?.trim()}" that is not mg, mcg, g, units, IU or mL`, { code: "INVALID_DOSE" });
  const amount = new Decimal(m[1] ?? "0");
  if (amount.lte(0)) throw new BadInputError(`The ${what} "${text}" must be greater than zero`, { code: "INVALID_DOSE" });
  return { amount, unit };
}

/**
 * Expresses `dose` in `target`'s unit. Mass converts within mg/mcg/g; mL converts to mass only
 * with a concentration (e.g. "25 mg/mL"); units and IU stand alone.
 */
export function convertDose(dose: Dose, target: DoseUnit, concentration?: { amount: Decimal; unit: DoseUnit } | null): Decimal {
  if (dose.unit === target) return dose.amount;
  if (dose.unit === "mL") {
    if (concentration == null) {
      throw new BadInputError(`A dose in mL needs a concentration (e.g. "25 mg/mL") to convert to ${target}`, { code: "INVALID_DOSE" });
    }
    return convertDose({ amount: dose.amount.times(concentration.amount), unit: concentration.unit }, target);
  }
  const from = MG_PER[dose.unit];
  const to = MG_PER[target];
  if (from === undefined || to === undefined) {
    throw new BadInputError(`A dose in ${dose.unit} cannot be converted to ${target}`, { code: "INVALID_DOSE" });
  }
  return dose.amount.times(from).dividedBy(to);
}

/** Parses a concentration such as "25 mg/mL" (per one mL). */
export function parseConcentration(text: string): { amount: Decimal; unit: DoseUnit } {
  // Split at the last "/" and trim each side, rather than one pattern whose blanks on both sides
  // of the slash could be read many ways (quadratic on a long run of blanks).
  const slash = text.lastIndexOf("/");
  const amountText = slash < 0 ? "" : text.slice(0, slash).trim();
  const per = slash < 0 ? null : /^(\d*(?:\.\d+)?)\s*ml$/i.exec(text.slice(slash + 1).trim());
  if (amountText === "" || per === null) throw new BadInputError(`The concentration "${text}" is not of the form "25 mg/mL"`, { code: "INVALID_DOSE" });
  const dose = parseDose(amountText, "concentration");
  const perMl = per[1] === "" || per[1] === undefined ? new Decimal(1) : new Decimal(per[1]);
  return { amount: dose.amount.dividedBy(perMl), unit: dose.unit };
}
