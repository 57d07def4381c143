/**
 * The claim store (migration 0025): one claim per visit, from capture through the scrubber's
 * findings and corrections to the payer's acknowledgment, with its history. Every status a claim
 * enters is a `claim_events` row and a `claim.status` audit entry, written in the transaction that
 * changes it. Money is numeric in the database and a two-decimal string here.
 */
import type pg from "pg";
import { z } from "zod";
import { Claim, type ClaimInput } from "../../tools/claim/claim.js";
import { FindingCode } from "../../tools/claim/visit-record.js";
import { BadInputError, ConflictError, NotFoundError } from "../../tools/errors.js";
import { withTransaction } from "../db/database.js";
import { appendAuditInTransaction } from "../governance/audit-log.js";
import { claimIdFor } from "./claim-ids.js";

/** Where a claim is in its life (README "Claims: submission and acknowledgments"). */
export const ClaimStatus = z.enum(["captured", "scrubbed", "corrected", "submitted", "accepted", "rejected", "adjudicated"]);
export type ClaimStatus = z.infer<typeof ClaimStatus>;

/** A scrubber finding as stored: its stable code and whatever else the scrubber said (line, before → after, confidence, rationale, rule). */
export const StoredFinding = z.object({ code: FindingCode }).catchall(z.unknown());
export type StoredFinding = z.infer<typeof StoredFinding>;

