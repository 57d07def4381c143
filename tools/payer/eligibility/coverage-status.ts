/**
 * Coverage on the date of service from a subject's status rows (EB01 1–8) and dates, with the
 * staff message saying what the payer did and did not say. See `interpret-271.ts` for the rules.
 */
import type { Benefit, DateEntry, EligibilitySubject } from "../../edi/readers/eligibility-271.js";
import { tierOf } from "./accumulators.js";
import { benefitAppliesOn, outsideBounds, periodsMissing, type CoverageWindow } from "./coverage-dates.js";
import { dtpText, evidenceOf, rowText, span, who } from "./evidence.js";
import { EB01_NAMES, type EligibilityFinding, type EvidenceSegment, type InterpretedRejection } from "./interpretation.js";

/** What the status rows and dates decide, and why. */
export interface CoverageDecision {
  finding: Exclude<EligibilityFinding, "rejected">;
  reason: string;
  planName: string | null;
  evidence: EvidenceSegment[];
}

const ACTIVE = new Set(["1", "2", "3", "4"]);
const INACTIVE = new Set(["6", "7", "8"]);
const STATUS = new Set([...ACTIVE, "5", ...INACTIVE]);
const DTP_NAMES: Record<string, string> = { "346": "plan", "347": "plan", "356": "eligibility", "357": "eligibility" };

const byContent = (a: Benefit, b: Benefit) => (a.at?.text ?? a.code).localeCompare(b.at?.text ?? b.code);
const rowEvidence = (b: Benefit, use: string) => evidenceOf(b.at, use);
const dtpEvidence = (d: DateEntry, use: string) => evidenceOf(d.at, use);

