/** Calendar arithmetic on ISO dates (YYYY-MM-DD), in UTC so a time zone never moves a day. */

const DAY = 86_400_000;

/** The ISO date `days` after `isoDate` (negative: before). */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to`. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
}
