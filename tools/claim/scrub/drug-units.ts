/**
 * DRUG_UNITS and DRUG_NOT_CHARGED — every drug on the MAR is billed, in units computed from the
 * administered dose (DOMAIN "Drug units"): dose converted to the HCPCS billing unit (mg/mcg/g, mL
 * with a concentration), divided, rounded up to a whole unit; several administrations of one code
 * on the day are added before rounding. MODIFIER_340B — a 340B-acquired drug on a Medicare claim
 * carries TB (CMS: required on all 340B-acquired drug lines from 2025; JG is also accepted).
 */
import { Decimal } from "decimal.js";
import { billingUnits } from "../../coding/billing-units.js";
import type { Dose } from "../../coding/dose.js";
import { AppError } from "../../errors.js";
import { activeLines, newLine, report, reportAdded, withModifier, type MarEntry, type ScrubContext } from "./context.js";
import { diagnosesForNewLine } from "./diagnoses.js";
import { billingUnitOf, doseText, marEntriesByCode, marNdcFor, ndcQuantityFor, packageOf } from "./drug-facts.js";
import { CONFIDENCE } from "./finding.js";
import { repriced, scaledQuantity, type WorkLine } from "./work-line.js";

/** Units administered for a code, or why they cannot be computed. */
export type Administered = { ok: true; exact: Decimal; units: number; text: string } | { ok: false; reason: string };

const unitText = (u: Dose) => `${u.amount.toString()} ${u.unit}`;

/** Σ exact units of the MAR entries, rounded up once. */
export function administeredUnits(hcpcs: string, entries: MarEntry[], unit: Dose): Administered {
  let exact = new Decimal(0);
  const parts: string[] = [];
  for (const a of entries) {
    if (a.dose === null) return { ok: false, reason: `MAR entry ${a.id} records no dose` };
    try {
      const r = billingUnits(hcpcs, doseText(a.dose), unit, a.concentration);
      const e = new Decimal(r.exactUnits);
      exact = exact.plus(e);
      const converted = a.dose.unit.toLowerCase() === unit.unit.toLowerCase() ? "" : ` = ${e.times(unit.amount).toString()} ${unit.unit}${a.concentration === null ? "" : ` at ${a.concentration}`}`;
      parts.push(`${doseText(a.dose)}${converted}`);
    } catch (error) {
      if (error instanceof AppError) return { ok: false, reason: `MAR entry ${a.id}: ${error.message}` };
      throw error;
    }
  }
  const units = exact.ceil().toNumber();
  const text = `${parts.join(" + ")} administered ÷ ${unitText(unit)} per unit (${hcpcs}) = ${exact.toString()}${units !== exact.toNumber() ? ` → ${units} (rounded up)` : ""} units`;
  return { ok: true, exact, units, text };
}

/** What the order's dose would bill (to say so when charge capture billed the order). */
function orderedUnits(ctx: ScrubContext, hcpcs: string, entries: MarEntry[], unit: Dose): number | null {
  const orders = entries.map((a) => ctx.orders.find((o) => o.id === a.orderId));
  if (orders.some((o) => o?.dose == null)) return null;
  try {
    return orders.reduce((t, o) => t.plus(billingUnits(hcpcs, doseText(o?.dose as { value: number; unit: string }), unit).exactUnits), new Decimal(0)).ceil().toNumber();
  } catch {
    return null;
  }
}

