/**
 * Checks on the claim's lines alone:
 * - DUPLICATE_LINE: the same code, modifiers, units and date of service twice (CARC 18): the
 *   later line is removed;
 * - REV_CODE (837I): the revenue code does not fit what the line bills (NUBC 0636 drugs requiring
 *   detailed coding, 0335 chemotherapy IV, 0331 chemotherapy injected, 0260 IV therapy);
 * - AUTH_MISSING / AUTH_UNITS: a drug the payer wants authorized (an `auth-required` rule, or an
 *   authorization on file for the code) with no approved authorization covering the date of
 *   service, or units beyond those authorized less those already used.
 */
import { revenueCodeFor } from "../../coding/claim-context.js";
import { activeLines, report, rulesOf, type ScrubContext } from "./context.js";
import { CONFIDENCE } from "./finding.js";
import { ADMINISTRATION_CODES, isDrugCode } from "./work-line.js";

export function checkDuplicates(ctx: ScrubContext): void {
  const seen = new Map<string, string>();
  for (const line of activeLines(ctx)) {
    const key = [line.code, [...line.modifiers].sort().join(","), line.units, line.serviceDate, line.ndc ?? ""].join("|");
    const first = seen.get(key);
    if (first === undefined) { seen.set(key, line.id); continue; }
    report(ctx, { code: "DUPLICATE_LINE", line, correction: null, confidence: CONFIDENCE.EXACT, autoCorrectable: true, rule: "DOMAIN: duplicate lines (CARC 18)",
      rationale: `${line.code}${line.modifiers.length > 0 ? `-${line.modifiers.join("-")}` : ""} × ${line.units} on ${line.serviceDate} repeats line ${first}: removed` });
  }
}

export function checkRevenueCodes(ctx: ScrubContext): void {
  if (ctx.form !== "837I") return;
  for (const line of activeLines(ctx)) {
    // Only the lines this toolkit knows the revenue code of: drugs and drug administration.
    if (!isDrugCode(line.code) && !ADMINISTRATION_CODES.has(line.code)) continue;
    const expected = revenueCodeFor({ hcpcs: line.code });
    if (line.revenueCode === expected) continue;
    report(ctx, { code: "REV_CODE", line, correction: { revenueCode: expected }, confidence: CONFIDENCE.EXACT, autoCorrectable: true, rule: "DOMAIN: Revenue codes (837I); NUBC revenue codes",
      rationale: `${line.code} on an 837I takes revenue code ${expected}; captured ${line.revenueCode ?? "none"}` });
  }
}

/** The approved authorization covering a code on the date of service, if any. */
export function authorizationFor(ctx: ScrubContext, code: string): ScrubContext["authorizations"][number] | null {
  return ctx.authorizations.find((a) => a.status === "approved" && a.codes.includes(code) && a.from <= ctx.dateOfService && ctx.dateOfService <= a.to) ?? null;
}

export function checkAuthorizations(ctx: ScrubContext): void {
  const codes = [...new Set(activeLines(ctx).filter((l) => isDrugCode(l.code)).map((l) => l.code))];
  for (const code of codes) {
    const lines = activeLines(ctx).filter((l) => l.code === code);
    const main = lines.find((l) => !l.modifiers.includes("JW")) ?? (lines[0] as (typeof lines)[number]);
    const rule = rulesOf(ctx, "auth-required").find((r) => r.codes.includes(code));
    const onFile = ctx.authorizations.filter((a) => a.codes.includes(code));
    const approved = authorizationFor(ctx, code);
    if (approved === null) {
      if (rule === undefined && onFile.length === 0) continue;
      const list = onFile.map((a) => `${a.number} ${a.status} ${a.from}–${a.to}`).join("; ");
      report(ctx, { code: "AUTH_MISSING", line: main, confidence: rule !== undefined ? CONFIDENCE.EXACT : CONFIDENCE.MATCHED, autoCorrectable: false,
        rule: rule !== undefined ? { source: `payer rule ${rule.id}`, detail: rule.note } : "DOMAIN: Authorization (an authorization on file for the code)",
        rationale: `${code} needs an authorization${rule !== undefined ? ` (payer rule ${rule.id})` : ""} and none approved covers ${ctx.dateOfService}${list === "" ? "" : ` (on file: ${list})`}: obtain or correct the authorization before billing` });
      continue;
    }
    if (approved.unitsAuthorized === null) continue;
    const remaining = approved.unitsAuthorized - approved.unitsUsed;
    const billed = lines.reduce((t, l) => t + l.units, 0);
    if (billed <= remaining) continue;
    report(ctx, { code: "AUTH_UNITS", line: main, confidence: CONFIDENCE.EXACT, autoCorrectable: false, rule: `authorization ${approved.number}`,
      rationale: `${billed} units of ${code} billed; authorization ${approved.number} allows ${approved.unitsAuthorized} − ${approved.unitsUsed} used = ${remaining}: request more units before billing` });
  }
}
