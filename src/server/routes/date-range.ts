/** A range of dates of service (ISO dates, inclusive) as a request gives it, with its bounds checked. */
import { z } from "zod";
import { daysBetween } from "../../../tools/iso-dates.js";
import { IsoDate } from "./fields.js";

/** `{ from, to }` with from ≤ to, covering at most `maxDays` calendar days (both ends included). */
export function DateRange(maxDays: number) {
  return z
    .object({
      from: IsoDate.describe("First date of service (YYYY-MM-DD)"),
      to: IsoDate.describe("Last date of service (YYYY-MM-DD), inclusive"),
    })
    .refine((r) => r.from <= r.to, { path: ["to"], message: "to must not be before from" })
    .refine((r) => daysBetween(r.from, r.to) + 1 <= maxDays, { path: ["to"], message: `the range may cover at most ${maxDays} days` });
}
