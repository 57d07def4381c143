/**
 * Reads a 271 the way payers mean it, for one person and one date of service — the function the
 * eligibility agent and `infusion-rcm eligibility interpret` share.
 *
 * - Whose answer: the subject the inquiry asked about (`subjects.ts`), subscriber or dependent.
 * - Rejections: AAA at 2100A/B/C/D fails the request at that level; at 2110C/D only that benefit
 *   inquiry (`rejections.ts`).
 * - Active (TR3 005010X279A1, EB01): 1 active coverage, 2 active full risk capitation, 3 active
 *   services capitated, 4 active services capitated to primary care physician are active;
 *   5 active pending investigation needs a person; 6 inactive, 7 inactive pending eligibility
 *   update, 8 inactive pending investigation are inactive. Only status rows for the visit's service
 *   types (EB03), without a procedure (EB13), that apply on the date (their own 2110 DTP) count. A
 *   271 with none of them is undetermined — never inactive.
 * - Dates (`coverage-dates.ts`): before a plan/eligibility begin or after an end → inactive on that
 *   date; outside the period the answer covers (291/307) → not verified for that date (re-check).
 * - Amounts (`accumulators.ts`): network, time period, coverage level and service type.
 */
import { Decimal } from "decimal.js";
import type { Eligibility271, EligibilitySubject } from "../../edi/readers/eligibility-271.js";
import { coinsurance, limitRemaining, type NetworkStatus } from "./accumulators.js";
import { answerPeriod, coverageWindow, subjectDates } from "./coverage-dates.js";
import { decideCoverage, type CoverageDecision } from "./coverage-status.js";
import { at, evidenceOf, who } from "./evidence.js";
import { statusOf, type EligibilityInterpretation, type EvidenceSegment } from "./interpretation.js";
import { describeRejection, failedAt, rejectionsFor } from "./rejections.js";
import { answeredSubjects, subscriberOf } from "./subjects.js";

/** What the visit needs of the answer. */
export interface InterpretOptions {
  dateOfService: string;
  /** The clinic's network status with this payer (payer configuration). */
  network: NetworkStatus;
  /** Service types relevant to the visit, most specific first (`infusionServiceTypes`, `serviceTypesFor`). */
  serviceTypes: readonly (readonly string[])[];
}

/** Interprets the answer about one subject (null: none was found, `why` says so). */
export function interpretSubject(
  response: Eligibility271, controlNumber: string, subject: EligibilitySubject | null, options: InterpretOptions,
  match: { matchedBy: "trace" | "member" | null; why?: string } = { matchedBy: null },
): EligibilityInterpretation {
  const subscriber = subject === null ? null : subscriberOf(response, subject);
  const rejected = rejectionsFor(response, subject, subscriber);
  const rejections = rejected.map((r) => r.rejection);
  const evidence: EvidenceSegment[] = [];
  const trace = subject?.traces[0] ?? null;
  if (subject !== null) evidence.push(...evidenceOf(subject.at, `the answer's subject: ${who(subject)}`));
  if (trace !== null && match.matchedBy === "trace") evidence.push(...evidenceOf(trace.at, `trace ${trace.number} echoed by the payer`));
  evidence.push(...rejected.flatMap((r) => (r.evidence === null ? [] : [r.evidence])));
  const base = {
    controlNumber, trace: trace?.number ?? null, subject: subject?.level ?? null, matchedBy: match.matchedBy, rejections,
    planName: null, planBegin: null, planEnd: null, answerPeriod: null, deductibleRemaining: null, deductibleBasis: null,
    outOfPocketRemaining: null, outOfPocketBasis: null, coinsurancePercent: null, evidence,
  };
  const level = failedAt(rejections);
  if (level !== null) {
    const failing = rejections.filter((r) => r.level === level);
    return { ...base, status: "rejected", finding: "rejected", rejectedAt: level, reason: `The payer rejected the inquiry at the ${level} level: ${failing.map(describeRejection).join(" ")}` };
  }
  if (subject === null) {
    return { ...base, status: "undetermined", finding: "undetermined", rejectedAt: null, reason: `Undetermined for ${options.dateOfService}: ${match.why ?? "the 271 answers about no one"}. Ask the payer whether coverage is active on ${options.dateOfService}.` };
  }
  const window = coverageWindow(subjectDates(subject.dates, subscriber === subject ? null : subscriber?.dates ?? null));
  const decision: CoverageDecision = decideCoverage(subject, window, options, rejections);
  const ctx = { dateOfService: options.dateOfService, network: options.network, serviceTypes: options.serviceTypes, subject: subject.level };
  const deductible = limitRemaining(subject.benefits, "C", ctx);
  const oop = limitRemaining(subject.benefits, "G", ctx);
  const coins = coinsurance(subject.benefits, ctx);
  evidence.push(...decision.evidence);
  const amounts: string[] = [];
  for (const [what, pick] of [["deductible", deductible], ["out-of-pocket", oop]] as const) {
    if (pick === null) continue;
    const basis = pick.basis === "remaining" ? "remaining" : "for the calendar year (the payer sent no remaining amount)";
    evidence.push(...evidenceOf(pick.row.at, `${what} ${basis}`));
    amounts.push(`${what} ${basis} ${pick.amount} (${pick.row.at?.text ?? `EB*${pick.row.code}`}${at(pick.row.at)})`);
  }
  if (coins !== null) evidence.push(...evidenceOf(coins.row.at, "coinsurance"));
  const benefitRejections = rejections.filter((r) => r.level === "benefit");
  const tail = [
    amounts.length > 0 && decision.finding === "active" ? ` Amounts: ${amounts.join("; ")}.` : "",
    benefitRejections.length > 0 ? ` The payer rejected ${benefitRejections.length} benefit inquir${benefitRejections.length === 1 ? "y" : "ies"} (the member was found): ${benefitRejections.map(describeRejection).join(" ")}` : "",
  ].join("");
  return {
    ...base, status: statusOf(decision.finding), finding: decision.finding, rejectedAt: null, reason: `${decision.reason}${tail}`,
    planName: decision.planName ?? subject.planName, planBegin: window.planBegin, planEnd: window.planEnd, answerPeriod: answerPeriod(window),
    deductibleRemaining: deductible?.amount ?? null, deductibleBasis: deductible?.basis ?? null,
    outOfPocketRemaining: oop?.amount ?? null, outOfPocketBasis: oop?.basis ?? null,
    coinsurancePercent: coins === null ? null : new Decimal(coins.percent).times(100).toFixed(2),
  };
}

/** One interpretation per subject the 271 answers about (the command's case); one without a subject when it names none. */
export function interpretEverySubject(response: Eligibility271, controlNumber: string, options: InterpretOptions): EligibilityInterpretation[] {
  const subjects = answeredSubjects(response);
  if (subjects.length === 0) return [interpretSubject(response, controlNumber, null, options, { matchedBy: null, why: "the 271 names no subscriber or dependent" })];
  return subjects.map((s) => interpretSubject(response, controlNumber, s, options));
}
