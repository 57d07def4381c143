/**
 * Review items: decisions waiting for a person. Created when a run pauses at `interrupt()`;
 * decided by staff (accept / edit / respond / ignore), with each edited field's before and after kept.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import { ConflictError, NotFoundError } from "../../tools/errors.js";
import { withTransaction } from "../db/database.js";
import { valuesList } from "../db/values-list.js";
import { applyEdit } from "../orchestration/edits.js";
import type { PlatformInterrupt, ReviewDecision } from "../orchestration/human-review.js";
import { appendAuditInTransaction, type AuditInput } from "./audit-log.js";

export const ReviewStatus = z.enum(["pending", "accepted", "edited", "responded", "ignored"]);
export type ReviewStatus = z.infer<typeof ReviewStatus>;

/** A review item as the API shows it. */
export const ReviewItem = z.object({
  id: z.string(),
  runId: z.string(),
  agent: z.string(),
  actionType: z.string(),
  subject: z.object({ type: z.string(), id: z.string() }),
  status: ReviewStatus,
  summary: z.string(),
  draft: z.record(z.string(), z.unknown()).describe("The drafted action payload"),
  rationale: z.string(),
  evidence: z.array(z.object({ kind: z.string(), ref: z.string(), note: z.string().optional() })),
  confidence: z.number(),
  humanOnly: z.boolean(),
  reason: z.string().describe("Why it needs a person"),
  dueBy: z.string().nullable(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decision: z.unknown().nullable(),
  editBefore: z.record(z.string(), z.unknown()).nullable().describe("Each field an edit changed (dotted path), as drafted"),
  editAfter: z.record(z.string(), z.unknown()).nullable().describe("Each field an edit changed, as executed"),
  interrupt: z.unknown().describe("The Agent Inbox HumanInterrupt payload"),
});
export type ReviewItem = z.infer<typeof ReviewItem>;

interface ReviewRow {
  id: string; run_id: string; interrupt_id: string; agent: string; action_type: string; subject_type: string;
  subject_id: string; status: ReviewStatus; interrupt: PlatformInterrupt; draft: Record<string, unknown>; rationale: string;
  evidence: ReviewItem["evidence"]; confidence: number; human_only: boolean; reason: string; due_by: Date | null;
  created_at: Date; decided_at: Date | null; decided_by: string | null; decision: unknown;
  edit_before: Record<string, unknown> | null; edit_after: Record<string, unknown> | null;
}

const STATUS_OF: Record<ReviewDecision["type"], ReviewStatus> = {
  accept: "accepted", edit: "edited", response: "responded", ignore: "ignored",
};

/**
 * Inserts the review items of a run's interrupts in one statement inside the caller's
 * transaction; interrupts that have an item already are left alone. Returns the
 * `review.created` entries of the new items for the caller to append in that transaction.
 */
export async function insertReviewItems(
  client: pg.PoolClient, ref: { runId: string; agent: string }, interrupts: { interruptId: string; value: PlatformInterrupt }[], now: Date,
): Promise<AuditInput[]> {
  if (interrupts.length === 0) return [];
  const { runId, agent } = ref;
  const values: unknown[] = [];
  for (const { interruptId, value } of interrupts) {
    const p = value.review.proposal;
    values.push(randomUUID(), runId, interruptId, agent, p.actionType, p.subject.type, p.subject.id, "pending", JSON.stringify(value),
      JSON.stringify(p.payload), p.rationale, JSON.stringify(p.evidence), value.review.confidence, value.review.humanOnly,
      value.review.reason, p.dueBy, now);
  }
  // Only what the entries need comes back (not the drafts just sent).
  const { rows } = await client.query<Pick<ReviewRow, "id" | "interrupt_id" | "agent">>(
    `INSERT INTO review_items (id, run_id, interrupt_id, agent, action_type, subject_type, subject_id, status, interrupt,
       draft, rationale, evidence, confidence, human_only, reason, due_by, created_at)
     VALUES ${valuesList(interrupts.length, 17)}
     ON CONFLICT (run_id, interrupt_id) DO NOTHING RETURNING id, interrupt_id, agent`,
    values,
  );
  const byInterrupt = new Map(rows.map((r) => [r.interrupt_id, r]));
  // In the interrupts' order, so the log reads like the run.
  return interrupts.flatMap(({ interruptId, value }) => {
    const row = byInterrupt.get(interruptId);
    if (row === undefined) return [];
    const p = value.review.proposal;
    return [{
      kind: "review.created", actor: `agent:${row.agent}`, runId, agent: row.agent, node: "review",
      subjectType: p.subject.type, subjectId: p.subject.id, at: now,
      payload: { reviewId: row.id, actionType: p.actionType, confidence: value.review.confidence, reason: value.review.reason, dueBy: p.dueBy },
    } satisfies AuditInput];
  });
}

/**
 * Records staff's decision. Refuses a review that is already decided (409) and an edit the
 * action type refuses (400 naming the field: an identity field, a field that is not editable, a
 * value its schema or tools refuse — see `applyEdit`). The decision keeps the edit as sent (only
 * the changed fields); the item and the audit entry keep each changed field before → after. The
 * decision and its audit entry commit together.
 */
export async function recordDecision(
  pool: pg.Pool, reviewId: string, decision: ReviewDecision, actor: string, action: Parameters<typeof applyEdit>[0], now: Date,
): Promise<ReviewItem> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<ReviewRow>("SELECT * FROM review_items WHERE id = $1 FOR UPDATE", [reviewId]);
    const row = rows[0];
    if (row === undefined) throw new NotFoundError(`No review item ${reviewId}`);
    if (row.status !== "pending") throw new ConflictError(`Review ${reviewId} was already decided (${row.status})`);
    const changes = decision.type === "edit" ? applyEdit(action, row.draft, decision.args).changes : null;
    const side = (key: "before" | "after") => (changes === null ? null : JSON.stringify(Object.fromEntries(changes.map((c) => [c.field, c[key]]))));
    const updated = await client.query<ReviewRow>(
      `UPDATE review_items SET status = $2, decided_at = $3, decided_by = $4, decision = $5, edit_before = $6, edit_after = $7
       WHERE id = $1 RETURNING *`,
      [reviewId, STATUS_OF[decision.type], now, actor, JSON.stringify(decision), side("before"), side("after")],
    );
    await appendAuditInTransaction(client, [{
      kind: "review.decided", actor, runId: row.run_id, agent: row.agent, node: "review",
      subjectType: row.subject_type, subjectId: row.subject_id,
      payload: {
        reviewId, actionType: row.action_type, decision: decision.type, changes: changes ?? undefined,
        response: decision.type === "response" ? decision.args : undefined,
        reason: decision.type === "ignore" ? decision.args ?? undefined : undefined,
      },
    }], () => now);
    return toItem(updated.rows[0] as ReviewRow);
  });
}