/** Decides coverage on the date of service for a subject the request did not fail for. */
export function decideCoverage(
  subject: EligibilitySubject, window: CoverageWindow, options: { dateOfService: string; serviceTypes: readonly (readonly string[])[] }, rejections: readonly InterpretedRejection[],
): CoverageDecision {
  const dos = options.dateOfService;
  // The most specific rows first (service-type tier, then text): the message names the row that decided, whatever the file's order.
  const tier = (b: Benefit) => tierOf(b, options.serviceTypes) ?? Number.MAX_SAFE_INTEGER;
  const status = subject.benefits.filter((b) => STATUS.has(b.code) && b.procedure === null && tierOf(b, options.serviceTypes) !== null)
    .sort((a, b) => tier(a) - tier(b) || byContent(a, b));
  const onDate = status.filter((b) => benefitAppliesOn(b.dates, dos));
  const active = onDate.filter((b) => ACTIVE.has(b.code));
  const pending = onDate.filter((b) => b.code === "5");
  const inactive = onDate.filter((b) => INACTIVE.has(b.code));
  const planName = [...active, ...pending, ...inactive].map((b) => b.planDescription).find((p) => p !== null) ?? null;
  const decided = (finding: CoverageDecision["finding"], reason: string, evidence: EvidenceSegment[]): CoverageDecision => ({ finding, reason, planName, evidence });
  const recheck = `Re-check eligibility for ${dos}.`;

  const outside = outsideBounds(window, dos);
  if (outside !== null) {
    const { side, dtp } = outside;
    const what = DTP_NAMES[dtp.qualifier] ?? "coverage";
    const said = active.length > 0 ? ` (The payer's status rows say active, for the dates it answers for: ${rowText(active[0] as Benefit)}.)`
      : inactive.length > 0 ? ` The payer sent ${rowText(inactive[0] as Benefit)}.` : "";
    const reason = side === "after"
      ? `Inactive on ${dos}: the ${what} ended ${dtp.end} (${dtpText(dtp)}), before the visit.${said}`
      : `Inactive on ${dos}: the ${what} begins ${dtp.start} (${dtpText(dtp)}), after the visit.${said}`;
    return decided("inactive-on-date", reason, [
      ...dtpEvidence(dtp, `${what} ${side === "after" ? "end" : "begin"}: the visit falls ${side === "after" ? "after" : "before"} it`),
      ...inactive.slice(0, 1).flatMap((b) => rowEvidence(b, `coverage status: ${EB01_NAMES[b.code] ?? b.code}`)),
    ]);
  }
  if (active.length > 0 && inactive.length > 0) {
    return decided("undetermined", `Undetermined for ${dos}: the payer sent both active (${active.map(rowText).join(", ")}) and inactive (${inactive.map(rowText).join(", ")}) rows for the visit's service types. Ask the payer which applies on ${dos}.`,
      [...active, ...inactive].flatMap((b) => rowEvidence(b, "conflicting coverage status")));
  }
  const missing = periodsMissing(window, dos);
  const missingText = missing.map((d) => `${span(d)} (${dtpText(d)})`).join(" and ");
  const periodEvidence = missing.flatMap((d) => dtpEvidence(d, "the dates the answer covers; the visit is outside them"));
  if (active.length > 0) {
    const first = active[0] as Benefit;
    if (missing.length > 0) {
      return decided("not-verified-for-date", `Not verified for ${dos}: the payer says active (${rowText(first)}) for ${missingText}, which does not include the visit. ${recheck}`, [...rowEvidence(first, "active coverage, for other dates"), ...periodEvidence]);
    }
    const period = window.periods.length === 0 ? "; the payer gave no eligibility date, so the answer is for the date asked" : `; the answer covers ${window.periods.map((d) => `${span(d)} (${dtpText(d)})`).join(" and ")}`;
    const bounds = [window.begin, window.end].flatMap((d) => (d === null ? [] : dtpEvidence(d, `${DTP_NAMES[d.qualifier] ?? "coverage"} ${d === window.begin ? "begin, on or before the visit" : "end, on or after the visit"}`)));
    return decided("active", `Active on ${dos}: ${rowText(first)} for ${who(subject)}${period}.`,
      [...rowEvidence(first, `coverage status: ${EB01_NAMES[first.code] ?? first.code}`), ...window.periods.flatMap((d) => dtpEvidence(d, "the dates the answer covers")), ...bounds]);
  }
  if (pending.length > 0) {
    const first = pending[0] as Benefit;
    return decided("pending-investigation", `Needs a person: the payer sent ${rowText(first)} for ${who(subject)}; coverage is not confirmed. Ask the payer whether coverage is active on ${dos}.`, rowEvidence(first, "active, pending investigation"));
  }
  if (inactive.length > 0) {
    const first = inactive[0] as Benefit;
    if (missing.length > 0) {
      return decided("not-verified-for-date", `Not verified for ${dos}: the payer says inactive (${rowText(first)}) for ${missingText}, not for the visit. ${recheck}`, [...rowEvidence(first, "inactive, for other dates"), ...periodEvidence]);
    }
    const end = window.end === null ? "" : ` The ${DTP_NAMES[window.end.qualifier] ?? "coverage"} end date is ${window.end.end} (${dtpText(window.end)}).`;
    return decided("inactive-on-date", `Inactive on ${dos}: the payer sent ${rowText(first)} for ${who(subject)}.${end}`, rowEvidence(first, `coverage status: ${EB01_NAMES[first.code] ?? first.code}`));
  }
  if (status.length > 0) {
    const rows = status.map((b) => `${rowText(b)} dated ${b.dates.map((d) => `${d.qualifier} ${span(d)}`).join(", ")}`).join("; ");
    return decided("not-verified-for-date", `Not verified for ${dos}: the payer's status rows are bounded by their own dates, which leave the visit out: ${rows}. ${recheck}`, status.flatMap((b) => rowEvidence(b, "coverage status bounded by its own dates")));
  }
  return decided("undetermined", `Undetermined for ${dos}: the payer found ${who(subject)} but sent no coverage status (EB01 1–8) for service types ${options.serviceTypes.map((t) => t.join("/")).join(", ")}; ${whatWasSaid(subject, rejections)} Ask the payer whether coverage is active on ${dos}.`, []);
}

/** What the payer did send about the subject, briefly. */
function whatWasSaid(subject: EligibilitySubject, rejections: readonly InterpretedRejection[]): string {
  if (subject.benefits.length === 0) return rejections.length > 0 ? "it sent only benefit-inquiry rejections." : "it sent no benefit rows at all.";
  const codes = [...new Set(subject.benefits.map((b) => b.code))].sort();
  const other = subject.benefits.filter((b) => STATUS.has(b.code));
  const elsewhere = other.length === 0 ? "" : ` Its status rows concern other services: ${other.map(rowText).join(", ")}.`;
  return `it sent ${subject.benefits.length} benefit row${subject.benefits.length === 1 ? "" : "s"} (${codes.map((c) => `${c} ${EB01_NAMES[c] ?? ""}`.trim()).join(", ")}).${elsewhere}`;
}
