/**
 * Code edits on the lines as corrected so far (CMS NCCI PTP and MUE files loaded as data, plus
 * the payer's `bundles-pair` overlays):
 * - NCCI_PTP: a column-2 code billed with its column-1 code. Modifier indicator 0: never payable —
 *   the column-2 line is removed. Indicator 1 without an NCCI-associated modifier: the modifier is
 *   added when the MAR puts the two services at separate IV sites; otherwise a person decides
 *   (document a distinct service, or remove the line).
 * - MUE: units of a code on the day over its maximum. Captured units over the MUE that the
 *   scrubber's own corrections brought within it are reported as resolved; units the record
 *   supports beyond the MUE are left to a person (bill to the MUE and appeal, or split by policy).
 */
import type { EditLine, Mue, NcciPair } from "../../coding/edits.js";
import { activeLines, report, rulesOf, withModifier, type ScrubContext } from "./context.js";
import { CONFIDENCE } from "./finding.js";
import { snapshot, type WorkLine } from "./work-line.js";

const NCCI_MODIFIERS = new Set(["59", "XE", "XP", "XS", "XU"]);
const editLine = (l: WorkLine): EditLine => ({ code: l.code, modifiers: l.modifiers, units: l.units, dateOfService: l.serviceDate });

interface CapturedMue {
  total: number;
  mue: Mue;
  lines: ReturnType<typeof snapshot>[];
  /** Captured units by line id. */
  units: Map<string, number>;
}

/** MUE violations among the captured lines, before any correction (to report those the corrections resolve). */
export function capturedMueViolations(ctx: ScrubContext): Map<string, CapturedMue> {
  const out = new Map<string, CapturedMue>();
  for (const v of ctx.tables.edits.check(activeLines(ctx).map(editLine))) {
    if (v.rule !== "MUE") continue;
    const code = v.codes[0] as string;
    const lines = activeLines(ctx).filter((l) => l.code === code);
    out.set(code, { total: lines.reduce((t, l) => t + l.units, 0), mue: v.detail as Mue, lines: lines.map(snapshot), units: new Map(lines.map((l) => [l.id, l.units])) });
  }
  return out;
}

function sites(ctx: ScrubContext, line: WorkLine): Set<string> {
  return new Set(ctx.administrations.filter((a) => line.administrationIds.includes(a.id)).map((a) => a.site ?? "A"));
}

export function checkEdits(ctx: ScrubContext, capturedMue: ReturnType<typeof capturedMueViolations>): void {
  const source = ctx.tables.edits.sample ? "CMS NCCI PTP sample" : "CMS NCCI PTP";
  for (const v of ctx.tables.edits.check(activeLines(ctx).map(editLine))) {
    if (v.rule === "NCCI_PTP") {
      const p = v.detail as NcciPair;
      bundled(ctx, p.column1, p.column2, p.modifierIndicator === "1", { source: `${source} row ${p.column1}/${p.column2}`, detail: `effective ${p.effective}, modifier indicator ${p.modifierIndicator}: ${p.rationale}` });
    }
  }
  for (const r of rulesOf(ctx, "bundles-pair")) {
    const col1 = activeLines(ctx).some((l) => l.code === r.column1);
    const col2 = activeLines(ctx).find((l) => l.code === r.column2 && !(r.modifierAllowed && l.modifiers.some((m) => NCCI_MODIFIERS.has(m))));
    if (col1 && col2 !== undefined) bundled(ctx, r.column1, r.column2, r.modifierAllowed, { source: `payer rule ${r.id}`, detail: r.note });
  }
  checkMue(ctx, capturedMue);
}

function bundled(ctx: ScrubContext, column1: string, column2: string, modifierAllowed: boolean, rule: { source: string; detail: string | null }): void {
  const first = activeLines(ctx).find((l) => l.code === column1);
  const line = activeLines(ctx).find((l) => l.code === column2 && !(modifierAllowed && l.modifiers.some((m) => NCCI_MODIFIERS.has(m))));
  if (first === undefined || line === undefined) return;
  if (!modifierAllowed) {
    report(ctx, { code: "NCCI_PTP", line, correction: null, confidence: CONFIDENCE.EXACT, autoCorrectable: true, rule,
      rationale: `${column2} is not payable with ${column1} on the same day (no modifier allowed): ${column2} line removed` });
    return;
  }
  const a = sites(ctx, first);
  const b = sites(ctx, line);
  const separate = a.size > 0 && b.size > 0 && [...b].every((s) => !a.has(s));
  if (separate) {
    report(ctx, { code: "NCCI_PTP", line, correction: { modifiers: withModifier(line.modifiers, "59") }, confidence: CONFIDENCE.TABLE, autoCorrectable: true, rule,
      rationale: `${column2} is bundled into ${column1} unless distinct; the MAR documents separate IV sites (${[...a].join(", ")} / ${[...b].join(", ")}): modifier 59 added` });
    return;
  }
  report(ctx, { code: "NCCI_PTP", line, correction: null, confidence: CONFIDENCE.TABLE, autoCorrectable: false, rule,
    rationale: `${column2} is bundled into ${column1} unless a distinct service is documented (then modifier 59/XU); the MAR shows none: a coder decides whether to add the modifier or remove the line` });
}

function checkMue(ctx: ScrubContext, captured: ReturnType<typeof capturedMueViolations>): void {
  const now = new Map<string, Mue>();
  for (const v of ctx.tables.edits.check(activeLines(ctx).map(editLine))) if (v.rule === "MUE") now.set(v.codes[0] as string, v.detail as Mue);
  const codes = [...new Set([...captured.keys(), ...now.keys()])];
  for (const code of codes) {
    const lines = activeLines(ctx).filter((l) => l.code === code);
    const total = lines.reduce((t, l) => t + l.units, 0);
    const mue = now.get(code) ?? captured.get(code)?.mue;
    if (mue === undefined) continue;
    const rule = { source: `${ctx.tables.edits.sample ? "CMS MUE sample" : "CMS MUE"} row ${code}`, detail: `${mue.maxUnits} units per day, adjudication indicator ${mue.adjudicationIndicator}: ${mue.rationale}` };
    const was = captured.get(code);
    if (!now.has(code) && was !== undefined) {
      // Resolved by a units correction (not by removing a duplicate or an unsupported line: that finding says it).
      if (!lines.some((l) => was.units.has(l.id) && was.units.get(l.id) !== l.units)) continue;
      ctx.findings.push({ code: "MUE", lineId: lines[0]?.id ?? null, administrationId: null, before: was.lines[0] ?? null, after: lines[0] === undefined ? null : snapshot(lines[0]),
        confidence: CONFIDENCE.EXACT, autoCorrectable: true, rule,
        rationale: `Captured ${was.total} units of ${code} exceed the MUE of ${mue.maxUnits}; after the corrections above ${total} units remain, within it` });
      continue;
    }
    const line = lines[0];
    if (line === undefined) continue;
    report(ctx, { code: "MUE", line, correction: lines.length === 1 ? { units: mue.maxUnits } : undefined, confidence: CONFIDENCE.EXACT, autoCorrectable: false, rule,
      rationale: `${total} units of ${code} on ${ctx.dateOfService} exceed the MUE of ${mue.maxUnits}${ctx.hasMar ? " and the record supports them" : ""}: a coder decides (bill the MUE and appeal with documentation, or correct the units)` });
  }
}
