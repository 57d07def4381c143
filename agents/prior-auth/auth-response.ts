/**
 * Sends a stored 278 request to the payer (first submission, or a re-send that follows a pended
 * one: the same trace) and applies the 278 response: the request's status, and on A1/A6 the
 * certified authorization in the clinic's ledger (with this visit's units drawn from it).
 */
import type { AuthResponse278 } from "../../tools/edi/readers/acknowledgments.js";
import { UpstreamError } from "../../tools/errors.js";
import {
  recordUsage, updateAuthorizationRequest, upsertAuthorization, type AuthRequestStatus, type AuthorizationRequestRecord,
} from "../../tools/payer/authorization-ledger.js";
import type { Clearinghouse, ClearinghouseReply } from "../../tools/payer/clearinghouse.js";
import type pg from "pg";
import { addDays } from "../../tools/iso-dates.js";

/** What became of a submission. */
export interface AuthSubmissionResult {
  requestId: string;
  trace: string;
  status: AuthRequestStatus;
  /** HCR01 of the payer's decision, or AAA when it rejected the request. */
  action: string | null;
  authNumber: string | null;
  certifiedFrom: string | null;
  certifiedTo: string | null;
  unitsApproved: number | null;
  nextCheckOn: string | null;
  messages: string[];
}

const STATUS_BY_ACTION: Record<string, AuthRequestStatus> = { A1: "approved", A2: "modified", A6: "modified", A3: "denied", A4: "pended", C: "denied", CT: "pended" };

/** The visit the request was drafted for, whose dose the certified authorization covers. */
export interface RequestedDose {
  appointmentId: string;
  dateOfService: string;
  units: number;
  diagnosisCodes: string[];
}

/**
 * Sends `request.x12Request` and records the answer. With `dose`, the visit's units are drawn
 * from a certified authorization at once; a follow-up leaves that to the visit's own check.
 */
export async function sendAuthorizationRequest(
  pool: Pick<pg.Pool, "query">, clearinghouse: Clearinghouse, request: AuthorizationRequestRecord, dose: RequestedDose | null, now: Date,
): Promise<AuthSubmissionResult> {
  return applyAuthorizationReply(pool, request, await clearinghouse.submitAuthorization(request.x12Request), dose, now);
}

/**
 * Records the payer's reply to a sent request (`sendAuthorizationRequest` after the call): on
 * `db`, which may be a transaction that also appends the entry describing it.
 */
export async function applyAuthorizationReply(
  pool: Pick<pg.Pool, "query">, request: AuthorizationRequestRecord, reply: ClearinghouseReply, dose: RequestedDose | null, now: Date,
): Promise<AuthSubmissionResult> {
  const response = reply.transactions.find((t) => t.type === "278")?.data as AuthResponse278 | undefined;
  if (response === undefined) throw new UpstreamError(`The payer answered request ${request.trace} without a 278 response`, { details: { issues: reply.issues } });
  const today = now.toISOString().slice(0, 10);
  const base = { requestId: request.id, trace: request.trace };
  if (response.rejections.length > 0) {
    const messages = response.rejections.map((r) => `AAA ${r.code}${r.followUp === null ? "" : ` (follow-up ${r.followUp})`}`);
    await updateAuthorizationRequest(pool, request.id, { status: "rejected", authNumber: null, decision: { rejections: response.rejections }, x12Response: reply.raw, nextCheckOn: null }, now);
    return { ...base, status: "rejected", action: "AAA", authNumber: null, certifiedFrom: null, certifiedTo: null, unitsApproved: null, nextCheckOn: null, messages };
  }
  const decision = response.decisions.find((d) => d.procedure?.code === request.hcpcs) ?? response.decisions[0];
  if (decision === undefined) throw new UpstreamError(`The 278 response to ${request.trace} has no decision`);
  const status = STATUS_BY_ACTION[decision.action] ?? "pended";
  // The sandbox (and many payers) say when a pended review will be decided; else look again tomorrow.
  const decideBy = decision.messages.map((m) => /(\d{4}-\d{2}-\d{2})/.exec(m)?.[1]).find((d) => d !== undefined);
  const nextCheckOn = status === "pended" ? (decideBy !== undefined && decideBy > today ? decideBy : addDays(today, 1)) : null;
  await updateAuthorizationRequest(pool, request.id, { status, authNumber: decision.authorizationNumber, decision: { ...decision }, x12Response: reply.raw, nextCheckOn }, now);
  const certified = (status === "approved" || status === "modified") && decision.authorizationNumber !== null;
  if (certified) {
    const authNumber = decision.authorizationNumber as string;
    const start = decision.certifiedFrom ?? dose?.dateOfService ?? today;
    const end = decision.certifiedTo ?? start;
    await upsertAuthorization(pool, {
      authNumber, payerId: request.payerId, patientId: request.patientId, memberId: request.memberId, hcpcs: request.hcpcs, status: "approved",
      unitsApproved: decision.quantity ?? request.units, unitsUsedPrior: 0, start, end,
      diagnosisCodes: decision.diagnoses.length > 0 ? decision.diagnoses : (dose?.diagnosisCodes ?? []), source: "278",
    }, now);
    if (dose !== null && start <= dose.dateOfService && dose.dateOfService <= end) {
      await recordUsage(pool, { payerId: request.payerId, authNumber, appointmentId: dose.appointmentId, dateOfService: dose.dateOfService, units: dose.units }, now);
    }
  }
  return {
    ...base, status, action: decision.action, authNumber: decision.authorizationNumber, certifiedFrom: decision.certifiedFrom,
    certifiedTo: decision.certifiedTo, unitsApproved: certified ? decision.quantity : null, nextCheckOn, messages: decision.messages,
  };
}
