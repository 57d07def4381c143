/**
 * The staff inbox's reads and writes (README, "Staff inbox"): the pending review items a page at a
 * time with the counts of every tab, who has taken an item, and the source of each piece of
 * evidence as the trail kept it. Decisions are not here: they go through the runtime
 * (`AgentRuntime.decide`), as the API's do.
 *
 * The list and the counts read only the two partial indexes of migration 0023 (pending items
 * only, carrying every filtered column): a page is an index scan in due order, the counts an
 * index-only scan grouped by tab and payer — never the items themselves.
 */
import type pg from "pg";
import { z } from "zod";
import { BadInputError, ConflictError, NotFoundError } from "../../tools/errors.js";
import { withTransaction } from "../db/database.js";
import { appendAuditInTransaction, auditChainHead, queryAudit } from "../governance/audit-log.js";
import { decodeAuditPayloadJson } from "../governance/audit-payload.js";
import { storedAbout, type ReviewItem } from "../governance/reviews.js";
import type { ProposalAbout } from "../orchestration/decision.js";
import { userActor, type UserInfo } from "./users.js";

/** Confidence bands of the filter: [from, to). */
export const CONFIDENCE_BANDS = {
  low: { from: 0, to: 0.7, label: "low (below 0.70)" },
  medium: { from: 0.7, to: 0.9, label: "medium (0.70–0.89)" },
  high: { from: 0.9, to: 1.01, label: "high (0.90 and above)" },
} as const;
export const ConfidenceBand = z.enum(["low", "medium", "high"]);
export type ConfidenceBand = z.infer<typeof ConfidenceBand>;

/** What the inbox shows: one tab (agent and action type) or all, and the filters. */
export interface InboxFilter {
  agent?: string | undefined;
  actionType?: string | undefined;
  payer?: string | undefined;
  dueBefore?: Date | undefined;
  band?: ConfidenceBand | undefined;
  /** Only items assigned to this user id. */
  assignedTo?: string | undefined;
}

/** One row of the list. PHI (the patient's name): shown to staff, never logged. */
export interface InboxRow {
  id: string;
  agent: string;
  actionType: string;
  summary: string;
  confidence: number;
  dueBy: Date | null;
  createdAt: Date;
  patient: string | null;
  dateOfService: string | null;
  payerId: string | null;
  payerName: string | null;
  assignedTo: { id: string; username: string; displayName: string } | null;
}

/** A tab: an agent's action type and how many pending items match the filters. */
export interface InboxTab {
  agent: string;
  actionType: string;
  count: number;
}

/** The counts of a filter: per tab (the payer filter applied), the payers seen, and the total of the current tab. */
export interface InboxCounts {
  tabs: InboxTab[];
  all: number;
  total: number;
  payers: { id: string; name: string | null; count: number }[];
}

/** The WHERE clause of a filter, its parameters after `params`. */
function where(filter: InboxFilter, params: unknown[], parts: { tab: boolean; payer: boolean }): string {
  const clauses = ["status = 'pending'"];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replaceAll("?", `$${params.length}`));
  };
  if (parts.tab && filter.agent !== undefined) add("agent = ?", filter.agent);
  if (parts.tab && filter.actionType !== undefined) add("action_type = ?", filter.actionType);
  if (parts.payer && filter.payer !== undefined) add("payer_id = ?", filter.payer);
  if (filter.dueBefore !== undefined) add("due_by <= ?", filter.dueBefore);
  if (filter.band !== undefined) {
    const band = CONFIDENCE_BANDS[filter.band];
    add("confidence >= ?", band.from);
    add("confidence < ?", band.to);
  }
  if (filter.assignedTo !== undefined) add("assigned_to = ?", filter.assignedTo);
  return clauses.join(" AND ");
}

