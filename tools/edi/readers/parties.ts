/** Parties as NM1 names them (shared by the 278, 277 and 837 readers). */
import { el, type Segment } from "../tokenizer.js";

/**
 * NM103 with NM108 and NM109 of a provider's NM1. NM109 means what NM108 says it is (XX NPI,
 * 24 EIN, 34 SSN, 46 ETIN, FI federal tax id, SV service provider number, PI payer id …): only an
 * XX identifier is an NPI.
 */
export function providerName(s: Segment): { name: string | null; idQualifier: string | null; id: string | null; npi: string | null } {
  const idQualifier = el(s, 8) || null;
  const id = el(s, 9) || null;
  return { name: el(s, 3) || null, idQualifier, id, npi: idQualifier === "XX" ? id : null };
}
