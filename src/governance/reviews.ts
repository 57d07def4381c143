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
import { ProposalAbout, type Subject } from "../orchestration/decision.js";
import { applyEdit } from "../orchestration/edits.js";
import { reviewDescription, unverifiedSection, type PlatformInterrupt, type ReviewDecision } from "../orchestration/human-review.js";
import { appendAuditInTransaction, type AuditInput } from "./audit-log.js";
import { decodeAuditPayload, encodeAuditPayload } from "./audit-payload.js";
import { canonicalJson } from "./canonical-json.js";

export const ReviewStatus = z.enum(["pending", "accepted", "edited", "responded", "ignored", "superseded"]);
export type ReviewStatus = z.infer<typeof ReviewStatus>;

/** A review item as the queue lists it: who and what it is about, when it is due and where it stands (the draft is on the item itself). */
export const ReviewListItem = z.object({
  id: z.string(),
  runId: z.string(),
  agent: z.string(),
  actionType: z.string(),
  subject: z.object({ type: z.string(), id: z.string() }),
  patient: ProposalAbout.shape.patient.describe("The patient (PHI: shown to staff, never logged); null when the agent did not name one"),
  appointment: ProposalAbout.shape.appointment,
  payer: ProposalAbout.shape.payer,
  status: ReviewStatus,
  summary: z.string(),
  confidence: z.number(),
  humanOnly: z.boolean(),
  reason: z.string().describe("Why it needs a person"),
  dueBy: z.string().nullable(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  supersededAt: z.string().nullable().describe("When a newer check of the subject closed it (status superseded)"),
  supersededByRun: z.string().nullable().describe("The run whose check superseded it"),
  supersededBy: z.string().nullable().describe("The review item that replaced it, when that check drafted one of the same action type"),
});
export type ReviewListItem = z.infer<typeof ReviewListItem>;

/** One review item as the API shows it: the list's fields, the draft, why, the decision, and the Agent Inbox `HumanInterrupt` (its args are the draft). */
export const ReviewItem = ReviewListItem.extend({
  draft: z.record(z.string(), z.unknown()).describe("The drafted action payload"),
  rationale: z.string(),
  evidence: z.array(z.object({ kind: z.string(), ref: z.string(), note: z.string().optional() })),
  decision: z.unknown().nullable(),
  editBefore: z.record(z.string(), z.unknown()).nullable().describe("Each field an edit changed (dotted path), as drafted"),
  editAfter: z.record(z.string(), z.unknown()).nullable().describe("Each field an edit changed, as executed"),
  interrupt: z.object({
    action_request: z.object({ action: z.string(), args: z.record(z.string(), z.unknown()) }),
    config: z.unknown(),
    description: z.string().optional(),
  }).describe("The Agent Inbox HumanInterrupt payload"),
});
export type ReviewItem = z.infer<typeof ReviewItem>;

/**
 * What the interrupt column keeps: the Agent Inbox item's config, and what its description says
 * that no other column does (the model output the verifier did not support). The args are the
 * draft (`draft`); the description is built on read from the summary, confidence, reason,
 * rationale and evidence columns (`reviewDescription`), so they are not stored twice. An item
 * written before kept its description whole (`description`), which is shown as it was.
 */
interface StoredInterrupt {
  config: PlatformInterrupt["config"];
  unverified?: string;
  description?: string;
}

/**
 * What the `detail` column keeps (migration 0022): the rationale, the evidence and who and what the
 * item is about, as one canonical JSON text stored compressed like an audit payload (a format
 * marker and deflate with the audit log's preset dictionary, audit-payload.ts). No query reads
 * inside them, and as text they were 1.4 KiB an item, below the size PostgreSQL compresses a row
 * at. An item written before keeps them in its `rationale`, `evidence` and `about` columns
 * (`detail` null), and reads the same.
 */
interface StoredDetail {
  rationale: string;
  evidence: ReviewItem["evidence"];
  about: ProposalAbout | null;
}

interface ReviewRow {
  id: string; run_id: string; interrupt_id: string; agent: string; action_type: string; subject_type: string;
  subject_id: string; status: ReviewStatus; interrupt: StoredInterrupt; draft: Record<string, unknown>; rationale: string | null;
  evidence: ReviewItem["evidence"] | null; confidence: number; human_only: boolean; reason: string; due_by: Date | null;
  created_at: Date; decided_at: Date | null; decided_by: string | null; decision: unknown;
  edit_before: Record<string, unknown> | null; edit_after: Record<string, unknown> | null;
  summary: string; about: ProposalAbout | null; detail: Buffer | null;
  superseded_at: Date | null; superseded_by_run: string | null; superseded_by: string | null;
}

/** Who and what an item is about, from its stored row (`detail`, or the `about` column of an item written before 0022). */
export function storedAbout(row: Pick<ReviewRow, "about" | "detail" | "rationale" | "evidence">): ProposalAbout | null {
  return storedDetail(row).about;
}

/** An item's rationale, evidence and `about`: from `detail`, or the columns of an item written before it. */
function storedDetail(row: Pick<ReviewRow, "about" | "detail" | "rationale" | "evidence">): StoredDetail {
  if (row.detail === null) return { rationale: row.rationale ?? "", evidence: row.evidence ?? [], about: row.about };
  return JSON.parse(decodeAuditPayload(row.detail)) as StoredDetail;
}

const STATUS_OF: Record<ReviewDecision["type"], ReviewStatus> = {
  accept: "accepted", edit: "edited", response: "responded", ignore: "ignored",
};

/** What writing a run's review items did: the entries to append and the older runs whose items it superseded. */
export interface ReviewItemsWritten {
  entries: AuditInput[];
  supersededRuns: string[];
}

/**
 * Writes the review items of a run's interrupts inside the caller's transaction (interrupts that
 * have an item already are left alone), one review item per draft: the run's check of `checked`
 * subjects (those of all its proposals, reviewed or not) supersedes the pending items older runs
 * of the agent drafted for them; and an item of this run is itself superseded when a newer run
 * has drafted for its subject (two checks finishing out of order). Runs are ordered by when they
 * started. A transaction-scoped advisory lock per agent serialises this between concurrent runs
 * (two sweeps at once), so a subject never ends with pending items from two runs. Returns the
 * `review.created` / `review.superseded` entries for the caller to append in that transaction.
 */
export async function insertReviewItems(
  client: pg.PoolClient, ref: { runId: string; agent: string }, interrupts: { interruptId: string; value: PlatformInterrupt }[], now: Date,
  checked: Subject[] = [],
): Promise<ReviewItemsWritten> {
  const { runId, agent } = ref;
  const subjects = new Map([...checked, ...interrupts.map((i) => i.value.review.proposal.subject)].map((s) => [`${s.type}\u0000${s.id}`, s]));
  if (subjects.size === 0) return { entries: [], supersededRuns: [] };
  const types = [...subjects.values()].map((s) => s.type);
  const ids = [...subjects.values()].map((s) => s.id);
  // Issued before anything is awaited, so they run ahead of the audit chain's lock (AuditRecorder.commit
  // asks for it right behind the caller's first statements): the agent's lock, then the pending items
  // this may supersede. Holding the chain's lock while waiting for a row a decision holds (which then
  // waits for the chain) would deadlock.
  const [, locked] = await Promise.all([
    client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`review_items:${agent}`]),
    client.query(
      `SELECT id FROM review_items WHERE status = 'pending' AND agent = $1
         AND (subject_type, subject_id) IN (SELECT t, i FROM unnest($2::text[], $3::text[]) AS s(t, i)) ORDER BY id FOR UPDATE`,
      [agent, types, ids],
    ),
  ]);
  const created = await insertItems(client, ref, interrupts, now);
  // Nothing pending about these subjects and no new item: nothing to supersede (a run the gate let act alone).
  if (locked.rows.length === 0 && created.length === 0) return { entries: [], supersededRuns: [] };
  // Older runs' pending items for these subjects, linked to this run's item of the same action type (the same key first).
  const older = await client.query<{ id: string; run_id: string; subject_type: string; subject_id: string; action_type: string; superseded_by: string | null }>(
    `UPDATE review_items o SET status = 'superseded', superseded_at = $5, superseded_by_run = $1,
       superseded_by = (SELECT n.id FROM review_items n WHERE n.run_id = $1 AND n.status = 'pending' AND n.agent = o.agent
         AND n.subject_type = o.subject_type AND n.subject_id = o.subject_id AND n.action_type = o.action_type
         ORDER BY (n.idempotency_key IS NOT DISTINCT FROM o.idempotency_key) DESC, n.created_at, n.id LIMIT 1)
     FROM runs r, runs me
     WHERE o.status = 'pending' AND o.agent = $2 AND o.run_id <> $1 AND r.id = o.run_id AND me.id = $1
       AND (r.created_at, r.id) < (me.created_at, me.id)
       AND (o.subject_type, o.subject_id) IN (SELECT t, i FROM unnest($3::text[], $4::text[]) AS s(t, i))
     RETURNING o.id, o.run_id, o.subject_type, o.subject_id, o.action_type, o.superseded_by`,
    [runId, agent, types, ids, now],
  );
  // This run's pending items for subjects a newer run has drafted for (any of its items not itself superseded).
  const newer = await client.query<{ id: string; run_id: string; subject_type: string; subject_id: string; action_type: string; superseded_by: string | null; superseded_by_run: string }>(
    `UPDATE review_items n SET status = 'superseded', superseded_at = $3, superseded_by_run = w.run_id, superseded_by = w.by
     FROM (SELECT DISTINCT ON (x.id) x.id, o.run_id, CASE WHEN o.action_type = x.action_type THEN o.id END AS by
           FROM review_items x JOIN review_items o ON o.agent = x.agent AND o.subject_type = x.subject_type AND o.subject_id = x.subject_id
             AND o.run_id <> x.run_id AND o.status <> 'superseded'
           JOIN runs r ON r.id = o.run_id JOIN runs me ON me.id = x.run_id
           WHERE x.run_id = $1 AND x.agent = $2 AND x.status = 'pending' AND (r.created_at, r.id) > (me.created_at, me.id)
           ORDER BY x.id, (o.action_type = x.action_type) DESC, (o.idempotency_key IS NOT DISTINCT FROM x.idempotency_key) DESC,
             r.created_at DESC, r.id DESC) AS w
     WHERE n.id = w.id
     RETURNING n.id, n.run_id, n.subject_type, n.subject_id, n.action_type, n.superseded_by, n.superseded_by_run`,
    [runId, agent, now],
  );
  const superseded = [...older.rows.map((r) => ({ ...r, superseded_by_run: runId })), ...newer.rows];
  const entries = [...created, ...superseded.map((r) => ({
    kind: "review.superseded", actor: "platform", runId: r.run_id, agent, node: "review", subjectType: r.subject_type, subjectId: r.subject_id, at: now,
    payload: { reviewId: r.id, actionType: r.action_type, supersededByRun: r.superseded_by_run, supersededBy: r.superseded_by },
  } satisfies AuditInput))];
  return { entries, supersededRuns: [...new Set(older.rows.map((r) => r.run_id))] };
}