/** A page of pending items, soonest due first (then oldest, then id: pages neither overlap nor skip). */
export async function listInbox(pool: pg.Pool, filter: InboxFilter, page: { offset: number; limit: number }): Promise<InboxRow[]> {
  const params: unknown[] = [];
  const clause = where(filter, params, { tab: true, payer: true });
  params.push(page.limit, page.offset);
  const { rows } = await pool.query<{
    id: string; agent: string; action_type: string; summary: string; confidence: number; due_by: Date | null; created_at: Date;
    about: ProposalAbout | null; detail: Buffer | null; payer_id: string | null; payer_name: string | null;
    assignee_id: string | null; assignee_username: string | null; assignee_name: string | null;
  }>(
    `SELECT r.id, r.agent, r.action_type, r.summary, r.confidence, r.due_by, r.created_at,
       r.about, r.detail, r.payer_id, r.payer_name,
       u.id AS assignee_id, u.username AS assignee_username, u.display_name AS assignee_name
     FROM (SELECT * FROM review_items WHERE ${clause} ORDER BY due_by ASC NULLS LAST, created_at ASC, id ASC
           LIMIT $${params.length - 1} OFFSET $${params.length}) r
     LEFT JOIN users u ON u.id = r.assigned_to
     ORDER BY r.due_by ASC NULLS LAST, r.created_at ASC, r.id ASC`,
    params,
  );
  return rows.map((r) => {
    // The patient and date of service are in the item's compressed detail (its `about`): decoded for the page's rows only.
    const about = storedAbout({ about: r.about, detail: r.detail, rationale: null, evidence: null });
    return {
      id: r.id, agent: r.agent, actionType: r.action_type, summary: r.summary, confidence: r.confidence, dueBy: r.due_by, createdAt: r.created_at,
      patient: about?.patient?.name ?? null, dateOfService: about?.appointment?.dateOfService ?? null, payerId: r.payer_id, payerName: r.payer_name,
      assignedTo: r.assignee_id === null ? null : { id: r.assignee_id, username: r.assignee_username ?? "", displayName: r.assignee_name ?? "" },
    };
  });
}

type CountRow = { agent: string; action_type: string; payer_id: string | null; payer_name: string | null; n: number };

/** The grouped count of the pending items under the filters other than the tab and the payer (a few hundred groups at most). */
async function groupedCounts(pool: pg.Pool, filter: InboxFilter): Promise<CountRow[]> {
  const params: unknown[] = [];
  const clause = where(filter, params, { tab: false, payer: false });
  const { rows } = await pool.query<CountRow>(
    `SELECT agent, action_type, payer_id, max(payer_name) AS payer_name, count(*)::int AS n
     FROM review_items WHERE ${clause} GROUP BY agent, action_type, payer_id`,
    params,
  );
  return rows;
}

/** The counts of every tab and payer under the filters (the tab and payer filters applied here, to the groups). */
function tally(rows: CountRow[], filter: InboxFilter): InboxCounts {
  const tabs = new Map<string, InboxTab>();
  const payers = new Map<string, { id: string; name: string | null; count: number }>();
  let all = 0;
  let total = 0;
  for (const r of rows) {
    const inTab = (filter.agent === undefined || r.agent === filter.agent) && (filter.actionType === undefined || r.action_type === filter.actionType);
    if (r.payer_id !== null && inTab) {
      const p = payers.get(r.payer_id) ?? { id: r.payer_id, name: r.payer_name, count: 0 };
      p.count += r.n;
      payers.set(r.payer_id, p);
    }
    const key = `${r.agent}\u0000${r.action_type}`;
    const tab = tabs.get(key) ?? { agent: r.agent, actionType: r.action_type, count: 0 };
    tabs.set(key, tab);
    if (filter.payer !== undefined && r.payer_id !== filter.payer) continue;
    tab.count += r.n;
    all += r.n;
    if (inTab) total += r.n;
  }
  const byName = (a: InboxTab, b: InboxTab) => a.agent.localeCompare(b.agent) || a.actionType.localeCompare(b.actionType);
  return {
    tabs: [...tabs.values()].sort(byName), all, total,
    payers: [...payers.values()].sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id)),
  };
}

/**
 * The counts of every tab and payer under the filters, from one grouped count (agent, action
 * type, payer) read from the pending items' index — the items are never read.
 */
export async function countInbox(pool: pg.Pool, filter: InboxFilter): Promise<InboxCounts> {
  return tally(await groupedCounts(pool, filter), filter);
}

/**
 * The inbox's counts, shared for `ttlMs` between the people who look at the same filters (the
 * tab and the payer do not count: they are applied to the groups), and read once however many
 * ask at the same moment. Every decision or assignment made here, and every change the live feed
 * sees, forgets them; a change made elsewhere shows within `ttlMs`. The list itself is always read.
 */