export function checkDrugUnits(ctx: ScrubContext): void {
  for (const [hcpcs, entries] of marEntriesByCode(ctx)) {
    const unit = billingUnitOf(ctx, hcpcs);
    const primary = activeLines(ctx).filter((l) => l.code === hcpcs && !l.modifiers.includes("JW"));
    const first = entries[0] as MarEntry;
    const given = unit === null ? { ok: false as const, reason: `${hcpcs} has no billing unit in the ASP file or the drug catalogue` } : administeredUnits(hcpcs, entries, unit.unit);
    const source = unit?.source ?? "DOMAIN: Drug units";
    if (!given.ok) {
      if (primary.length === 0) {
        report(ctx, { code: "DRUG_NOT_CHARGED", line: null, administrationId: first.id, confidence: CONFIDENCE.EXACT, autoCorrectable: false, rule: source,
          rationale: `${first.drugName} (${hcpcs}) was administered but not charged; units cannot be computed (${given.reason}): a coder must add the line` });
      } else {
        report(ctx, { code: "DRUG_UNITS", line: primary[0] ?? null, administrationId: first.id, confidence: CONFIDENCE.AMBIGUOUS, autoCorrectable: false, rule: source,
          rationale: `Units of ${hcpcs} cannot be checked: ${given.reason}; captured ${primary.reduce((t, l) => t + l.units, 0)}` });
      }
      continue;
    }
    if (primary.length === 0) {
      const mar = marNdcFor(ctx, hcpcs);
      const entry = mar === null ? null : packageOf(ctx, mar.ndc11, hcpcs);
      const added = newLine(ctx, {
        code: hcpcs, units: given.units, administrationIds: entries.map((a) => a.id), diagnosisCodes: diagnosesForNewLine(ctx, hcpcs, []),
        ndc: mar?.ndc11 ?? null, ndcUnit: mar === null ? null : "UN", ndcQuantity: entry === null ? null : ndcQuantityFor(ctx, hcpcs, given.units, entry, "UN"),
      });
      reportAdded(ctx, { code: "DRUG_NOT_CHARGED", added, administrationId: first.id, confidence: CONFIDENCE.EXACT, autoCorrectable: true, rule: source,
        rationale: `${first.drugName} is on the MAR with no ${hcpcs} charge: ${given.text}; line added at ${added.charge}` });
      continue;
    }
    const captured = primary.reduce((t, l) => t + l.units, 0);
    if (captured === given.units) continue;
    const line = primary[0] ?? null;
    if (line === null) continue;
    const others = captured - line.units;
    const units = given.units - others;
    const ordered = unit === null ? null : orderedUnits(ctx, hcpcs, entries, unit.unit);
    const hint = ordered === captured && ordered !== given.units ? " (the captured units are the ordered dose's, not the administered dose's)" : "";
    report(ctx, {
      code: "DRUG_UNITS", line, administrationId: first.id, confidence: CONFIDENCE.EXACT, autoCorrectable: units > 0, rule: source,
      correction: units > 0 ? { units, charge: repriced(line, units), ndcQuantity: quantityAt(ctx, line, units) } : undefined,
      rationale: `${given.text}; captured ${captured}${hint}`,
    });
  }
}

/** The NDC quantity at new units: from the crosswalk package when the line's NDC is known, else in proportion. */
function quantityAt(ctx: ScrubContext, line: WorkLine, units: number): number | null {
  if (line.ndcQuantity === null || line.ndc === null) return line.ndcQuantity;
  const r = ctx.tables.crosswalk.resolve(line.ndc, ctx.dateOfService);
  const entry = r.ok ? packageOf(ctx, r.ndc11, line.code) : null;
  return (entry === null ? null : ndcQuantityFor(ctx, line.code, units, entry, line.ndcUnit ?? "UN")) ?? scaledQuantity(line, units);
}

export function check340b(ctx: ScrubContext): void {
  if (!ctx.medicare) return;
  for (const [hcpcs, entries] of marEntriesByCode(ctx)) {
    const a = entries.find((e) => e.acquired340b);
    if (a === undefined) continue;
    for (const line of activeLines(ctx).filter((l) => l.code === hcpcs)) {
      if (line.modifiers.includes("TB") || line.modifiers.includes("JG")) continue;
      report(ctx, {
        code: "MODIFIER_340B", line, administrationId: a.id, correction: { modifiers: withModifier(line.modifiers, "TB") }, confidence: CONFIDENCE.EXACT, autoCorrectable: true,
        rule: "CMS: 340B-acquired drugs on Medicare Part B claims carry modifier TB (JG retired 2025)",
        rationale: `${a.drugName} (${hcpcs}) was 340B-acquired (MAR ${a.id}) and the claim is Medicare: TB added`,
      });
    }
  }
}