/** Inserts the items of interrupts that have none yet in one statement; the `review.created` entries of the new ones. */
async function insertItems(
  client: pg.PoolClient, ref: { runId: string; agent: string }, interrupts: { interruptId: string; value: PlatformInterrupt }[], now: Date,
): Promise<AuditInput[]> {
  if (interrupts.length === 0) return [];
  const { runId, agent } = ref;
  const values: unknown[] = [];
  for (const { interruptId, value } of interrupts) {
    const p = value.review.proposal;
    // The draft (its column) and the rationale, evidence and about (`detail`, compressed) are stored once; the interrupt keeps what the Agent Inbox item adds to them.
    const unverified = unverifiedSection(p);
    const stored: StoredInterrupt = unverified === "" ? { config: value.config } : { config: value.config, unverified };
    const detail: StoredDetail = { rationale: p.rationale, evidence: p.evidence, about: p.about ?? null };
    values.push(randomUUID(), runId, interruptId, agent, p.actionType, p.subject.type, p.subject.id, "pending", JSON.stringify(stored),
      JSON.stringify(p.payload), encodeAuditPayload(canonicalJson(detail)), value.review.confidence, value.review.humanOnly,
      value.review.reason, p.dueBy, now, p.summary, p.idempotencyKey, p.about?.payer?.id ?? null, p.about?.payer?.name ?? null);
  }
  // Only what the entries need comes back (not the drafts just sent).
  const { rows } = await client.query<Pick<ReviewRow, "id" | "interrupt_id" | "agent">>(
    `INSERT INTO review_items (id, run_id, interrupt_id, agent, action_type, subject_type, subject_id, status, interrupt,
       draft, detail, confidence, human_only, reason, due_by, created_at, summary, idempotency_key, payer_id, payer_name)
     VALUES ${valuesList(interrupts.length, 20)}
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
      // The confidence and why it needs a person are the gate's, in the run's gate.verdict entry for the same draft: not repeated.
      payload: { reviewId: row.id, actionType: p.actionType, dueBy: p.dueBy },
    } satisfies AuditInput];
  });
}

/** Whether a run has superseded items and none pending (it may wait on nothing a person can decide). */
export async function onlySupersededPending(db: Pick<pg.Pool, "query">, runId: string): Promise<boolean> {
  const { rows } = await db.query<{ yes: boolean }>(
    `SELECT bool_or(status = 'superseded') AND NOT bool_or(status = 'pending') AS yes FROM review_items WHERE run_id = $1`, [runId]);
  return rows[0]?.yes === true;
}

/** Whether every one of a run's `interruptIds` has a superseded item (the run waits on nothing a person can still decide). */
export async function onlySupersededLeft(db: Pick<pg.Pool, "query">, runId: string, interruptIds: string[]): Promise<boolean> {
  if (interruptIds.length === 0) return false;
  const { rows } = await db.query<{ superseded: number; total: number }>(
    `SELECT count(*) FILTER (WHERE status = 'superseded')::int AS superseded, count(*)::int AS total
     FROM review_items WHERE run_id = $1 AND interrupt_id = ANY($2)`,
    [runId, interruptIds],
  );
  return rows[0]?.total === interruptIds.length && rows[0]?.superseded === interruptIds.length;
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
    if (row.status === "superseded") {
      throw new ConflictError(`Review ${reviewId} was superseded by a newer check (run ${row.superseded_by_run}${row.superseded_by === null ? "" : `, review ${row.superseded_by}`})`);
    }
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
        reason: (decision.type === "ignore" ? decision.args : decision.type === "accept" || decision.type === "edit" ? decision.reason : undefined) ?? undefined,
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

/** Filters and page of the review queue. */
export interface ReviewQuery {
  status?: ReviewStatus;
  agent?: string;
  runId?: string;
  /** Only items about this subject (an appointment id). */
  subjectId?: string;
  dueBefore?: Date;
  limit?: number;
  offset?: number;
}

const QUEUE_FILTER = `WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR agent = $2) AND ($3::text IS NULL OR run_id = $3)
  AND ($4::timestamptz IS NULL OR due_by <= $4) AND ($5::text IS NULL OR subject_id = $5)`;
const queueParams = (q: ReviewQuery) => [q.status ?? null, q.agent ?? null, q.runId ?? null, q.dueBefore ?? null, q.subjectId ?? null];

/** The queue, soonest due first (then oldest, then by id, so offset pages neither overlap nor skip). */
export async function listReviewItems(pool: pg.Pool, q: ReviewQuery = {}): Promise<ReviewItem[]> {
  const { rows } = await pool.query<ReviewRow>(
    `SELECT * FROM review_items ${QUEUE_FILTER} ORDER BY due_by ASC NULLS LAST, created_at ASC, id ASC LIMIT $6 OFFSET $7`,
    [...queueParams(q), Math.min(q.limit ?? 100, 1000), q.offset ?? 0],
  );
  return rows.map(toItem);
}

/** How many items match the queue's filters (`limit` and `offset` aside). */
export async function countReviewItems(pool: pg.Pool, q: ReviewQuery = {}): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM review_items ${QUEUE_FILTER}`, queueParams(q));
  return rows[0]?.n ?? 0;
}