export class InboxCounter {
  private readonly cache = new Map<string, { at: number; rows: Promise<CountRow[]> }>();

  constructor(private readonly pool: pg.Pool, private readonly ttlMs = 1000) {}

  async counts(filter: InboxFilter): Promise<InboxCounts> {
    const key = JSON.stringify([filter.dueBefore?.toISOString() ?? null, filter.band ?? null, filter.assignedTo ?? null]);
    const now = Date.now();
    let entry = this.cache.get(key);
    if (entry === undefined || now - entry.at > this.ttlMs) {
      if (this.cache.size > 500) this.cache.clear();
      entry = { at: now, rows: groupedCounts(this.pool, filter) };
      this.cache.set(key, entry);
      entry.rows.catch(() => this.cache.delete(key));
    }
    return tally(await entry.rows, filter);
  }

  forget(): void {
    this.cache.clear();
  }
}

/** Active users who may work the inbox (staff and admins), by name: whom an item can be handed to. */
export async function inboxColleagues(pool: pg.Pool): Promise<Pick<UserInfo, "id" | "username" | "displayName" | "role">[]> {
  const { rows } = await pool.query<{ id: string; username: string; display_name: string; role: UserInfo["role"] }>(
    "SELECT id, username, display_name, role FROM users WHERE disabled_at IS NULL AND role IN ('staff', 'admin') ORDER BY display_name, username",
  );
  return rows.map((r) => ({ id: r.id, username: r.username, displayName: r.display_name, role: r.role }));
}

/** Who has an item, or null. */
export async function assigneeOf(pool: pg.Pool, reviewId: string): Promise<{ id: string; username: string; displayName: string; at: Date } | null> {
  const { rows } = await pool.query<{ id: string; username: string; display_name: string; assigned_at: Date }>(
    "SELECT u.id, u.username, u.display_name, r.assigned_at FROM review_items r JOIN users u ON u.id = r.assigned_to WHERE r.id = $1",
    [reviewId],
  );
  const r = rows[0];
  return r === undefined ? null : { id: r.id, username: r.username, displayName: r.display_name, at: r.assigned_at };
}

/**
 * Gives a pending item to a person (`assignee` a user id; null puts it back in the common queue),
 * audited as `review.assigned` with who had it before. A decided or superseded item cannot be
 * assigned (409); the assignee must be an active staff member or admin (400).
 */
export async function assignReview(
  pool: pg.Pool, reviewId: string, assignee: string | null, by: Pick<UserInfo, "id" | "role" | "username">, now: Date,
): Promise<{ assignedTo: { id: string; username: string } | null; changed: boolean }> {
  return withTransaction(pool, async (client) => {
    let target: { id: string; username: string } | null = null;
    if (assignee !== null) {
      const { rows } = await client.query<{ id: string; username: string }>(
        "SELECT id, username FROM users WHERE id = $1 AND disabled_at IS NULL AND role IN ('staff', 'admin')", [assignee]);
      if (rows[0] === undefined) throw new BadInputError("An item can be handed only to an active staff member or admin");
      target = rows[0];
    }
    const { rows } = await client.query<{ run_id: string; agent: string; action_type: string; subject_type: string; subject_id: string; status: string; assigned_to: string | null }>(
      "SELECT run_id, agent, action_type, subject_type, subject_id, status, assigned_to FROM review_items WHERE id = $1 FOR UPDATE", [reviewId]);
    const row = rows[0];
    if (row === undefined) throw new NotFoundError(`No review item ${reviewId}`);
    if (row.status !== "pending") throw new ConflictError(`This item is no longer pending (${row.status}): it cannot be assigned`);
    if (row.assigned_to === (target?.id ?? null)) return { assignedTo: target, changed: false };
    await client.query("UPDATE review_items SET assigned_to = $2, assigned_at = $3 WHERE id = $1", [reviewId, target?.id ?? null, target === null ? null : now]);
    await appendAuditInTransaction(client, [{
      kind: "review.assigned", actor: userActor(by), runId: row.run_id, agent: row.agent, node: "review",
      subjectType: row.subject_type, subjectId: row.subject_id,
      payload: { reviewId, actionType: row.action_type, assignedTo: target, before: row.assigned_to },
    }], () => now);
    return { assignedTo: target, changed: true };
  });
}