/** One entry of a claim's history. */
export const ClaimEvent = z.object({
  seq: z.number().int(),
  status: ClaimStatus.describe("The status entered (a failed send returns the claim to the status it had, with submissionFailed in the detail)"),
  at: z.string(),
  actor: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type ClaimEvent = z.infer<typeof ClaimEvent>;

/** A claim in the store, without its submissions. */
export interface StoredClaim {
  id: string;
  visitId: string;
  patientId: string;
  payerId: string;
  payerName: string;
  form: "837P" | "837I";
  dateOfService: string;
  status: ClaimStatus;
  totalCharge: string;
  captured: Claim;
  corrected: Claim | null;
  findings: StoredFinding[];
  rejection: unknown;
  createdAt: string;
  updatedAt: string;
}

/** The claim the payer gets: the corrected one when there is one, else as captured. */
export const claimToSend = (c: StoredClaim): Claim => c.corrected ?? c.captured;

type Q = Pick<pg.PoolClient, "query">;
const iso = (d: Date | string): string => (typeof d === "string" ? new Date(d).toISOString() : d.toISOString());
const day = (d: Date | string): string => (typeof d === "string" ? d.slice(0, 10) : d.toISOString().slice(0, 10));
const money = (v: unknown): string => Number(v).toFixed(2);

export function claimRow(r: Record<string, unknown>): StoredClaim {
  return {
    id: r.id as string, visitId: r.visit_id as string, patientId: r.patient_id as string, payerId: r.payer_id as string, payerName: r.payer_name as string,
    form: r.form as StoredClaim["form"], dateOfService: day(r.date_of_service as Date), status: r.status as ClaimStatus, totalCharge: money(r.total_charge),
    captured: r.captured_claim as Claim, corrected: (r.corrected_claim ?? null) as Claim | null, findings: (r.findings ?? []) as StoredFinding[],
    rejection: r.rejection ?? null, createdAt: iso(r.created_at as Date), updatedAt: iso(r.updated_at as Date),
  };
}

/** What a status change records besides the new status. */
export interface StatusChange {
  actor: string;
  detail?: Record<string, unknown>;
  runId?: string | null;
  at: Date;
}

/**
 * Moves a claim to `to` inside the caller's transaction: the claim row, a history row and a
 * `claim.status` audit entry together. `from` is what the caller read under its lock.
 */
export async function changeStatus(client: pg.PoolClient, claimId: string, from: ClaimStatus | null, to: ClaimStatus, change: StatusChange, set: Record<string, unknown> = {}): Promise<void> {
  const detail = change.detail ?? {};
  const columns = Object.keys(set);
  const assignments = ["status = $2", "updated_at = $3", ...columns.map((c, i) => `${c} = $${i + 4}`)];
  await client.query(`UPDATE claims SET ${assignments.join(", ")} WHERE id = $1`, [claimId, to, change.at, ...columns.map((c) => set[c])]);
  await client.query(
    "INSERT INTO claim_events (claim_id, seq, status, at, actor, detail) SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5 FROM claim_events WHERE claim_id = $1",
    [claimId, to, change.at, change.actor, JSON.stringify(detail)],
  );
  await appendAuditInTransaction(client, [{
    kind: "claim.status", actor: change.actor, runId: change.runId ?? null, subjectType: "claim", subjectId: claimId, payload: { from, to, ...detail }, at: change.at,
  }], () => change.at);
}

/** Reads one claim, optionally locking its row for the caller's transaction. */
export async function readClaim(db: Q, claimId: string, lock = false): Promise<StoredClaim | null> {
  const { rows } = await db.query(`SELECT * FROM claims WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [claimId]);
  const r = rows[0] as Record<string, unknown> | undefined;
  return r === undefined ? null : claimRow(r);
}

/** What charge capture produced for one visit. */
export interface CapturedClaimInput {
  visitId: string;
  patientId: string;
  claim: ClaimInput;
  actor: string;
  runId?: string | null;
  now?: () => Date;
}

/**
 * Records a visit's claim as captured, under its stable id (which replaces the claim's CLM01).
 * Idempotent by visit: a second capture of the same visit returns the claim already stored.
 */
export async function recordCapturedClaim(pool: pg.Pool, input: CapturedClaimInput): Promise<StoredClaim> {
  return withTransaction(pool, (client) => recordCapturedClaimOn(client, input));
}

/** `recordCapturedClaim` inside the caller's transaction (a pre-bill run's end). */
export async function recordCapturedClaimOn(client: pg.PoolClient, input: CapturedClaimInput): Promise<StoredClaim> {
  const id = claimIdFor(input.visitId);
  const parsed = Claim.safeParse({ ...input.claim, claimId: id });
  if (!parsed.success) throw new BadInputError(`The captured claim of visit ${input.visitId} is invalid`, { details: { problems: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) } });
  const claim = parsed.data;
  const at = (input.now ?? (() => new Date()))();
  const dates = claim.lines.map((l) => l.serviceDate).sort();
  const inserted = await client.query(
    `INSERT INTO claims (id, visit_id, patient_id, payer_id, payer_name, form, date_of_service, status, total_charge, captured_claim, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'captured', $8, $9, $10, $10) ON CONFLICT (id) DO NOTHING`,
    [id, input.visitId, input.patientId, claim.payer.id, claim.payer.name, claim.form, claim.statementFrom ?? dates[0], claim.totalCharge, JSON.stringify(claim), at],
  );
  if (inserted.rowCount === 1) {
    await changeStatus(client, id, null, "captured", { actor: input.actor, runId: input.runId, at, detail: { visitId: input.visitId, lines: claim.lines.length, totalCharge: claim.totalCharge } });
  }
  return (await readClaim(client, id)) as StoredClaim;
}

/** Statuses a claim may be scrubbed (and corrected) in: before submission, or after a rejection. */
export const SCRUBBABLE: readonly ClaimStatus[] = ["captured", "scrubbed", "corrected", "rejected"];

/**
 * Records the scrubber's findings and, when it changed the claim, the corrected claim: the claim
 * enters `scrubbed`, then `corrected` when a correction differs from what is on file. A claim at
 * the payer (submitted, accepted, adjudicated) is not scrubbed again: ConflictError.
 */
export async function recordScrub(
  pool: pg.Pool, claimId: string, scrub: ScrubToRecord,
): Promise<StoredClaim> {
  return withTransaction(pool, (client) => recordScrubOn(client, claimId, scrub));
}

/** What a scrub records: the findings, the corrected claim (null: none applied), who, and the run and sweep that made it. */
export interface ScrubToRecord {
  findings: readonly StoredFinding[];
  corrected: ClaimInput | null;
  actor: string;
  runId?: string | null;
  /** The pre-bill pass (sweep) the run worked for: the sweep's worker reads what it finished from the history. */
  sweepId?: string | null;
  now?: () => Date;
}

/** `recordScrub` inside the caller's transaction (a pre-bill run's end, or an accepted correction). */
export async function recordScrubOn(client: pg.PoolClient, claimId: string, scrub: ScrubToRecord): Promise<StoredClaim> {
  const findings = z.array(StoredFinding).parse(scrub.findings);
  const at = (scrub.now ?? (() => new Date()))();
  const claim = await readClaim(client, claimId, true);
  if (claim === null) throw new NotFoundError(`No claim ${claimId}`);
  if (!SCRUBBABLE.includes(claim.status)) throw new ConflictError(`Claim ${claimId} is ${claim.status}: it is scrubbed before submission or after a rejection, not now`);
  let corrected: Claim | null = null;
  if (scrub.corrected !== null) {
    const parsed = Claim.safeParse({ ...scrub.corrected, claimId });
    if (!parsed.success) throw new BadInputError(`The corrected claim ${claimId} is invalid`, { details: { problems: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) } });
    corrected = parsed.data;
  }
  // Compared as the model writes them (jsonb keeps its own key order).
  const changed = corrected !== null && JSON.stringify(corrected) !== JSON.stringify(Claim.parse(claimToSend(claim)));
  const codes = findings.map((f) => f.code);
  const origin = { ...(scrub.runId == null ? {} : { runId: scrub.runId }), ...(scrub.sweepId == null ? {} : { sweepId: scrub.sweepId }) };
  await changeStatus(client, claimId, claim.status, "scrubbed", { actor: scrub.actor, runId: scrub.runId, at, detail: { findings: findings.length, codes, ...origin } }, { findings: JSON.stringify(findings) });
  if (changed && corrected !== null) {
    await changeStatus(client, claimId, "scrubbed", "corrected", { actor: scrub.actor, runId: scrub.runId, at, detail: { totalCharge: corrected.totalCharge, lines: corrected.lines.length } },
      { corrected_claim: JSON.stringify(corrected), total_charge: corrected.totalCharge });
  }
  return (await readClaim(client, claimId)) as StoredClaim;
}

/** Records that the payer adjudicated an accepted claim (the 835 is posted by the remittance work, issue 19). */
export async function recordAdjudicated(pool: pg.Pool, claimId: string, change: { actor: string; detail?: Record<string, unknown>; now?: () => Date }): Promise<StoredClaim> {
  const at = (change.now ?? (() => new Date()))();
  return withTransaction(pool, async (client) => {
    const claim = await readClaim(client, claimId, true);
    if (claim === null) throw new NotFoundError(`No claim ${claimId}`);
    if (claim.status === "adjudicated") return claim;
    if (claim.status !== "accepted") throw new ConflictError(`Claim ${claimId} is ${claim.status}: only a claim the payer accepted is adjudicated`);
    await changeStatus(client, claimId, claim.status, "adjudicated", { actor: change.actor, at, detail: change.detail ?? {} });
    return (await readClaim(client, claimId)) as StoredClaim;
  });
}

/** A claim's history, oldest first. */
export async function claimHistory(db: Q, claimId: string): Promise<ClaimEvent[]> {
  const { rows } = await db.query("SELECT seq, status, at, actor, detail FROM claim_events WHERE claim_id = $1 ORDER BY seq", [claimId]);
  return rows.map((r: Record<string, unknown>) => ({ seq: r.seq as number, status: r.status as ClaimStatus, at: iso(r.at as Date), actor: r.actor as string, detail: r.detail as Record<string, unknown> }));
}
