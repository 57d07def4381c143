/**
 * NDC on drug lines (DOMAIN "NDC"; 837 2410 LIN*N4 / CTP04–05):
 * - NDC_MISSING: a drug line without an NDC (payers with a `requires-ndc` rule reject it; most do);
 * - NDC_INVALID: not an NDC, a bare 10-digit NDC (ambiguous without hyphens; settled by the CMS
 *   crosswalk), an NDC not crosswalked to the line's HCPCS (another drug, or a package the
 *   crosswalk does not list), or another package than the MAR documents;
 * - NDC_QUANTITY: the CTP quantity is missing or does not match the line's billing units at the
 *   package's billing units per container (CMS crosswalk BILLUNITS / BILLUNITSPKG).
 */
import { normalizeNdc, type CrosswalkEntry } from "../../coding/ndc.js";
import { activeLines, report, rulesOf, type ScrubContext } from "./context.js";
import { marNdcFor, ndcQuantityFor, packageOf } from "./drug-facts.js";
import { CONFIDENCE } from "./finding.js";
import { isDrugCode, type WorkLine } from "./work-line.js";

/** The NDC to put on a line when its own is missing or wrong: the MAR's, else the code's only package. */
function replacementNdc(ctx: ScrubContext, hcpcs: string): { ndc11: string; why: string; confidence: number } | null {
  const mar = marNdcFor(ctx, hcpcs);
  if (mar !== null) return { ndc11: mar.ndc11, why: `the MAR (${mar.administrationId}) documents ${mar.ndc11}`, confidence: CONFIDENCE.EXACT };
  const packages = [...new Set(ctx.tables.crosswalk.packages(hcpcs, ctx.dateOfService).map((p) => p.ndc11))];
  if (packages.length === 1) return { ndc11: packages[0] as string, why: `${packages[0]} is the only package of ${hcpcs} in the CMS crosswalk`, confidence: CONFIDENCE.TABLE };
  return null;
}

/** The NDC and its quantity at the line's units (the quantity follows the package). */
function ndcPatch(ctx: ScrubContext, line: WorkLine, ndc11: string): { ndc: string; ndcUnit: "UN" | "ML" | "GR" | "ME" | "F2"; ndcQuantity: number | null } {
  const unit = line.ndcUnit ?? "UN";
  const entry = packageOf(ctx, ndc11, line.code);
  const quantity = entry === null ? null : ndcQuantityFor(ctx, line.code, line.units, entry, unit);
  return { ndc: ndc11, ndcUnit: unit, ndcQuantity: quantity ?? line.ndcQuantity };
}

export function checkNdc(ctx: ScrubContext): void {
  const required = rulesOf(ctx, "requires-ndc")[0];
  const missingSource = required === undefined ? "DOMAIN: NDC (837 2410 LIN*N4 on drug lines)" : `payer rule ${required.id}`;
  for (const line of activeLines(ctx)) {
    if (!isDrugCode(line.code)) continue;
    if (line.ndc === null) {
      const r = replacementNdc(ctx, line.code);
      const packages = ctx.tables.crosswalk.packages(line.code, ctx.dateOfService).length;
      if (r === null) {
        report(ctx, { code: "NDC_MISSING", line, confidence: CONFIDENCE.AMBIGUOUS, autoCorrectable: false, rule: missingSource,
          rationale: `${line.code} line has no NDC; the MAR names none and the CMS crosswalk lists ${packages} packages: a coder must pick the one used` });
      } else {
        report(ctx, { code: "NDC_MISSING", line, correction: ndcPatch(ctx, line, r.ndc11), confidence: r.confidence, autoCorrectable: true, rule: missingSource,
          rationale: `${line.code} line has no NDC; ${r.why}` });
      }
    } else {
      checkNdcValue(ctx, line);
    }
    checkQuantity(ctx, line);
  }
}

function checkNdcValue(ctx: ScrubContext, line: WorkLine): void {
  const typed = line.ndc as string;
  const r = ctx.tables.crosswalk.resolve(typed, ctx.dateOfService);
  const source = "CMS NDC–HCPCS crosswalk; DOMAIN: NDC (11 digits, 5-4-2)";
  const mar = marNdcFor(ctx, line.code);
  if (r.ok && r.entries.some((e) => e.hcpcs === line.code)) {
    const bare10 = !normalizeNdc(typed).ok;
    if (mar !== null && mar.ndc11 !== r.ndc11) {
      report(ctx, { code: "NDC_INVALID", line, correction: ndcPatch(ctx, line, mar.ndc11), confidence: CONFIDENCE.TABLE, autoCorrectable: true, rule: source,
        rationale: `NDC ${typed} is another package of ${line.code} than the MAR (${mar.administrationId}) documents, ${mar.ndc11}` });
    } else if (bare10) {
      report(ctx, { code: "NDC_INVALID", line, correction: ndcPatch(ctx, line, r.ndc11), confidence: CONFIDENCE.EXACT, autoCorrectable: true, rule: source,
        rationale: `NDC ${typed} has 10 digits without hyphens; of its 11-digit readings only ${r.ndc11} is in the CMS crosswalk (under ${line.code})` });
    } else if (typed !== r.ndc11) {
      // A hyphenated or 11-digit form of the right NDC: written as 11 digits, no finding.
      line.ndc = r.ndc11;
    }
    return;
  }
  const why = !r.ok ? r.message : r.entries.length === 0 ? `NDC ${r.ndc11} is not in the CMS crosswalk for ${ctx.dateOfService}` : `NDC ${r.ndc11} is crosswalked to ${[...new Set(r.entries.map((e) => e.hcpcs))].join(", ")}, not ${line.code}`;
  const fix = replacementNdc(ctx, line.code);
  if (fix === null) {
    report(ctx, { code: "NDC_INVALID", line, confidence: CONFIDENCE.AMBIGUOUS, autoCorrectable: false, rule: source, rationale: `${why}; no single replacement is documented: a coder must pick the package used` });
    return;
  }
  report(ctx, { code: "NDC_INVALID", line, correction: ndcPatch(ctx, line, fix.ndc11), confidence: fix.confidence, autoCorrectable: true, rule: source, rationale: `${why}; ${fix.why}` });
}

function checkQuantity(ctx: ScrubContext, line: WorkLine): void {
  if (line.ndc === null || !/^\d{11}$/.test(line.ndc)) return;
  const entry: CrosswalkEntry | null = packageOf(ctx, line.ndc, line.code);
  if (entry === null) return;
  const unit = line.ndcUnit ?? "UN";
  const expected = ndcQuantityFor(ctx, line.code, line.units, entry, unit);
  if (expected === null) return;
  if (line.ndcQuantity !== null && Math.abs(line.ndcQuantity - expected) < 0.0005 && line.ndcUnit !== null) return;
  const row = `CMS NDC–HCPCS crosswalk ${entry.ndc11} (BILLUNITS ${entry.billingUnits ?? "?"}, BILLUNITSPKG ${entry.billingUnitsPerPackage ?? "?"}, PKG SIZE ${entry.packageSize ?? "?"})`;
  report(ctx, { code: "NDC_QUANTITY", line, correction: { ndcQuantity: expected, ndcUnit: unit }, confidence: CONFIDENCE.EXACT, autoCorrectable: true, rule: row,
    rationale: `${line.units} billing units of ${line.code} in package ${entry.ndc11} = ${expected} ${unit}; captured ${line.ndcQuantity === null ? "no quantity" : `${line.ndcQuantity} ${line.ndcUnit ?? ""}`.trim()}` });
}
