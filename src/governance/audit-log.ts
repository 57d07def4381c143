/**
 * The append-only, hash-chained audit log. Each entry's hash is SHA-256 over the previous
 * entry's hash and the canonical JSON of the entry, so any update, deletion or reordering breaks
 * the chain at that entry; `verifyAuditChain` walks it and names the first bad entry. The table
 * itself refuses UPDATE, DELETE and TRUNCATE (migration 0002).
 */
import { createHash, randomUUID } from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import { withTransaction } from "../db/database.js";
import { valuesList } from "../db/values-list.js";
import { CanonicalJsonText, canonicalJson, type Json } from "./canonical-json.js";

/** What can be audited. */
export const AuditKind = z.enum([
  "run.started", "run.completed", "run.failed", "run.waiting", "run.resumed",
  "node.step", "tool.call", "model.call", "decision", "gate.verdict", "subject.failed",
  "review.created", "review.decided", "review.superseded", "action.executed", "action.failed", "action.skipped",
  "autonomy.changed", "autonomy.refused", "data.imported", "key.created", "key.revoked",
]);
export type AuditKind = z.infer<typeof AuditKind>;

/** An entry to append. */
export interface AuditInput {
  kind: AuditKind;
  actor: string;
  runId?: string | null;
  agent?: string | null;
  node?: string | null;
  subjectType?: string | null;
  subjectId?: string | null;
  payload: unknown;
  /** When it happened; defaults to the time of the append (a buffered entry keeps the time it was recorded). */
  at?: Date;
}

