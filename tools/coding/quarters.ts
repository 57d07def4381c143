/**
 * Calendar quarters of the CMS quarterly files. CMS publishes the ASP payment-limit file and the
 * NDC–HCPCS crosswalk per calendar quarter (January, April, July, October), each "Effective
 * <first day> through <last day>"; a claim or an estimate is priced from the file in force on the
 * date of service. Quarters are named `2026Q4` in data and "2026 Q4" in messages.
 */
import { addDays } from "../iso-dates.js";

/** A quarter and the dates it is in force (ISO dates, inclusive). */
export interface QuarterSpan {
  quarter: string;
  effectiveFrom: string;
  effectiveTo: string;
}

const QUARTER = /^(\d{4})Q([1-4])$/;
const LAST_DAY = ["03-31", "06-30", "09-30", "12-31"] as const;

/** The quarter `2026Q4` as its span. Throws on a malformed name (callers validate input first). */
export function quarterSpan(quarter: string): QuarterSpan {
  const m = QUARTER.exec(quarter);
  if (m === null) throw new Error(`"${quarter}" is not a quarter such as 2026Q4`);
  const q = Number(m[2]);
  return { quarter, effectiveFrom: `${m[1]}-${String(q * 3 - 2).padStart(2, "0")}-01`, effectiveTo: `${m[1]}-${LAST_DAY[q - 1]}` };
}

/** Whether a string names a quarter (`2026Q4`). */
export const isQuarterName = (s: string): boolean => QUARTER.test(s);

/** The quarter a date (YYYY-MM-DD) falls in. */
export function quarterOf(date: string): QuarterSpan {
  return quarterSpan(`${date.slice(0, 4)}Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`);
}

/** The quarter after `quarter`. */
export function nextQuarter(quarter: string): QuarterSpan {
  return quarterOf(addDays(quarterSpan(quarter).effectiveTo, 1));
}

/** "2026Q4" → "2026 Q4", as people write it. */
export const quarterLabel = (quarter: string): string => quarter.replace("Q", " Q");

/**
 * The quarter whose dates are exactly `from`..`to`, or null when they are not one calendar
 * quarter (a file "effective January 1 through June 30" is not a quarterly file).
 */
export function quarterForDates(from: string, to: string): QuarterSpan | null {
  const q = quarterOf(from);
  return q.effectiveFrom === from && q.effectiveTo === to ? q : null;
}

/** Which loaded quarter prices a date of service. */
export interface QuarterChoice<T extends QuarterSpan> {
  /** The quarter in force on the date of service. */
  inForce: string;
  /** The loaded quarter used: the one in force, else the latest that began before the date; null when none did. */
  chosen: T | null;
  /** True when `chosen` is not the quarter in force (its file is not loaded). */
  stale: boolean;
}

/**
 * Chooses the quarter for a date of service from loaded quarters sorted oldest first: the quarter
 * in force when it is loaded; otherwise the latest loaded quarter that began before the date —
 * never a later one, whose prices were not yet in force on that date.
 */
export function chooseQuarter<T extends QuarterSpan>(loaded: readonly T[], dateOfService: string): QuarterChoice<T> {
  const inForce = quarterOf(dateOfService).quarter;
  let earlier: T | null = null;
  for (const q of loaded) {
    if (dateOfService >= q.effectiveFrom && dateOfService <= q.effectiveTo) return { inForce, chosen: q, stale: false };
    if (q.effectiveFrom <= dateOfService) earlier = q;
  }
  return { inForce, chosen: earlier, stale: earlier !== null };
}