/** One review item. */
export async function getReviewItem(pool: pg.Pool, id: string): Promise<ReviewItem & { interruptId: string }> {
  const { rows } = await pool.query<ReviewRow>("SELECT * FROM review_items WHERE id = $1", [id]);
  const row = rows[0];
  if (row === undefined) throw new NotFoundError(`No review item ${id}`);
  return { ...toItem(row), interruptId: row.interrupt_id };
}

/** Filters for the review queue. */
export interface ReviewQuery {
  status?: ReviewStatus;
  agent?: string;
  runId?: string;
  dueBefore?: Date;
  limit?: number;
  offset?: number;
}

/** The queue, soonest due first. */
export async function listReviewItems(pool: pg.Pool, q: ReviewQuery = {}): Promise<ReviewItem[]> {
  const { rows } = await pool.query<ReviewRow>(
    `SELECT * FROM review_items
     WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR agent = $2) AND ($3::text IS NULL OR run_id = $3)
       AND ($4::timestamptz IS NULL OR due_by <= $4)
     ORDER BY due_by ASC NULLS LAST, created_at ASC LIMIT $5 OFFSET $6`,
    [q.status ?? null, q.agent ?? null, q.runId ?? null, q.dueBefore ?? null, Math.min(q.limit ?? 100, 1000), q.offset ?? 0],
  );
  return rows.map(toItem);
}

/**
 * Decided reviews of runs that still wait (of one run, with `runId`): the run may or may not
 * have applied them yet — its checkpoint's pending interrupts tell.
 */
export async function decidedReviewsOfWaitingRuns(pool: pg.Pool, runId?: string): Promise<{ id: string; runId: string; interruptId: string; decision: ReviewDecision }[]> {
  const { rows } = await pool.query<{ id: string; run_id: string; interrupt_id: string; decision: ReviewDecision }>(
    `SELECT r.id, r.run_id, r.interrupt_id, r.decision FROM review_items r JOIN runs ON runs.id = r.run_id
     WHERE r.status <> 'pending' AND runs.status = 'waiting' AND ($1::text IS NULL OR r.run_id = $1) ORDER BY r.decided_at`,
    [runId ?? null],
  );
  return rows.map((r) => ({ id: r.id, runId: r.run_id, interruptId: r.interrupt_id, decision: r.decision }));
}

function toItem(row: ReviewRow): ReviewItem {
  return {
    id: row.id, runId: row.run_id, agent: row.agent, actionType: row.action_type,
    subject: { type: row.subject_type, id: row.subject_id }, status: row.status,
    summary: row.interrupt.review.proposal.summary, draft: row.draft, rationale: row.rationale, evidence: row.evidence,
    confidence: row.confidence, humanOnly: row.human_only, reason: row.reason, dueBy: row.due_by?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(), decidedAt: row.decided_at?.toISOString() ?? null, decidedBy: row.decided_by,
    decision: row.decision ?? null, editBefore: row.edit_before ?? null, editAfter: row.edit_after ?? null, interrupt: row.interrupt,
  };
}
