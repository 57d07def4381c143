/**
 * The dates of a 271 answer (DTP qualifiers of 005010X279A1 2100C/D and 2110C/D):
 * 346 plan begin, 347 plan end, 356 eligibility begin, 357 eligibility end bound the coverage —
 * a date of service before a begin or after an end is inactive on that date; 291 plan and 307
 * eligibility (D8 or RD8) are the dates the answer covers, not an end — a date of service outside
 * them is not verified for that date. At the benefit level (2110) the same qualifiers, with 292
 * benefit, 348 benefit begin and 349 benefit end, bound that benefit only.
 */
import type { DateEntry } from "../../edi/readers/eligibility-271.js";

const BEGINS = new Set(["346", "348", "356"]);
const ENDS = new Set(["347", "349", "357"]);
const PERIODS = new Set(["291", "292", "307"]);

/** The coverage bounds and the answer's period at the subject level. */
export interface CoverageWindow {
  /** The latest begin (346 / 356) and the DTP that set it. */
  begin: DateEntry | null;
  /** The earliest end (347 / 357) and the DTP that set it. */
  end: DateEntry | null;
  planBegin: string | null;
  planEnd: string | null;
  /** The answer covers the dates inside every one of these (291 / 307). */
  periods: DateEntry[];
}

/** A dependent's dates, with its subscriber's for any qualifier the dependent's loop lacks. */
export function subjectDates(own: readonly DateEntry[], subscriber: readonly DateEntry[] | null): DateEntry[] {
  if (subscriber === null) return [...own];
  const have = new Set(own.map((d) => d.qualifier));
  return [...own, ...subscriber.filter((d) => !have.has(d.qualifier))];
}

/** Reads the bounds and the answer's period from subject-level dates (order does not matter). */
export function coverageWindow(dates: readonly DateEntry[]): CoverageWindow {
  let begin: DateEntry | null = null;
  let end: DateEntry | null = null;
  const periods: DateEntry[] = [];
  const first = (q: string) => dates.filter((d) => d.qualifier === q).map((d) => d.start).sort()[0] ?? null;
  const last = (q: string) => dates.filter((d) => d.qualifier === q).map((d) => d.end).sort().at(-1) ?? null;
  for (const d of dates) {
    if (d.qualifier === "346" || d.qualifier === "356") {
      if (begin === null || d.start > begin.start) begin = d;
    } else if (d.qualifier === "347" || d.qualifier === "357") {
      if (end === null || d.end < end.end) end = d;
    } else if (d.qualifier === "291" || d.qualifier === "307") periods.push(d);
  }
  return { begin, end, planBegin: first("346") ?? first("356"), planEnd: last("347") ?? last("357"), periods };
}

/** The intersection of the answer's periods, or null when the payer gave none (or they do not meet). */
export function answerPeriod(window: CoverageWindow): { start: string; end: string } | null {
  if (window.periods.length === 0) return null;
  const start = window.periods.map((p) => p.start).sort().at(-1) as string;
  const end = window.periods.map((p) => p.end).sort()[0] as string;
  return start <= end ? { start, end } : null;
}

/** Why the subject-level dates put the date of service outside the coverage, if they do: `before` a begin or `after` an end. */
export function outsideBounds(window: CoverageWindow, dateOfService: string): { side: "before" | "after"; dtp: DateEntry } | null {
  if (window.begin !== null && dateOfService < window.begin.start) return { side: "before", dtp: window.begin };
  if (window.end !== null && dateOfService > window.end.end) return { side: "after", dtp: window.end };
  return null;
}

/** The answer's periods that leave the date of service out. */
export function periodsMissing(window: CoverageWindow, dateOfService: string): DateEntry[] {
  return window.periods.filter((p) => dateOfService < p.start || dateOfService > p.end);
}

/** Whether a benefit's own dates (2110 DTP) let it apply on the date of service. */
export function benefitAppliesOn(dates: readonly DateEntry[], dateOfService: string): boolean {
  return dates.every((d) => {
    if (PERIODS.has(d.qualifier)) return dateOfService >= d.start && dateOfService <= d.end;
    if (BEGINS.has(d.qualifier)) return dateOfService >= d.start;
    if (ENDS.has(d.qualifier)) return dateOfService <= d.end;
    return true;
  });
}
