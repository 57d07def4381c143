/**
 * Administration lines reconciled with the MAR's start and stop times (DOMAIN "Administration
 * codes"; `deriveAdministrationCodes` holds the CPT rules): the lines the MAR supports are derived,
 * then matched with the captured CPT 963xx/964xx lines.
 * - ADMIN_CODE: a captured line with the wrong code (wrong initial, sequential or hydration code),
 *   the wrong units, a missing distinct-site modifier, or units the times do not support (90 min ≠ 96415);
 * - ADMIN_NOT_CHARGED: a service the MAR supports with no line;
 * - ADMIN_NOT_DOCUMENTED: a line no MAR entry supports (a person decides: document or remove);
 * - ADMIN_TIME_MISSING: an infusion without a stop time — no time-based line is guessed, and the
 *   other administration lines are left as captured (which is initial and which sequential
 *   depends on the missing time);
 * - HYDRATION_CONCURRENT: hydration billed while a chemotherapy or therapeutic infusion ran.
 */
import { deriveAdministrationCodes, type AdministrationEvent, type AdministrationLine } from "../../coding/administration-codes.js";
import { activeLines, newLine, report, reportAdded, withModifier, type MarEntry, type ScrubContext } from "./context.js";
import { diagnosesForNewLine } from "./diagnoses.js";
import { CONFIDENCE } from "./finding.js";
import { ADMINISTRATION_CODES, repriced, type WorkLine } from "./work-line.js";

const INITIAL = new Set(["96360", "96365", "96372", "96374", "96401", "96402", "96409", "96413", "96416"]);
const HYDRATION = new Set(["96360", "96361"]);
const TIME_BASED = new Set(["96360", "96361", "96365", "96366", "96367", "96413", "96415", "96416", "96417"]);
const ADDITIONAL_HOURS = new Set(["96415", "96366", "96361"]);
const SOURCE = "DOMAIN: Administration codes from start/stop times (CPT 96360–96417)";

/** The MAR entry as an administration event, or null when its class or route is unknown. */
function eventOf(ctx: ScrubContext, a: MarEntry): AdministrationEvent | null {
  const drug = a.hcpcs === null ? ctx.tables.drugs.byDrugName(a.drugName) : ctx.tables.drugs.byCode(a.hcpcs) ?? ctx.tables.drugs.byDrugName(a.drugName);
  const drugClass = a.drugClass ?? drug?.drugClass ?? null;
  const route = a.route ?? drug?.route ?? null;
  if (drugClass === null || route === null || a.start === null) return null;
  return { id: a.id, drug: a.drugName, hcpcs: a.hcpcs, class: drugClass, route, start: a.start, stop: a.stop, site: a.site, pump: a.pump };
}

