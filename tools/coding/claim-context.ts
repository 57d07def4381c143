/**
 * Claim coding context: revenue codes for 837I lines, place of service for 837P, type of bill
 * 13x for hospital outpatient, and the ICD-10-CM code format.
 */

/** NUBC revenue codes an infusion claim uses. */
export const REVENUE_CODES = {
  "0636": "Drugs requiring detailed coding (J-codes)",
  "0335": "Chemotherapy administration — IV",
  "0331": "Chemotherapy administration — injected",
  "0260": "IV therapy",
  "0250": "Pharmacy (general)",
} as const;

/** The revenue code for an 837I line by what it bills. */
export function revenueCodeFor(line: { cpt?: string; hcpcs?: string }): keyof typeof REVENUE_CODES {
  const code = line.cpt ?? line.hcpcs ?? "";
  if (/^J\d{4}$/.test(code) || /^Q\d{4}$/.test(code)) return "0636";
  if (["96413", "96415", "96416", "96417", "96409", "96411"].includes(code)) return "0335";
  if (["96401", "96402"].includes(code)) return "0331";
  if (/^963(6[0-8]|7[2-5])$/.test(code)) return "0260";
  return "0250";
}

/** Places of service an infusion clinic bills on 837P. */
export const PLACES_OF_SERVICE = { "11": "Office", "19": "Off-campus outpatient hospital", "22": "On-campus outpatient hospital", "12": "Home" } as const;

/** Hospital outpatient type of bill: 13 + frequency (1 original, 7 replacement, 8 void). */
export function outpatientBillType(frequency: "1" | "7" | "8" = "1"): string {
  return `013${frequency}`;
}

/** Whether a type of bill is hospital outpatient (13x). */
export const isOutpatientBillType = (tob: string): boolean => /^0?13[0-9A-Z]$/.test(tob);

/**
 * ICD-10-CM format: a letter, a digit, a digit or letter, then up to four more characters after
 * an optional dot (C34.90, C50.911, Z51.11). Checks the shape, not the code set.
 */
export function isIcd10CmFormat(code: string): boolean {
  return /^[A-TV-Z]\d[0-9A-Z](\.?[0-9A-Z]{1,4})?$/.test(code.trim().toUpperCase());
}

/** Strips the dot for X12 (C34.90 → C3490). */
export const icd10ForX12 = (code: string): string => code.trim().toUpperCase().replace(".", "");