/** The review kinds the inbox follows. */
const FEED_KINDS = ["review.created", "review.decided", "review.superseded", "review.assigned"];

/** A change to the queue seen in the trail. */
export interface InboxChange {
  seq: number;
  kind: string;
  reviewId: string | null;
  actor: string;
}

/** The last entry of the trail (where a feed starts). */
export async function feedStart(pool: pg.Pool): Promise<number> {
  return (await auditChainHead(pool)).seq;
}

/** The review entries of one item's run and subject (created, assigned, decided, superseded), oldest first. */
export async function itemTrail(pool: pg.Pool, item: Pick<ReviewItem, "id" | "runId" | "subject">): Promise<{ seq: number; at: string; kind: string; actor: string; payload: Record<string, unknown> }[]> {
  const { rows } = await pool.query<{ seq: string; at: Date; kind: string; actor: string; payload: Uint8Array }>(
    `SELECT seq, at, kind, actor, payload FROM audit_log
     WHERE subject_type = $1 AND subject_id = $2 AND run_id = $3 AND kind LIKE 'review.%' ORDER BY seq`,
    [item.subject.type, item.subject.id, item.runId],
  );
  return rows.flatMap((r) => {
    const payload = decodeAuditPayloadJson(r.payload) as Record<string, unknown>;
    return payload.reviewId === item.id ? [{ seq: Number(r.seq), at: r.at.toISOString(), kind: r.kind, actor: r.actor, payload }] : [];
  });
}

/** The queue's changes after `afterSeq`, in order (a few hundred at most a call). */
export async function feedAfter(pool: pg.Pool, afterSeq: number, limit = 500): Promise<InboxChange[]> {
  const { rows } = await pool.query<{ seq: string; kind: string; actor: string; payload: Uint8Array }>(
    "SELECT seq, kind, actor, payload FROM audit_log WHERE kind = ANY($1) AND seq > $2 ORDER BY seq LIMIT $3",
    [FEED_KINDS, afterSeq, limit],
  );
  return rows.map((r) => {
    let reviewId: string | null = null;
    try {
      const payload = decodeAuditPayloadJson(r.payload) as { reviewId?: unknown };
      reviewId = typeof payload.reviewId === "string" ? payload.reviewId : null;
    } catch {
      reviewId = null;
    }
    return { seq: Number(r.seq), kind: r.kind, reviewId, actor: r.actor };
  });
}

/** The source of one piece of evidence, as the trail kept it. */
export interface EvidenceSource {
  evidence: ReviewItem["evidence"][number];
  /** What the source is: raw X12, a chart resource (JSON), or nothing kept. */
  format: "x12" | "json" | "none";
  title: string;
  /** The X12 message split into segments, the one the evidence names marked. */
  segments?: { n: number; text: string; marked: boolean }[];
  json?: string;
  /** Where it was found (the trail entry). */
  from: string;
}

/** Splits an X12 interchange into segments (the terminator is the ISA's 106th character). */
export function x12Segments(x12: string): string[] {
  const terminator = x12.startsWith("ISA") && x12.length > 105 ? x12.charAt(105) : "~";
  return x12.split(terminator).map((s) => s.replace(/^\s+/, "")).filter((s) => s !== "");
}

/**
 * Finds the source of an item's evidence `n` in the run's trail: the 270 / 271 of the exchange
 * (the `clearinghouse.270` tool call keeps both as sent and received) with the segment the
 * evidence names marked; a 278 as stored when it was sent (its fields as drafted before); a chart
 * resource as the `ehr.visit-chart` tool call read it. Other kinds name no kept source.
 */
