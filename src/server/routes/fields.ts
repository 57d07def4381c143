/**
 * Field schemas the routes share, so every id, date and text a caller sends is bounded the same
 * way (OWASP ASVS 5.1.3–5.1.4: validate type, length and range at the trust boundary). Strings
 * nothing declares are bounded by the input guard (`plugins/input-guard.ts`).
 */
import { z } from "zod";

/** The longest id a caller may send (path parameters, work item ids, filters). */
export const MAX_ID_CHARS = 128;

/** An id: 1 to 128 characters. */
export const Id = z.string().min(1).max(MAX_ID_CHARS);

/** A year PostgreSQL stores as written: ISO 8601's year 0000 is 1 BC, which it refuses as `0000`. */
const inStoredYears = (iso: string) => /^(?!0000)\d{4}-/.test(iso);
const YEARS = "the year must be 0001–9999";

/** A calendar date, YYYY-MM-DD, year 0001–9999. */
export const IsoDate = z.iso.date().refine(inStoredYears, YEARS);

/** A date and time with its offset, year 0001–9999. */
export const IsoDateTime = z.iso.datetime({ offset: true }).refine(inStoredYears, YEARS);
