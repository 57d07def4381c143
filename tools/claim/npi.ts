/**
 * The NPI check digit. An NPI is ten digits, the last a Luhn (ISO/IEC 7812) check digit computed
 * over the first nine with the prefix 80840 (the health-industry card issuer prefix) in front —
 * CMS, "Requirements for National Provider Identifier (NPI) and NPI Enumerator" (check digit
 * annex): double every other digit from the right of the nine, add the digits, add 24 for the
 * prefix, and the check digit brings the total to a multiple of ten.
 */

/** The check digit the first nine digits of an NPI call for. */
export function npiCheckDigit(first9: string): number {
  if (!/^\d{9}$/.test(first9)) throw new RangeError("An NPI's base is nine digits");
  let sum = 24; // 8+0+8+4+0 with the doubling of the prefix 80840's positions: the constant CMS gives.
  for (let i = 0; i < 9; i += 1) {
    const digit = Number(first9[8 - i]);
    const doubled = i % 2 === 0 ? digit * 2 : digit;
    sum += doubled > 9 ? doubled - 9 : doubled;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when `npi` is ten digits whose last is the Luhn check digit over 80840 and the first nine. */
export function isValidNpi(npi: string | null | undefined): boolean {
  if (typeof npi !== "string" || !/^\d{10}$/.test(npi)) return false;
  return npiCheckDigit(npi.slice(0, 9)) === Number(npi[9]);
}
