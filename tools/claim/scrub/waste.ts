/**
 * Single-dose waste (CMS JW/JZ policy, DOMAIN "Waste"):
 * - WASTE_UNBILLED: waste recorded on the MAR from a single-dose container, no JW line, where JW is
 *   required (Medicare, a `requires-jw-jz` payer rule);
 * - WASTE_UNDOCUMENTED: a JW line with no waste on the MAR (or on a multi-dose drug, which has none);
 * - JZ_MISSING: nothing wasted from a single-dose container and no JZ on the drug line — required by
 *   Medicare and by payers with a `requires-jw-jz` rule; a `waives-jw-jz` rule waives JW and JZ;
 * - WASTE_VIAL_MISMATCH: billed + wasted units ≠ what the opened containers held.
 * The opened amount is containers opened (MAR) × billing units per container (crosswalk package of
 * the MAR's NDC, else the line's, else the catalogue's only size). Multi-dose containers take neither modifier.
 */
import { Decimal } from "decimal.js";
import { billingUnits } from "../../coding/billing-units.js";
import type { Dose } from "../../coding/dose.js";
import { activeLines, newLine, report, reportAdded, rulesOf, withModifier, type MarEntry, type ScrubContext } from "./context.js";
import { billingUnitOf, doseText, marEntriesByCode, marNdcFor, ndcQuantityFor, packageOf, unitsPerContainer } from "./drug-facts.js";
import { administeredUnits } from "./drug-units.js";
import { CONFIDENCE } from "./finding.js";
import { repriced, scaledQuantity, type WorkLine } from "./work-line.js";

interface Opened {
  units: number;
  text: string;
}

/** Units the opened containers held, when the MAR says how many were opened and their size is known. */
function openedUnits(ctx: ScrubContext, hcpcs: string, entries: MarEntry[], line: WorkLine | null): Opened | null {
  if (entries.some((a) => a.containersOpened === null)) return null;
  const count = entries.reduce((t, a) => t + (a.containersOpened ?? 0), 0);
  const ndc = marNdcFor(ctx, hcpcs)?.ndc11 ?? (line?.ndc == null ? null : resolved(ctx, line.ndc, hcpcs));
  const entry = ndc === null ? null : packageOf(ctx, ndc, hcpcs);
  let per = entry === null ? null : unitsPerContainer(entry);
  let from = entry === null ? "" : `NDC ${entry.ndc11}`;
  if (per === null) {
    const sizes = ctx.tables.drugs.byCode(hcpcs)?.containers ?? [];
    if (sizes.length !== 1) return null;
    per = (sizes[0] as { billingUnits: number }).billingUnits;
    from = "the only container size";
  }
  return { units: count * per, text: `${count} container(s) × ${per} units (${from}) = ${count * per} units opened` };
}

function resolved(ctx: ScrubContext, ndc: string, hcpcs: string): string | null {
  const r = ctx.tables.crosswalk.resolve(ndc, ctx.dateOfService);
  return r.ok && r.entries.some((e) => e.hcpcs === hcpcs) ? r.ndc11 : null;
}

/** Recorded waste in exact billing units; null when no entry records waste. */
function recordedWaste(hcpcs: string, entries: MarEntry[], unit: Dose): Decimal | null {
  let total: Decimal | null = null;
  for (const a of entries) {
    if (a.wasted === null) continue;
    const amount = a.wasted.value <= 0 ? new Decimal(0) : new Decimal(billingUnits(hcpcs, doseText(a.wasted), unit, a.concentration).exactUnits);
    total = (total ?? new Decimal(0)).plus(amount);
  }
  return total;
}