/** An item as the queue lists it: without the draft, the why and the Agent Inbox payload (GET /v1/reviews/{id} has them). */
export function toListItem(item: ReviewItem): ReviewListItem {
  return Object.fromEntries(Object.keys(ReviewListItem.shape).map((k) => [k, item[k as keyof ReviewListItem]])) as ReviewListItem;
}

/** A run's items by subject: how many are pending, decided and superseded. */
export async function reviewCountsBySubject(
  pool: pg.Pool, runId: string, subjectId?: string,
): Promise<{ subjectType: string; subjectId: string; pending: number; decided: number; superseded: number }[]> {
  const { rows } = await pool.query<{ subject_type: string; subject_id: string; pending: number; decided: number; superseded: number }>(
    `SELECT subject_type, subject_id, count(*) FILTER (WHERE status = 'pending')::int AS pending,
       count(*) FILTER (WHERE status NOT IN ('pending', 'superseded'))::int AS decided, count(*) FILTER (WHERE status = 'superseded')::int AS superseded
     FROM review_items WHERE run_id = $1 AND ($2::text IS NULL OR subject_id = $2) GROUP BY subject_type, subject_id ORDER BY subject_id`,
    [runId, subjectId ?? null],
  );
  return rows.map((r) => ({ subjectType: r.subject_type, subjectId: r.subject_id, pending: r.pending, decided: r.decided, superseded: r.superseded }));
}

