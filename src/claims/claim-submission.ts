/**
 * Submitting a claim to the payer through the clearinghouse, and recording what came back.
 *
 * Exactly once: the submission row (the 837 as it will be sent, with its interchange control
 * number), the claim's move to `submitted` and a `tool.request` audit entry commit together
 * before the clearinghouse is called; the answer (999, 277CA, raw and read) is recorded in a
 * second transaction. So a retry finds the claim submitted and sends nothing; a crash between the
 * call and the record leaves the submission `sending` — in doubt, never sent again by a retry
 * (a person or the clearinghouse's mailbox settles it). A clearinghouse that throws took nothing:
 * the submission is `failed` and the claim returns to where it was, to be sent again as a new
 * attempt with a new interchange control number. A new attempt after a rejection needs a
 * correction first (`recordScrub`).
 */
import type pg from "pg";
import { write837, type ClaimParties } from "../../tools/edi/writers/claim-837.js";
import { ConflictError, NotFoundError, UpstreamError } from "../../tools/errors.js";
import { claimOutcome, type ClaimOutcome, type RejectionReason } from "../../tools/payer/claim-outcome.js";
import type { Clearinghouse, ClearinghouseReply } from "../../tools/payer/clearinghouse.js";
import { withTransaction } from "../db/database.js";
import { appendAuditInTransaction } from "../governance/audit-log.js";
import { changeStatus, claimToSend, readClaim, type ClaimStatus } from "./claim-store.js";

/** ST02 of the one 837 transaction set each submission carries. */
const TRANSACTION_CONTROL = "0001";
/** Statuses a claim is sent from. */
const SENDABLE: readonly ClaimStatus[] = ["captured", "scrubbed", "corrected"];

export interface SubmitOptions {
  parties: ClaimParties;
  /** ISA06 / GS02 (the clinic's submitter id) and ISA08 / GS03 (the clearinghouse's). */
  senderId: string;
  receiverId: string;
  actor: string;
  runId?: string | null;
  now?: () => Date;
}

/** What a submission came to. `sent` is false when this call sent nothing (already submitted, answered or in doubt). */
export interface SubmissionResult {
  claimId: string;
  attempt: number;
  sent: boolean;
  interchangeControl: number;
  outcome: ClaimOutcome["outcome"] | "in-doubt";
  reasons: RejectionReason[];
  payerClaimControlNumber: string | null;
}

/** A submission as stored. */
export interface StoredSubmission {
  attempt: number;
  interchangeControl: number;
  state: "sending" | "answered" | "failed";
  x12Sent: string;
  sentAt: string;
  answeredAt: string | null;
  ack999: string | null;
  ack277ca: string | null;
  outcome: "accepted" | "rejected" | null;
  parsed: { reasons: RejectionReason[]; payerClaimControlNumber: string | null; ack999: unknown; ack277: unknown } | null;
  error: string | null;
}

type Q = Pick<pg.PoolClient, "query">;

function submissionRow(r: Record<string, unknown>): StoredSubmission {
  const at = (d: unknown) => (d === null || d === undefined ? null : new Date(d as string).toISOString());
  return {
    attempt: r.attempt as number, interchangeControl: r.interchange_control as number, state: r.state as StoredSubmission["state"], x12Sent: r.x12_sent as string,
    sentAt: at(r.sent_at) as string, answeredAt: at(r.answered_at), ack999: (r.ack_999 ?? null) as string | null, ack277ca: (r.ack_277ca ?? null) as string | null,
    outcome: (r.outcome ?? null) as StoredSubmission["outcome"], parsed: (r.parsed ?? null) as StoredSubmission["parsed"], error: (r.error ?? null) as string | null,
  };
}

/** A claim's submissions, first attempt first. */
export async function claimSubmissions(db: Q, claimId: string): Promise<StoredSubmission[]> {
  const { rows } = await db.query("SELECT * FROM claim_submissions WHERE claim_id = $1 ORDER BY attempt", [claimId]);
  return rows.map(submissionRow);
}

const resultOf = (claimId: string, s: StoredSubmission, sent: boolean): SubmissionResult => ({
  claimId, attempt: s.attempt, sent, interchangeControl: s.interchangeControl,
  outcome: s.state === "sending" ? "in-doubt" : s.outcome ?? "pending", reasons: s.parsed?.reasons ?? [], payerClaimControlNumber: s.parsed?.payerClaimControlNumber ?? null,
});

/**
 * Sends a claim (its corrected version when there is one) as an 837 through the clearinghouse,
 * reads the 999 and 277CA and records the outcome; see the module comment for exactly-once.
 */