export async function evidenceSource(pool: pg.Pool, item: ReviewItem, n: number): Promise<EvidenceSource> {
  const evidence = item.evidence[n];
  if (evidence === undefined) throw new NotFoundError(`Item ${item.id} has no evidence ${n + 1}`);
  const calls = await queryAudit(pool, { runId: item.runId, subjectType: item.subject.type, subjectId: item.subject.id, kind: "tool.call", limit: 1000 });
  const call = (tool: string) => calls.find((c) => (c.payload as { tool?: string }).tool === tool);
  const none = (why: string): EvidenceSource => ({ evidence, format: "none", title: why, from: "" });
  if (evidence.kind === "x12-segment") {
    const ref = evidence.ref;
    if (ref.startsWith("270 ") || ref.startsWith("271 ")) {
      const exchange = call("clearinghouse.270");
      if (exchange === undefined) return none("The run's trail keeps no 270/271 exchange for this visit");
      const payload = exchange.payload as { input?: { x12?: string }; output?: { x12?: string | null } };
      const is271 = ref.startsWith("271 ");
      const x12 = is271 ? payload.output?.x12 : payload.input?.x12;
      if (typeof x12 !== "string") return none(`No ${is271 ? "271 was received" : "270 was kept"} for this exchange`);
      const segments = x12Segments(x12);
      const marked = markedSegment(segments, ref);
      return {
        evidence, format: "x12", title: is271 ? "The payer's 271, as received" : "The 270, as sent",
        segments: segments.map((text, i) => ({ n: i + 1, text, marked: marked === i })), from: `audit entry ${exchange.seq} (tool call clearinghouse.270)`,
      };
    }
    if (ref.startsWith("278 TRN*1*")) {
      const trace = ref.slice("278 TRN*1*".length).trim();
      const { rows } = await pool.query<{ x12_request: string }>("SELECT x12_request FROM authorization_requests WHERE trace = $1 ORDER BY created_at DESC LIMIT 1", [trace]);
      if (rows[0] !== undefined) {
        const segments = x12Segments(rows[0].x12_request);
        return {
          evidence, format: "x12", title: "The 278, as sent to the payer",
          segments: segments.map((text, i) => ({ n: i + 1, text, marked: text.startsWith(`TRN*1*${trace}`) })), from: "authorization_requests",
        };
      }
      const request = (item.draft as { request?: unknown }).request;
      return { evidence, format: "json", title: "The 278 request's fields as drafted (the X12 is written when it is sent)", json: JSON.stringify(request ?? null, null, 2), from: "the draft" };
    }
    return none("This segment's message is not kept in the trail");
  }
  if (evidence.kind === "fhir-resource" || evidence.kind === "document") {
    const [type, id] = evidence.ref.split("/");
    const chartCall = call("ehr.visit-chart");
    const chart = (chartCall?.payload as { output?: Record<string, unknown> } | undefined)?.output;
    if (chartCall === undefined || chart === undefined) return none("The run's trail keeps no chart read for this visit");
    const orders = (chart.orders as { id?: string }[] | undefined) ?? [];
    const resource = type === "Appointment" ? chart.appointment
      : type === "Coverage" ? chart.coverage
        : type === "Patient" ? chart.patient
          : type === "MedicationRequest" ? orders.find((o) => o.id === id)
            : type === "Condition" ? chart.diagnoses
              : undefined;
    if (resource === undefined || resource === null) return none(`The chart read does not hold ${evidence.ref} (${type === "DocumentReference" ? "note text stays in the EHR" : "not read by this run"})`);
    return { evidence, format: "json", title: `${evidence.ref}, as the agent read it from the chart`, json: JSON.stringify(resource, null, 2), from: `audit entry ${chartCall.seq} (tool call ehr.visit-chart)` };
  }
  return none("Evidence of this kind names a rule, a record or a check; its note says what it shows");
}

/** Whether an evidence kind has a source the inbox can show. */
export const hasSource = (e: { kind: string; ref: string }): boolean =>
  (e.kind === "x12-segment" && /^(?:27[01] |278 TRN\*1\*)/.test(e.ref)) || e.kind === "fhir-resource";

/** The index of the segment an evidence ref names ("… at segment N" counts from the transaction's ST), or -1. */
function markedSegment(segments: string[], ref: string): number {
  const at = /at segment (\d+)/.exec(ref);
  const control = /ST\*27[01]\*(\w+)/.exec(ref)?.[1];
  const st = segments.findIndex((s) => control === undefined ? s.startsWith("ST*") : s.startsWith(`ST*27`) && s.split("*")[2] === control);
  if (at !== null && st >= 0) return st + Number(at[1]) - 1;
  const trn = /TRN\*1\*(\w+)/.exec(ref)?.[1];
  if (trn !== undefined) return segments.findIndex((s) => s.startsWith(`TRN*1*${trn}`));
  return st;
}
