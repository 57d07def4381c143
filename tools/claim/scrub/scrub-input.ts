/**
 * What the scrubber accepts at its boundaries (API, CLI): a visit record in JSON, validated with
 * its zod schema (a failure names the field), or an 837P/837I in X12 read with the toolkit's
 * readers. An 837 whose CLM02 does not balance is still read (that is CLAIM_BALANCE, not bad input).
 */
import { BadInputError } from "../../errors.js";
import { parseX12 } from "../../edi/parse.js";
import { toClaimModel, type ReceivedClaim } from "../../edi/readers/claim-837.js";
import { NotX12Error } from "../../edi/tokenizer.js";
import { sumMoney, type Claim } from "../claim.js";
import { VisitRecord } from "../visit-record.js";

/** A parsed scrub input. */
export type ScrubInput = { kind: "visit-record"; record: VisitRecord } | { kind: "837"; claims: Claim[] };

/** Validates a visit record; BadInputError naming every field that fails. */
export function parseVisitRecord(json: unknown): VisitRecord {
  const parsed = VisitRecord.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.length === 0 ? "(body)" : i.path.join(".")}: ${i.message}`);
  throw new BadInputError(`The visit record is invalid — ${problems.slice(0, 10).join("; ")}`, { details: { problems: problems.slice(0, 50) } });
}

/** The claims of every 837 transaction in an interchange (the captured CLM02 kept even when it does not balance). */
export function claimsFromX12(text: string): Claim[] {
  let parsed: ReturnType<typeof parseX12>;
  try {
    parsed = parseX12(text);
  } catch (error) {
    if (error instanceof NotX12Error) throw new BadInputError(`Not an X12 interchange: ${error.message}`, { code: "INVALID_X12" });
    throw error;
  }
  const received = parsed.transactions.flatMap((t) => (t.type === "837" ? (t.data as ReceivedClaim[]) : []));
  if (received.length === 0) {
    const first = parsed.issues.find((i) => i.severity === "error");
    throw new BadInputError(`No 837 claim in the interchange${first === undefined ? "" : `: ${first.message}`}`, { code: "INVALID_X12" });
  }
  return received.map((r) => {
    const lineTotal = r.lines.every((l) => l.charge !== null) ? sumMoney(r.lines.map((l) => l.charge as string)) : null;
    const claim = toClaimModel(lineTotal === null ? r : { ...r, totalCharge: lineTotal });
    return r.totalCharge === null ? claim : { ...claim, totalCharge: r.totalCharge };
  });
}

/** Reads a visit record (first non-blank character `{`) or an 837 (`ISA`). */
export function readScrubInput(text: string): ScrubInput {
  const start = text.trimStart();
  if (start.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(start);
    } catch (error) {
      throw new BadInputError(`The visit record is not valid JSON: ${(error as Error).message}`, { code: "MALFORMED_JSON" });
    }
    return { kind: "visit-record", record: parseVisitRecord(json) };
  }
  if (start.startsWith("ISA")) return { kind: "837", claims: claimsFromX12(start) };
  throw new BadInputError("The input is neither a visit record in JSON (starting with \"{\") nor an 837 in X12 (starting with \"ISA\")");
}
