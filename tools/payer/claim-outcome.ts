/**
 * What a clearinghouse reply to an 837 says about one claim: the 999 (005010X231A1) for its
 * transaction set, then the 277CA (005010X214) for the claim itself — accepted into adjudication,
 * rejected with the reasons, or not yet answered. The raw X12 of each acknowledgment is kept apart
 * (the claim store records them as received).
 *
 * Claim status codes are the published Health Care Claim Status Code list (X12 external code
 * source 508); categories are the Claim Status Category Codes (507): A1 acknowledged receipt, A2
 * accepted for adjudication, A3 returned as unprocessable, A4 not found, A6 rejected for missing
 * information, A7 rejected for invalid information, A8 rejected for relational field in error.
 */
import type { Ack999, ClaimStatus277 } from "../edi/readers/acknowledgments.js";
import type { ClearinghouseReply } from "./clearinghouse.js";

/** Descriptions of the claim status codes the sandbox and common payers send on a 277CA. */
export const CLAIM_STATUS_CODES: Record<string, string> = {
  "19": "Entity acknowledges receipt of claim/encounter",
  "20": "Accepted for processing",
  "21": "Missing or invalid information",
  "33": "Subscriber and subscriber id mismatch",
  "156": "Patient relationship to subscriber",
  "158": "Entity's date of birth",
  "164": "Entity's contract/member number",
  "254": "Principal diagnosis code",
  "255": "Diagnosis code",
  "454": "Procedure code for services rendered",
  "562": "Entity's National Provider Identifier (NPI)",
};

/** Claim status categories (507) that mean the claim did not enter adjudication. */
const REJECTING = new Set(["A3", "A4", "A6", "A7", "A8", "E0", "E1", "E2", "E3"]);
const ENTITIES: Record<string, string> = { "85": "billing provider", IL: "subscriber", QC: "patient", PR: "payer", "41": "submitter" };

/** One reason a claim was rejected, in words a biller can act on, with the codes as sent. */
export interface RejectionReason {
  source: "999" | "277CA";
  /** 277CA: STC01 category:status[:entity]; 999: IK5 R with the IK3 segment and IK4 element. */
  code: string;
  message: string;
  /** The 277CA line (REF*FJ line item control number) the reason is about, if any. */
  line: string | null;
}

export interface ClaimOutcome {
  outcome: "accepted" | "rejected" | "pending";
  reasons: RejectionReason[];
  /** 277CA REF*1K when accepted. */
  payerClaimControlNumber: string | null;
  ack999: Ack999["transactions"][number] | null;
  ack277: ClaimStatus277["claims"][number] | null;
  /** The raw X12 interchanges of the reply, by kind (each as received). */
  raw: { ack999: string | null; ack277ca: string | null };
}

/**
 * The interchanges of a reply text, each as received: from an ISA to its IEA segment, read by
 * segments (the terminator at ISA's byte 105, the element separator at byte 3), so an "IEA" or
 * "ISA" inside a value never cuts one short.
 */
export function interchanges(raw: string): string[] {
  const out: string[] = [];
  let at = raw.indexOf("ISA");
  while (at >= 0 && raw.length > at + 105) {
    const sep = raw[at + 3] as string;
    const terminator = raw[at + 105] as string;
    let cursor = at;
    let end = -1;
    while (cursor < raw.length) {
      const next = raw.indexOf(terminator, cursor);
      if (next < 0) break;
      if (raw.slice(cursor, next).trimStart().startsWith(`IEA${sep}`)) { end = next; break; }
      cursor = next + 1;
    }
    if (end < 0) break;
    out.push(raw.slice(at, end + 1));
    const rest = raw.slice(end + 1);
    const offset = rest.search(/\S/);
    at = offset >= 0 && rest.startsWith("ISA", offset) ? end + 1 + offset : -1;
  }
  return out;
}

/** GS08 of an interchange (the implementation it carries), read with its own element separator. */
function groupVersion(interchange: string): string {
  const sep = interchange[3] ?? "*";
  const gs = interchange.split(interchange[105] ?? "~").map((s) => s.trim()).find((s) => s.startsWith(`GS${sep}`));
  return gs?.split(sep)[8] ?? "";
}

function describe(s: ClaimStatus277["claims"][number]["statuses"][number]): string {
  const what = s.status === null ? "no status code" : `${CLAIM_STATUS_CODES[s.status] ?? `status ${s.status}`}`;
  const who = s.entity === null ? "" : ` (${ENTITIES[s.entity] ?? `entity ${s.entity}`})`;
  return `${s.category} ${what}${who}`;
}

/**
 * The outcome for `claimId` (its patient control number) sent in transaction set `controlNumber`:
 * a 999 rejection of the set rejects the claim; a 277CA claim status decides otherwise; with
 * neither, the claim is pending (the 277CA comes later from a real clearinghouse).
 */
export function claimOutcome(reply: ClearinghouseReply, claimId: string, controlNumber: string): ClaimOutcome {
  const chunks = interchanges(reply.raw);
  const raw = { ack999: chunks.find((c) => groupVersion(c).startsWith("005010X231")) ?? null, ack277ca: chunks.find((c) => groupVersion(c).startsWith("005010X214")) ?? null };
  const ack999 = reply.transactions.filter((t) => t.type === "999").flatMap((t) => (t.data as Ack999).transactions).find((x) => x.type === "837" && x.controlNumber === controlNumber) ?? null;
  const ack277 = reply.transactions.filter((t) => t.type === "277").flatMap((t) => (t.data as ClaimStatus277).claims).find((c) => c.patientControlNumber === claimId) ?? null;
  if (ack999 !== null && !ack999.accepted) {
    const reasons: RejectionReason[] = ack999.errors.length === 0
      ? [{ source: "999", code: `IK5 ${ack999.status}:${ack999.codes.join(":")}`, message: "The transaction set was rejected by the clearinghouse (999)", line: null }]
      : ack999.errors.map((e) => ({
        source: "999", code: `IK3 ${e.segmentId}${e.elements[0] === undefined ? "" : `${e.elements[0].position}`}:${e.code}`,
        message: `Segment ${e.segmentId}${e.segmentPosition === null ? "" : ` (position ${e.segmentPosition})`} has an error${e.elements[0] === undefined ? "" : ` in element ${e.elements[0].position}`}`, line: null,
      }));
    return { outcome: "rejected", reasons, payerClaimControlNumber: null, ack999, ack277, raw };
  }
  if (ack277 === null) return { outcome: "pending", reasons: [], payerClaimControlNumber: null, ack999, ack277, raw };
  const rejecting = ack277.statuses.filter((s) => REJECTING.has(s.category));
  if (rejecting.length === 0 && ack277.accepted) return { outcome: "accepted", reasons: [], payerClaimControlNumber: ack277.payerClaimControlNumber, ack999, ack277, raw };
  const reasons: RejectionReason[] = rejecting.map((s) => ({ source: "277CA", code: [s.category, s.status, s.entity].filter((x) => x !== null).join(":"), message: describe(s), line: null }));
  for (const l of ack277.lines) {
    for (const s of l.statuses.filter((x) => REJECTING.has(x.category))) {
      reasons.push({ source: "277CA", code: [s.category, s.status, s.entity].filter((x) => x !== null).join(":"), message: `${describe(s)} on ${l.procedure?.code ?? "a line"}`, line: l.lineControlNumber });
    }
  }
  return { outcome: "rejected", reasons, payerClaimControlNumber: null, ack999, ack277, raw };
}