/** A stored entry. */
export const AuditEntry = z.object({
  seq: z.number().int(),
  id: z.string(),
  at: z.string(),
  kind: z.string(),
  actor: z.string(),
  runId: z.string().nullable(),
  agent: z.string().nullable(),
  node: z.string().nullable(),
  subjectType: z.string().nullable(),
  subjectId: z.string().nullable(),
  payload: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** The hash of the (virtual) entry before the first. */
export const GENESIS_HASH = "0".repeat(64);
/** Advisory lock serialising appends across connections and instances. */
const AUDIT_LOCK = 0x61756469;
/** Rows per INSERT statement when appending many entries. */
const INSERT_BATCH = 500;

interface AuditRow {
  seq: string;
  id: string;
  at: Date;
  kind: string;
  actor: string;
  run_id: string | null;
  agent: string | null;
  node: string | null;
  subject_type: string | null;
  subject_id: string | null;
  payload: Json;
  prev_hash: string;
  hash: string;
}

/**
 * The hash of an entry given its predecessor's hash: SHA-256 over the previous hash, a newline
 * and the canonical JSON of the entry. The entry's fields are written in canonical (sorted) order
 * around its payload, which is hashed as its own text (already canonical for an entry being
 * appended), so the entry is never serialised as one string.
 */
export function entryHash(prevHash: string, entry: Omit<AuditEntry, "hash" | "prevHash">): string {
  const { actor, agent, at, id, kind, node, payload, runId, seq, subjectId, subjectType } = entry;
  const hash = createHash("sha256");
  if (Object.keys(entry).length !== ENTRY_KEYS || payload === undefined || !Number.isFinite(seq)
    || [actor, agent, at, id, kind, node, runId, subjectId, subjectType].some((v) => v !== null && typeof v !== "string")) {
    return hash.update(prevHash).update("\n").update(canonicalJson(entry)).digest("hex");
  }
  const text = (v: string | null) => (v === null ? "null" : JSON.stringify(v));
  return hash
    .update(`${prevHash}\n{"actor":${text(actor)},"agent":${text(agent)},"at":${text(at)},"id":${text(id)},"kind":${text(kind)},"node":${text(node)},"payload":`)
    .update(payload instanceof CanonicalJsonText ? payload.text : canonicalJson(payload))
    .update(`,"runId":${text(runId)},"seq":${JSON.stringify(seq)},"subjectId":${text(subjectId)},"subjectType":${text(subjectType)}}`)
    .digest("hex");
}
/** The fields of an entry that are hashed (all but its hash and the previous one). */
const ENTRY_KEYS = 11;

/** Appends entries in order, in one transaction of their own, extending the chain; returns how many. */
export async function appendAudit(pool: pg.Pool, inputs: AuditInput[], now: () => Date = () => new Date()): Promise<number> {
  if (inputs.length === 0) return 0;
  return withTransaction(pool, (client) => appendAuditInTransaction(client, inputs, now));
}

/** The chain's last entry as the lock holder sees it (`seq` 0 and the genesis hash when empty). */
export interface AuditChainEnd {
  seq: number;
  hash: string;
}

/**
 * Takes the chain's lock in the caller's open transaction (held until it ends) and reads the
 * chain's end. The two statements are issued together (one message on a pipelined connection)
 * but stay separate: in READ COMMITTED each statement takes a new snapshot, so the read sees
 * everything committed by the previous lock holder.
 */
export async function lockAuditChain(client: pg.PoolClient): Promise<AuditChainEnd> {
  const locked = client.query("SELECT pg_advisory_xact_lock($1)", [AUDIT_LOCK]);
  const last = client.query<{ seq: string; hash: string }>("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  const [, { rows }] = await Promise.all([locked, last]);
  return { seq: Number(rows[0]?.seq ?? 0), hash: rows[0]?.hash ?? GENESIS_HASH };
}

/**
 * Appends entries inside the caller's open transaction, so the audited change and its entries
 * commit or roll back together; returns how many. The entries are prepared before the chain's
 * lock is taken, so it is held briefly.
 */
export async function appendAuditInTransaction(
  client: pg.PoolClient,
  inputs: AuditInput[],
  now: () => Date = () => new Date(),
): Promise<number> {
  if (inputs.length === 0) return 0;
  const prepared = prepareAuditEntries(inputs, now);
  return appendAuditAt(client, await lockAuditChain(client), prepared);
}

/** An entry ready to be chained: everything but its place in the chain. */
export type PreparedAuditEntry = Omit<AuditEntry, "seq" | "prevHash" | "hash" | "payload"> & { payload: CanonicalJsonText };

/** Gives entries their ids and times and serialises their payloads (once: that text is hashed and stored). */
export function prepareAuditEntries(inputs: AuditInput[], now: () => Date = () => new Date()): PreparedAuditEntry[] {
  return inputs.map((input) => ({
    id: randomUUID(),
    at: (input.at ?? now()).toISOString(),
    kind: input.kind,
    actor: input.actor,
    runId: input.runId ?? null,
    agent: input.agent ?? null,
    node: input.node ?? null,
    subjectType: input.subjectType ?? null,
    subjectId: input.subjectId ?? null,
    payload: input.payload instanceof CanonicalJsonText ? input.payload : new CanonicalJsonText(canonicalJson(input.payload ?? null)),
  }));
}

/**
 * Appends prepared entries after `end`, which the caller read with `lockAuditChain` in this
 * transaction (so a caller can ask for the lock together with its own statements); returns how many.
 */
export async function appendAuditAt(client: pg.PoolClient, end: AuditChainEnd, prepared: PreparedAuditEntry[]): Promise<number> {
  if (prepared.length === 0) return 0;
  let seq = end.seq;
  let prevHash = end.hash;
  // Multi-row INSERTs (13 parameters a row, well under the 65,535 limit), issued together.
  const inserts: Promise<unknown>[] = [];
  for (let start = 0; start < prepared.length; start += INSERT_BATCH) {
    const batch = prepared.slice(start, start + INSERT_BATCH);
    const params: unknown[] = [];
    for (const e of batch) {
      seq += 1;
      const hash = entryHash(prevHash, {
        actor: e.actor, agent: e.agent, at: e.at, id: e.id, kind: e.kind, node: e.node,
        payload: e.payload, runId: e.runId, seq, subjectId: e.subjectId, subjectType: e.subjectType,
      });
      params.push(seq, e.id, e.at, e.kind, e.actor, e.runId, e.agent, e.node, e.subjectType, e.subjectId, e.payload.text, prevHash, hash);
      prevHash = hash;
    }
    inserts.push(client.query(`INSERT INTO audit_log (seq, id, at, kind, actor, run_id, agent, node, subject_type, subject_id, payload, prev_hash, hash)
       VALUES ${valuesList(batch.length, 13)}`, params));
  }
  await Promise.all(inserts);
  return prepared.length;
}

/** Filters for reading the log. */
export interface AuditQuery {
  agent?: string;
  subjectType?: string;
  subjectId?: string;
  runId?: string;
  kind?: string;
  from?: Date;
  to?: Date;
  afterSeq?: number;
  limit?: number;
}

/** Reads entries in chain order. */
export async function queryAudit(pool: pg.Pool, q: AuditQuery = {}): Promise<AuditEntry[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    where.push(sql.replace("?", `$${params.length}`));
  };
  if (q.agent !== undefined) add("agent = ?", q.agent);
  if (q.subjectType !== undefined) add("subject_type = ?", q.subjectType);
  if (q.subjectId !== undefined) add("subject_id = ?", q.subjectId);
  if (q.runId !== undefined) add("run_id = ?", q.runId);
  if (q.kind !== undefined) add("kind = ?", q.kind);
  if (q.from !== undefined) add("at >= ?", q.from);
  if (q.to !== undefined) add("at < ?", q.to);
  if (q.afterSeq !== undefined) add("seq > ?", q.afterSeq);
  params.push(Math.min(q.limit ?? 500, 10_000));
  const { rows } = await pool.query<AuditRow>(
    `SELECT * FROM audit_log ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq LIMIT $${params.length}`,
    params,
  );
  return rows.map(fromRow);
}

/** Result of walking the chain. */
export interface ChainVerification {
  ok: boolean;
  checked: number;
  firstBadEntry: { seq: number; id: string; reason: string } | null;
}

/** Walks the whole chain in seq order, in pages, recomputing every hash. */
export async function verifyAuditChain(pool: pg.Pool, pageSize = 2_000): Promise<ChainVerification> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  for (;;) {
    const { rows } = await pool.query<AuditRow>("SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2", [expectedSeq, pageSize]);
    for (const row of rows) {
      const entry = fromRow(row);
      const bad = (reason: string): ChainVerification => ({ ok: false, checked, firstBadEntry: { seq: entry.seq, id: entry.id, reason } });
      if (entry.seq !== expectedSeq) return bad(`sequence gap: expected ${expectedSeq} (an entry was deleted)`);
      if (entry.prevHash !== prevHash) return bad("prev_hash does not match the previous entry (entries deleted or reordered)");
      const { hash, prevHash: _p, ...body } = entry;
      if (entryHash(prevHash, body) !== hash) return bad("hash does not match the entry's contents (entry modified)");
      checked += 1;
      prevHash = hash;
      expectedSeq += 1;
    }
    if (rows.length < pageSize) return { ok: true, checked, firstBadEntry: null };
  }
}

function fromRow(row: AuditRow): AuditEntry {
  return {
    seq: Number(row.seq),
    id: row.id,
    at: row.at.toISOString(),
    kind: row.kind,
    actor: row.actor,
    runId: row.run_id,
    agent: row.agent,
    node: row.node,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    payload: row.payload,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
