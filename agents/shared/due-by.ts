/**
 * When a person must decide a pre-service item by: end of the business day (17:00 UTC) a set
 * number of days before the date of service, so the clinic can still act; never in the past.
 */
const DAY = 86_400_000;

/** `daysBefore` days before `dateOfService` at 17:00 UTC, or four hours from `now` when that has passed. */
export function dueBefore(dateOfService: string, daysBefore: number, now: Date): string {
  const due = Date.parse(`${dateOfService}T17:00:00Z`) - daysBefore * DAY;
  const floor = now.getTime() + 4 * 3_600_000;
  return new Date(Math.max(due, floor)).toISOString();
}