export function checkAdministration(ctx: ScrubContext): void {
  const events: AdministrationEvent[] = [];
  const missing: MarEntry[] = [];
  for (const a of ctx.administrations) {
    const e = eventOf(ctx, a);
    if (a.start === null || (e !== null && e.route === "iv-infusion" && a.stop === null) || (e !== null && !timesReadable(a))) missing.push(a);
    else if (e !== null) events.push(e);
  }
  const captured = activeLines(ctx).filter((l) => ADMINISTRATION_CODES.has(l.code));
  if (missing.length > 0) {
    reportMissingTimes(ctx, missing, captured);
    return;
  }
  const derived = deriveAdministrationCodes(events);
  const concurrent = new Map(derived.findings.filter((f) => f.code === "HYDRATION_CONCURRENT").map((f) => [f.eventId, f.message]));
  const short = new Map(derived.findings.filter((f) => f.code === "HYDRATION_NOT_REPORTABLE").map((f) => [f.eventId, f.message]));
  const known = new Set(events.map((e) => e.id as string));
  const expected: AdministrationLine[] = [...derived.lines];
  const unmatched: WorkLine[] = [];
  for (const line of captured) {
    const i = expected.findIndex((e) => e.cpt === line.code);
    if (i < 0) { unmatched.push(line); continue; }
    const e = expected.splice(i, 1)[0] as AdministrationLine;
    checkMatched(ctx, line, e);
  }
  for (const line of unmatched) {
    const ids = line.administrationIds;
    const about = (m: Map<string, string>) => ids.find((id) => m.has(id)) ?? (ids.length === 0 && HYDRATION.has(line.code) ? [...m.keys()][0] : undefined);
    const conc = about(concurrent);
    if (conc !== undefined) {
      report(ctx, { code: "HYDRATION_CONCURRENT", line, administrationId: conc, correction: null, confidence: ids.length > 0 ? CONFIDENCE.EXACT : CONFIDENCE.MATCHED, autoCorrectable: true, rule: SOURCE,
        rationale: `${concurrent.get(conc) ?? ""}; ${line.code} removed` });
      continue;
    }
    const brief = about(short);
    if (brief !== undefined) {
      report(ctx, { code: "ADMIN_CODE", line, administrationId: brief, correction: null, confidence: ids.length > 0 ? CONFIDENCE.EXACT : CONFIDENCE.MATCHED, autoCorrectable: true, rule: SOURCE,
        rationale: `${short.get(brief) ?? ""}; ${line.code} removed` });
      continue;
    }
    const pair = expected.findIndex((e) => ids.length > 0 ? e.eventIds.some((id) => ids.includes(id)) : INITIAL.has(e.cpt) === INITIAL.has(line.code));
    if (pair >= 0) {
      const e = expected.splice(pair, 1)[0] as AdministrationLine;
      const price = ctx.chargeMaster.price(e.cpt, e.units, ctx.dateOfService);
      report(ctx, { code: "ADMIN_CODE", line, administrationId: e.eventIds[0] ?? null, correction: { code: e.cpt, units: e.units, modifiers: [...e.modifiers], charge: price.charge },
        confidence: ids.length > 0 ? CONFIDENCE.EXACT : CONFIDENCE.MATCHED, autoCorrectable: true, rule: SOURCE,
        rationale: `Captured ${line.code} × ${line.units}; the MAR supports ${e.cpt} × ${e.units}: ${e.rationale} (repriced ${price.charge}, ${price.source})` });
      continue;
    }
    const documented = ids.length > 0 ? ids.every((id) => known.has(id)) : ADDITIONAL_HOURS.has(line.code) && derived.lines.some((d) => INITIAL.has(d.cpt));
    if (documented) {
      report(ctx, { code: "ADMIN_CODE", line, administrationId: ids[0] ?? null, correction: null, confidence: ids.length > 0 ? CONFIDENCE.EXACT : CONFIDENCE.MATCHED, autoCorrectable: true, rule: SOURCE,
        rationale: `${line.code} × ${line.units} is not supported by the documented times: ${derived.lines.map((d) => `${d.cpt} × ${d.units} (${d.rationale})`).join("; ") || "no reportable service"}; line removed` });
    } else {
      report(ctx, { code: "ADMIN_NOT_DOCUMENTED", line, administrationId: null, correction: null, confidence: CONFIDENCE.EXACT, autoCorrectable: false, rule: SOURCE,
        rationale: `${line.code} × ${line.units} is charged but no MAR entry documents the service${ids.length > 0 ? ` (it names ${ids.join(", ")})` : ""}: query the nurse or remove the line` });
    }
  }
  for (const e of expected) {
    const added = newLine(ctx, { code: e.cpt, units: e.units, modifiers: [...e.modifiers], administrationIds: [...e.eventIds], diagnosisCodes: diagnosesForNewLine(ctx, e.cpt, e.eventIds) });
    reportAdded(ctx, { code: "ADMIN_NOT_CHARGED", added, administrationId: e.eventIds[0] ?? null, confidence: CONFIDENCE.EXACT, autoCorrectable: true, rule: SOURCE,
      rationale: `${e.rationale}: no ${e.cpt} line was captured; added × ${e.units} at ${added.charge}` });
  }
}

function checkMatched(ctx: ScrubContext, line: WorkLine, e: AdministrationLine): void {
  const distinct = e.modifiers.find((m) => m === "59" || m === "XU");
  const hasDistinct = line.modifiers.some((m) => m === "59" || m === "XU");
  if (line.units === e.units && (distinct === undefined || hasDistinct)) return;
  const modifiers = distinct !== undefined && !hasDistinct ? withModifier(line.modifiers, distinct) : line.modifiers;
  report(ctx, { code: "ADMIN_CODE", line, administrationId: e.eventIds[0] ?? null, correction: { units: e.units, modifiers, charge: line.units === e.units ? line.charge : repriced(line, e.units) },
    confidence: CONFIDENCE.EXACT, autoCorrectable: true, rule: SOURCE,
    rationale: `Captured ${line.code} × ${line.units}${line.units === e.units ? ` without ${distinct ?? ""}` : ""}; ${e.rationale} → ${e.cpt} × ${e.units}${modifiers === line.modifiers ? "" : ` with ${modifiers.join(", ")}`}` });
}

/** Start (and stop, when given) are date-times, the stop not before the start. */
function timesReadable(a: MarEntry): boolean {
  const start = Date.parse(a.start ?? "");
  const stop = a.stop === null ? null : Date.parse(a.stop);
  return !Number.isNaN(start) && (stop === null || (!Number.isNaN(stop) && stop >= start));
}

function reportMissingTimes(ctx: ScrubContext, missing: MarEntry[], captured: WorkLine[]): void {
  for (const a of missing) {
    const what = a.start === null ? "no start time" : a.stop === null ? "no stop time" : `times that cannot be used (${a.start} – ${a.stop})`;
    const lines = captured.filter((l) => l.administrationIds.includes(a.id));
    const unnamed = captured.filter((l) => l.administrationIds.length === 0 && TIME_BASED.has(l.code));
    const affected = lines.length > 0 ? lines : missing.length === 1 ? unnamed : [];
    const rationale = `${a.drugName} (MAR ${a.id}) has ${what}: a time-based administration line cannot be billed or checked without it; the nurse must document it (the other administration lines are left as captured until then)`;
    if (affected.length === 0) {
      report(ctx, { code: "ADMIN_TIME_MISSING", line: null, administrationId: a.id, confidence: CONFIDENCE.EXACT, autoCorrectable: false, rule: SOURCE, rationale });
    }
    for (const line of affected) report(ctx, { code: "ADMIN_TIME_MISSING", line, administrationId: a.id, confidence: CONFIDENCE.EXACT, autoCorrectable: false, rule: SOURCE, rationale });
  }
}