/**
 * Decided reviews of runs that still wait (of one run, with `runId`): the run may or may not
 * have applied them yet — its checkpoint's pending interrupts tell. A superseded item was never
 * decided: its run is never resumed with it, so a stale draft is never executed.
 */
export async function decidedReviewsOfWaitingRuns(pool: pg.Pool, runId?: string): Promise<{ id: string; runId: string; interruptId: string; decision: ReviewDecision }[]> {
  const { rows } = await pool.query<{ id: string; run_id: string; interrupt_id: string; decision: ReviewDecision }>(
    `SELECT r.id, r.run_id, r.interrupt_id, r.decision FROM review_items r JOIN runs ON runs.id = r.run_id
     WHERE r.status NOT IN ('pending', 'superseded') AND runs.status = 'waiting' AND ($1::text IS NULL OR r.run_id = $1) ORDER BY r.decided_at`,
    [runId ?? null],
  );
  return rows.map((r) => ({ id: r.id, runId: r.run_id, interruptId: r.interrupt_id, decision: r.decision }));
}

function toItem(row: ReviewRow): ReviewItem {
  const { rationale, evidence, about } = storedDetail(row);
  return {
    id: row.id, runId: row.run_id, agent: row.agent, actionType: row.action_type,
    subject: { type: row.subject_type, id: row.subject_id },
    patient: about?.patient ?? null, appointment: about?.appointment ?? null, payer: about?.payer ?? null, status: row.status,
    summary: row.summary, draft: row.draft, rationale, evidence,
    confidence: row.confidence, humanOnly: row.human_only, reason: row.reason, dueBy: row.due_by?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(), decidedAt: row.decided_at?.toISOString() ?? null, decidedBy: row.decided_by,
    decision: row.decision ?? null, editBefore: row.edit_before ?? null, editAfter: row.edit_after ?? null,
    supersededAt: row.superseded_at?.toISOString() ?? null, supersededByRun: row.superseded_by_run, supersededBy: row.superseded_by,
    interrupt: {
      action_request: { action: row.action_type, args: row.draft }, config: row.interrupt.config,
      description: row.interrupt.description ?? reviewDescription({
        agent: row.agent, summary: row.summary, confidence: row.confidence, reason: row.reason, rationale,
        evidence, unverified: row.interrupt.unverified ?? "",
      }),
    },
  };
}