export function checkWaste(ctx: ScrubContext): void {
  const waived = rulesOf(ctx, "waives-jw-jz")[0];
  const required = rulesOf(ctx, "requires-jw-jz")[0];
  const jzRequired = waived === undefined && (ctx.medicare || required !== undefined);
  const policy = waived !== undefined ? `payer rule ${waived.id}` : required !== undefined ? `payer rule ${required.id}` : "CMS JW/JZ modifier policy (single-dose containers)";
  for (const [hcpcs, entries] of marEntriesByCode(ctx)) {
    const drug = ctx.tables.drugs.byCode(hcpcs);
    const unit = billingUnitOf(ctx, hcpcs);
    if (drug === undefined || unit === null) continue;
    const lines = activeLines(ctx).filter((l) => l.code === hcpcs);
    const main = lines.find((l) => !l.modifiers.includes("JW")) ?? null;
    const jw = lines.filter((l) => l.modifiers.includes("JW"));
    const first = entries[0] as MarEntry;
    if (!drug.singleDose) {
      for (const line of jw) {
        report(ctx, { code: "WASTE_UNDOCUMENTED", line, administrationId: first.id, correction: null, confidence: CONFIDENCE.EXACT, autoCorrectable: true, rule: "DOMAIN: Waste (multi-dose containers take neither JW nor JZ)",
          rationale: `${drug.name} (${hcpcs}) comes in multi-dose containers: waste is not billed; JW line removed` });
      }
      continue;
    }
    const given = administeredUnits(hcpcs, entries, unit.unit);
    if (!given.ok || main === null) continue;
    let waste: Decimal | null;
    try {
      waste = recordedWaste(hcpcs, entries, unit.unit);
    } catch {
      continue; // a waste amount that cannot be converted: DRUG_UNITS' reason covers the dose; waste is left to a person
    }
    const opened = openedUnits(ctx, hcpcs, entries, main);
    const wasteText = waste === null ? "no waste recorded" : `${waste.toString()} units wasted`;
    if (opened !== null && (waste !== null ? !given.exact.plus(waste).equals(opened.units) : given.exact.gt(opened.units))) {
      report(ctx, { code: "WASTE_VIAL_MISMATCH", line: main, administrationId: first.id, confidence: CONFIDENCE.EXACT, autoCorrectable: false, rule: "DOMAIN: Waste (billed + wasted = opened)",
        rationale: `MAR: ${given.exact.toString()} units administered + ${wasteText} ≠ ${opened.text}: the nurse must correct the dose, waste or containers` });
      continue;
    }
    const wasted = waste !== null && waste.gt(0);
    if (wasted || (opened !== null && opened.units > given.units && waste === null)) {
      if (!wasted) {
        if (jw.length > 0) {
          // JW bills a discarded amount the MAR does not record: the nurse documents it, or the line goes.
          for (const line of jw) {
            report(ctx, { code: "WASTE_UNDOCUMENTED", line, administrationId: first.id, confidence: CONFIDENCE.EXACT, autoCorrectable: false, rule: policy,
              rationale: `JW line bills ${line.units} units discarded, but the MAR records no waste (${opened?.text ?? "containers not documented"}, ${given.units} administered): document the discarded amount, or remove the JW line` });
          }
          continue;
        }
        report(ctx, { code: "WASTE_VIAL_MISMATCH", line: main, administrationId: first.id, confidence: CONFIDENCE.EXACT, autoCorrectable: false, rule: "DOMAIN: Waste (billed + wasted = opened)",
          rationale: `${given.units} units billed + no waste recorded ≠ ${opened?.text ?? ""}: document the discarded amount before billing JW` });
        continue;
      }
      const w = waste as Decimal;
      const expected = opened !== null ? opened.units - given.units : given.exact.plus(w).round().toNumber() - given.units;
      const basis = opened !== null ? `${opened.text} − ${given.units} billed = ${expected} units wasted` : `${given.exact.toString()} administered + ${wasteText} = ${given.exact.plus(w).toString()} units opened (containers not documented) − ${given.units} billed = ${expected}`;
      const confidence = opened !== null ? CONFIDENCE.EXACT : CONFIDENCE.TABLE;
      if (expected <= 0) {
        for (const line of jw) report(ctx, { code: "WASTE_VIAL_MISMATCH", line, administrationId: first.id, correction: null, confidence, autoCorrectable: true, rule: "DOMAIN: Waste (billed + wasted = opened)", rationale: `${basis}: nothing left to bill on JW; line removed` });
        continue;
      }
      if (waived !== undefined) continue;
      // Billing the discarded amount on a JW line is CMS's rule (Medicare) or a payer's (requires-jw-jz);
      // for another payer the waste stays unbilled unless charge capture billed it (a JW line, checked below).
      if (jw.length === 0 && !jzRequired) continue;
      if (jw.length === 0) {
        if (main.modifiers.includes("JZ")) {
          report(ctx, { code: "WASTE_UNBILLED", line: main, administrationId: first.id, correction: { modifiers: main.modifiers.filter((m) => m !== "JZ") }, confidence, autoCorrectable: true, rule: policy,
            rationale: `JZ says nothing was wasted, but ${basis}: JZ removed` });
        }
        const entry = main.ndc === null ? null : packageOf(ctx, resolved(ctx, main.ndc, hcpcs) ?? "", hcpcs);
        const added = newLine(ctx, {
          code: hcpcs, units: expected, modifiers: ["JW", ...main.modifiers.filter((m) => m === "TB" || m === "JG")], administrationIds: main.administrationIds,
          diagnosisCodes: [...main.diagnosisCodes], ndc: entry?.ndc11 ?? main.ndc, ndcUnit: main.ndcUnit ?? (entry === null ? null : "UN"),
          ndcQuantity: entry === null ? null : ndcQuantityFor(ctx, hcpcs, expected, entry, main.ndcUnit ?? "UN"),
        });
        reportAdded(ctx, { code: "WASTE_UNBILLED", added, administrationId: first.id, confidence, autoCorrectable: true, rule: policy,
          rationale: `${drug.name} single-dose waste recorded (${wasteText}); ${basis}: JW line added at ${added.charge}` });
        continue;
      }
      const jwLine = jw[0] as WorkLine;
      const billed = jw.reduce((t, l) => t + l.units, 0);
      if (billed !== expected && jw.length === 1) {
        report(ctx, { code: "WASTE_VIAL_MISMATCH", line: jwLine, administrationId: first.id, correction: { units: expected, charge: repriced(jwLine, expected), ndcQuantity: scaledQuantity(jwLine, expected) },
          confidence, autoCorrectable: true, rule: "DOMAIN: Waste (billed + wasted = opened)", rationale: `JW line bills ${billed} units; ${basis}` });
      }
      continue;
    }
    // Nothing wasted.
    for (const line of jw) {
      const confidence = opened !== null ? CONFIDENCE.EXACT : CONFIDENCE.TABLE;
      report(ctx, { code: "WASTE_UNDOCUMENTED", line, administrationId: first.id, correction: null, confidence, autoCorrectable: false, rule: policy,
        rationale: `JW bills ${line.units} units of ${hcpcs} but the MAR records ${waste === null ? "no waste" : "0 wasted"}${opened === null ? "" : ` (${opened.text}, ${given.units} administered)`}: document the waste or remove the line` });
    }
    if (jzRequired && jw.length === 0 && !main.modifiers.includes("JZ")) {
      const confidence = opened !== null ? CONFIDENCE.EXACT : CONFIDENCE.TABLE;
      report(ctx, { code: "JZ_MISSING", line: main, administrationId: first.id, correction: { modifiers: withModifier(main.modifiers, "JZ") }, confidence, autoCorrectable: true, rule: policy,
        rationale: `${drug.name} single-dose container, nothing wasted (${opened === null ? "no waste recorded; containers opened not documented" : `${opened.text}, ${given.units} administered`}): JZ required${ctx.medicare ? " by Medicare" : ""}` });
    }
  }
}
