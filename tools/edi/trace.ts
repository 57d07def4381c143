/**
 * TRN03 of the traces we originate (270 2000C/D TRN*1, 278 2000E TRN*1): the Originating
 * Company Identifier, AN 10/10 (005010X279A1 and 005010X217: "The first position must be either
 * a 1 if an EIN is used, a 3 if a DUNS is used or a 9 if a user assigned identifier is used").
 * The payer echoes it back on TRN*2 of the 271/278 response, so it must be exactly ten characters.
 */
import { BadInputError } from "../errors.js";

/** "9" + a user-assigned number, used only when nothing identifies the sender. */
export const DEFAULT_TRACE_ORIGINATOR = "9000000000";

/**
 * The originator for a sender: "1" + its EIN when it has one; otherwise "9" + the first nine
 * digits of its NPI (the tenth is a check digit), a user-assigned number derived from the
 * clinic's identity (CLINIC_NPI) so it is stable and the clinic's own.
 */
export function traceOriginator(identity: { ein?: string | null; npi?: string | null }): string {
  const { ein, npi } = identity;
  if (ein !== undefined && ein !== null) {
    if (!isDigits(ein, 9)) throw new BadInputError(`An EIN for TRN03 is nine digits without a hyphen, not "${ein}"`, { code: "INVALID_X12" });
    return `1${ein}`;
  }
  if (npi !== undefined && npi !== null) {
    if (!isDigits(npi, 10)) throw new BadInputError(`An NPI is ten digits, not "${npi}"`, { code: "INVALID_X12" });
    return `9${npi.slice(0, 9)}`;
  }
  return DEFAULT_TRACE_ORIGINATOR;
}

function isDigits(value: string, length: number): boolean {
  if (value.length !== length) return false;
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
