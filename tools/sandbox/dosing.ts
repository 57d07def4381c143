/**
 * Dose calculation for the synthetic clinic: flat, weight-based (mg/kg), body-surface-area
 * (mg/m², Mosteller) and carboplatin AUC (Calvert: AUC × (GFR + 25), GFR by Cockcroft–Gault,
 * capped at 125 mL/min as commonly practised).
 */

/** Mosteller BSA in m², rounded to 2 decimals. */
export function bsaMosteller(heightCm: number, weightKg: number): number {
  return Math.round(Math.sqrt((heightCm * weightKg) / 3600) * 100) / 100;
}

/** Cockcroft–Gault creatinine clearance (mL/min), female × 0.85, capped at 125. */
export function creatinineClearance(age: number, weightKg: number, serumCreatinine: number, female: boolean): number {
  const crcl = ((140 - age) * weightKg) / (72 * serumCreatinine) * (female ? 0.85 : 1);
  return Math.min(Math.round(crcl), 125);
}

/** A dose prescription. */
export interface DoseRule {
  basis: "flat" | "kg" | "m2" | "auc";
  amount: number;
  unit: string;
}

/** The patient values dosing uses. */
export interface DosingPatient {
  weightKg: number;
  bsaM2: number;
  crcl: number;
}

/** The ordered dose in mg: whole mg at or above 10 mg, one decimal below. */
export function orderedDose(rule: DoseRule, p: DosingPatient): number {
  const raw =
    rule.basis === "flat" ? rule.amount
      : rule.basis === "kg" ? rule.amount * p.weightKg
        : rule.basis === "m2" ? rule.amount * p.bsaM2
          : rule.amount * (p.crcl + 25);
  return raw >= 10 ? Math.round(raw) : Math.round(raw * 10) / 10;
}

/**
 * Containers opened for a dose: the package the clinic stocks (the one wasting least for this
 * dose, then the largest) and how many of it. Waste = opened content − dose.
 */
export function vialsFor(doseMg: number, packagesMg: { ndc11: string; contentMg: number }[]): { ndc11: string; count: number; wasteMg: number } {
  let best: { ndc11: string; count: number; wasteMg: number } | undefined;
  for (const p of packagesMg) {
    const count = Math.ceil(doseMg / p.contentMg - 1e-9);
    const wasteMg = Math.round((count * p.contentMg - doseMg) * 1000) / 1000;
    if (best === undefined || wasteMg < best.wasteMg || (wasteMg === best.wasteMg && count < best.count)) best = { ndc11: p.ndc11, count, wasteMg };
  }
  if (best === undefined) throw new Error("no packages to open");
  return best;
}
