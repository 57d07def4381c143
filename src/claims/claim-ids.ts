/**
 * A claim's id, which is also its patient control number (837 CLM01). The TR3 allows 38
 * characters (005010X222A1 2300 CLM01), but many payers keep only 20 and echo the truncated value
 * in the 277CA and 835, which then match no claim; so the id is short and stable: "C" and 15
 * base-32 characters of the SHA-256 of the visit id (75 bits), the same for every capture of the
 * visit, never PHI.
 */
import { createHash } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** The claim id (and CLM01) of a visit: 16 characters, [0-9A-Z]. */
export function claimIdFor(visitId: string): string {
  const bytes = createHash("sha256").update(`claim|${visitId}`).digest();
  let bits = 0n;
  for (const b of bytes.subarray(0, 10)) bits = (bits << 8n) | BigInt(b);
  let out = "";
  for (let i = 0; i < 15; i += 1) {
    out += ALPHABET[Number(bits & 31n)];
    bits >>= 5n;
  }
  return `C${out}`;
}