export async function submitClaim(pool: pg.Pool, claimId: string, clearinghouse: Clearinghouse, options: SubmitOptions): Promise<SubmissionResult> {
  const now = options.now ?? (() => new Date());
  const intent = await withTransaction(pool, async (client) => {
    const claim = await readClaim(client, claimId, true);
    if (claim === null) throw new NotFoundError(`No claim ${claimId}`);
    const previous = await claimSubmissions(client, claimId);
    const last = previous[previous.length - 1];
    if (!SENDABLE.includes(claim.status)) {
      if (last === undefined) throw new ConflictError(`Claim ${claimId} is ${claim.status} with no submission on record`);
      return { kind: "done" as const, result: resultOf(claimId, last, false) };
    }
    const attempt = (last?.attempt ?? 0) + 1;
    const control = Number((await client.query("SELECT nextval('claim_interchange_control_seq') AS n")).rows[0].n);
    const at = now();
    const x12 = write837([claimToSend(claim)], options.parties, { senderId: options.senderId, receiverId: options.receiverId, interchangeControl: control, groupControl: control, now: at }, TRANSACTION_CONTROL);
    await client.query(
      "INSERT INTO claim_submissions (claim_id, attempt, interchange_control, state, x12_sent, sent_at) VALUES ($1, $2, $3, 'sending', $4, $5)",
      [claimId, attempt, control, x12, at],
    );
    await changeStatus(client, claimId, claim.status, "submitted", { actor: options.actor, runId: options.runId, at, detail: { attempt, interchangeControl: control } });
    await appendAuditInTransaction(client, [{
      kind: "tool.request", actor: options.actor, runId: options.runId ?? null, subjectType: "claim", subjectId: claimId, at,
      payload: { tool: "clearinghouse.837", claimId, attempt, interchangeControl: control, payerId: claim.payerId, totalCharge: claimToSend(claim).totalCharge },
    }], () => at);
    return { kind: "send" as const, attempt, control, x12, from: claim.status };
  });
  if (intent.kind === "done") return intent.result;
  const { attempt, control, x12, from } = intent;
  const started = Date.now();
  let reply: ClearinghouseReply;
  try {
    reply = await clearinghouse.submitClaims(x12);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await withTransaction(pool, async (client) => {
      const at = now();
      await client.query("UPDATE claim_submissions SET state = 'failed', answered_at = $3, error = $4 WHERE claim_id = $1 AND attempt = $2", [claimId, attempt, at, message.slice(0, 500)]);
      await changeStatus(client, claimId, "submitted", from, { actor: options.actor, runId: options.runId, at, detail: { attempt, interchangeControl: control, submissionFailed: true, error: message.slice(0, 200) } });
      await appendAuditInTransaction(client, [{ kind: "tool.call", actor: options.actor, runId: options.runId ?? null, subjectType: "claim", subjectId: claimId, at,
        payload: { tool: "clearinghouse.837", claimId, attempt, interchangeControl: control, ms: Date.now() - started, error: { name: error instanceof Error ? error.name : "Error", message: message.slice(0, 200) } } }], () => at);
    });
    throw new UpstreamError(`The clearinghouse did not take claim ${claimId}: ${message}`, { cause: error });
  }
  const outcome = claimOutcome(reply, claimId, TRANSACTION_CONTROL);
  const parsed = { reasons: outcome.reasons, payerClaimControlNumber: outcome.payerClaimControlNumber, ack999: outcome.ack999, ack277: outcome.ack277 };
  await withTransaction(pool, async (client) => {
    const at = now();
    await client.query(
      `UPDATE claim_submissions SET state = 'answered', answered_at = $3, ack_999 = $4, ack_277ca = $5, outcome = $6, parsed = $7 WHERE claim_id = $1 AND attempt = $2`,
      [claimId, attempt, at, outcome.raw.ack999, outcome.raw.ack277ca, outcome.outcome === "pending" ? null : outcome.outcome, JSON.stringify(parsed)],
    );
    await appendAuditInTransaction(client, [{ kind: "tool.call", actor: options.actor, runId: options.runId ?? null, subjectType: "claim", subjectId: claimId, at,
      payload: { tool: "clearinghouse.837", claimId, attempt, interchangeControl: control, ms: Date.now() - started, outcome: outcome.outcome, reasons: outcome.reasons.map((r) => r.code) } }], () => at);
    if (outcome.outcome !== "pending") {
      const detail = { attempt, payerClaimControlNumber: outcome.payerClaimControlNumber, reasons: outcome.reasons };
      await changeStatus(client, claimId, "submitted", outcome.outcome, { actor: options.actor, runId: options.runId, at, detail }, { rejection: outcome.outcome === "rejected" ? JSON.stringify(outcome.reasons) : null });
    }
  });
  return { claimId, attempt, sent: true, interchangeControl: control, outcome: outcome.outcome, reasons: outcome.reasons, payerClaimControlNumber: outcome.payerClaimControlNumber };
}

/** Why the payer or clearinghouse rejected a claim, for the review item the agent makes; null when it is not rejected. */
export async function claimRejected(db: Q, claimId: string): Promise<{ claimId: string; attempt: number; reasons: RejectionReason[]; summary: string } | null> {
  const claim = await readClaim(db, claimId);
  if (claim === null) throw new NotFoundError(`No claim ${claimId}`);
  if (claim.status !== "rejected") return null;
  const last = (await claimSubmissions(db, claimId)).filter((s) => s.outcome === "rejected").pop();
  const reasons = last?.parsed?.reasons ?? [];
  return { claimId, attempt: last?.attempt ?? 0, reasons, summary: reasons.map((r) => `${r.code} — ${r.message}`).join("; ") || "Rejected without a reason code" };
}
