/**
 * The append-only, hash-chained audit log. Each entry's hash is an HMAC-SHA-256, under a key that
 * is not in the database (audit-keys.ts), over the previous entry's hash and the canonical JSON
 * of the entry (the key's id included), so any update, deletion, reordering, forged entry or
 * re-hashed suffix breaks the chain; the chain's head is anchored outside the database
 * (audit-anchors.ts), so a truncated tail or a rewritten suffix is caught against the anchor.
 * `verifyAuditChain` walks every row and names the first bad entry. The table refuses UPDATE,
 * DELETE and TRUNCATE (migration 0002), and on a server the service's role may only read it and
 * INSERT into it (migration 0015).
 *
 * The payload is stored compressed (audit-payload.ts, migration 0019); what is hashed is its
 * canonical JSON text, before compression. The functions that decode it are `queryAudit` and
 * `verifyAuditChain`; `appendAuditAt` encodes it.
 *
 * Entries written before the chain was keyed (`key_id` null) keep their plain SHA-256 hash and
 * verify as before, but only as the chain's first entries: an unkeyed entry after a keyed one is
 * a forgery. The first anchor after the upgrade seals them.
 */
import { createHash, createHmac, randomUUID, type Hash, type Hmac } from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import { withTransaction } from "../db/database.js";
import { valuesList } from "../db/values-list.js";
import { auditKeyring, type AuditKey, type AuditKeyring } from "./audit-keys.js";
import { AuditPayloadError, decodeAuditPayload, encodeAuditPayload } from "./audit-payload.js";
import { CanonicalJsonText, canonicalJson, type Json } from "./canonical-json.js";

/**
 * What can be audited. `tool.request` records a call to an outside system (a 270, a follow-up
 * 278) before it is made, written to the log before the call; its `tool.call` follows with the
 * answer. A crash in between leaves the request on record, never a call without an entry.
 */
export const AuditKind = z.enum([
  "run.started", "run.completed", "run.failed", "run.waiting", "run.resumed",
  "node.step", "tool.request", "tool.call", "model.call", "decision", "gate.verdict", "subject.failed",
  "review.created", "review.decided", "review.superseded", "action.executed", "action.failed", "action.skipped",
  "autonomy.changed", "autonomy.refused", "data.imported", "key.created", "key.revoked", "instance.taken_over",
  "retention.pruned", "audit.archived",
  "user.created", "user.changed", "user.signed_in", "user.signed_out", "user.sign_in_refused",
  "review.assigned",
  "payer_rule.created", "payer_rule.changed", "payer_rule.ended",
  // A claim entered a status (captured, scrubbed, corrected, submitted, accepted, rejected, adjudicated).
  "claim.status",
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
  keyId: z.string().nullable().describe("The key the entry's HMAC is under; null for an entry written before the chain was keyed (plain SHA-256)"),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** The hash of the (virtual) entry before the first. */
export const GENESIS_HASH = "0".repeat(64);
/** Advisory lock serialising appends across connections and instances. */
const AUDIT_LOCK = 0x61756469;
/** Rows per INSERT statement when appending many entries. */
const INSERT_BATCH = 500;

/**
 * A row as the database returns it: the two hashes as 32 bytes each (migration 0021; a value that
 * was not 64 hex characters before it is kept as its text's bytes). `auditRow` reads them as hex.
 */
export type StoredHashesRow = Omit<AuditRow, "prev_hash" | "hash"> & { prev_hash: Buffer | string; hash: Buffer | string };

/** A stored hash as the chain writes it (64 hex characters): 32 bytes as hex, anything else as its text. */
export function hashText(stored: Buffer | string): string {
  if (typeof stored === "string") return stored;
  return stored.length === 32 ? stored.toString("hex") : stored.toString("utf8");
}

/** A hash as stored (migration 0021): 64 hex characters as their 32 bytes, anything else as its text. */
export function hashBytes(hash: string): Buffer {
  return /^[0-9a-f]{64}$/.test(hash) ? Buffer.from(hash, "hex") : Buffer.from(hash, "utf8");
}

/** A row with its hashes read as hex. */
export function auditRow<R extends { prev_hash: Buffer | string; hash: Buffer | string }>(row: R): Omit<R, "prev_hash" | "hash"> & { prev_hash: string; hash: string } {
  return { ...row, prev_hash: hashText(row.prev_hash), hash: hashText(row.hash) };
}

export interface AuditRow {
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
  /** A format marker and the canonical JSON text, compressed or not (audit-payload.ts). */
  payload: Buffer;
  prev_hash: string;
  hash: string;
  key_id: string | null;
}

/** A row with its payload decoded: the canonical JSON text its hash covers (verification, archives). */
export type StoredAuditRow = Omit<AuditRow, "payload"> & { payload: string };

/** An entry as it is hashed: all but its hash and the previous one (`keyId` absent or null: unkeyed). */
export type HashedEntry = Omit<AuditEntry, "hash" | "prevHash" | "keyId"> & { keyId?: string | null };

/**
 * The hash of an entry given its predecessor's hash: HMAC-SHA-256 under `key` (whose id the entry
 * names in `keyId`) over the previous hash, a newline and the canonical JSON of the entry. An entry
 * without a key id (written before the chain was keyed) hashes as it did then: SHA-256 over the
 * same text, without a `keyId` member. The entry's fields are written in canonical (sorted) order
 * around its payload, which is hashed as its own text (already canonical for an entry being
 * appended, and as stored), so the entry is never serialised as one string.
 */
export function entryHash(prevHash: string, entry: HashedEntry, key?: AuditKey): string {
  const { keyId = null, ...fields } = entry;
  if (keyId !== null && key?.id !== keyId) throw new TypeError(`entryHash: the entry names key ${keyId} but is hashed with ${key?.id ?? "none"}`);
  const hash: Hash | Hmac = keyId === null ? createHash("sha256") : createHmac("sha256", key!.secret);
  const { actor, agent, at, id, kind, node, payload, runId, seq, subjectId, subjectType } = fields;
  if (Object.keys(fields).length !== ENTRY_KEYS || payload === undefined || !Number.isFinite(seq)
    || [actor, agent, at, id, kind, node, runId, subjectId, subjectType].some((v) => v !== null && typeof v !== "string")) {
    return hash.update(prevHash).update("\n").update(canonicalJson(keyId === null ? fields : entry)).digest("hex");
  }
  const text = (v: string | null) => (v === null ? "null" : JSON.stringify(v));
  return hash
    .update(`${prevHash}\n{"actor":${text(actor)},"agent":${text(agent)},"at":${text(at)},"id":${text(id)},${keyId === null ? "" : `"keyId":${text(keyId)},`}"kind":${text(kind)},"node":${text(node)},"payload":`)
    .update(payload instanceof CanonicalJsonText ? payload.text : canonicalJson(payload))
    .update(`,"runId":${text(runId)},"seq":${JSON.stringify(seq)},"subjectId":${text(subjectId)},"subjectType":${text(subjectType)}}`)
    .digest("hex");
}
/** The fields of an entry that are hashed besides its key id. */
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
  const last = client.query<{ seq: string; hash: Buffer }>(RECENT_HEAD, [recentMonths()]);
  const [, { rows }] = await Promise.all([locked, last]);
  return rows[0] === undefined ? chainEnd(client) : { seq: Number(rows[0].seq), hash: hashText(rows[0].hash) };
}

/**
 * The head among this and last month's partitions (plus any made ahead): the month is a
 * parameter, so the query is planned on those partitions only, not merged across years of them.
 * The month never decreases along the chain, so when they hold any entry the head is there.
 */
const RECENT_HEAD = "SELECT seq, hash FROM audit_log WHERE chain_month >= $1 ORDER BY seq DESC LIMIT 1";

/** The first day of last month (UTC): a month's margin for a clock that differs from the database's. */
function recentMonths(): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
}

/** The chain's end when the recent months hold no entry: the last entry in any month, else the last archived, else the genesis. */
async function chainEnd(pool: pg.Pool | pg.PoolClient): Promise<AuditChainEnd> {
  const { rows } = await pool.query<{ seq: string; hash: Buffer }>("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  return rows[0] === undefined ? archivedEnd(pool) : { seq: Number(rows[0].seq), hash: hashText(rows[0].hash) };
}

/** The months the audit log has a partition of (`YYYY-MM-01`), oldest first (migration 0018). */
export async function auditPartitionMonths(pool: pg.Pool | pg.PoolClient): Promise<string[]> {
  const { rows } = await pool.query<{ relname: string }>(
    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_log'::regclass");
  return rows.map((r) => /^audit_log_y(\d{4})m(\d{2})$/.exec(r.relname))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}-${m[2]}-01`)
    .sort();
}

/** Where the live chain starts: after the last archived entry (audit-archive.ts); null when nothing is archived. */
export async function archivedThrough(pool: pg.Pool | pg.PoolClient): Promise<{ month: string; seq: number; hash: string } | null> {
  const { rows } = await pool.query<{ month: string; last_seq: string; last_hash: string }>(
    "SELECT to_char(month, 'YYYY-MM') AS month, last_seq, last_hash FROM audit_archives ORDER BY last_seq DESC, month DESC LIMIT 1");
  const row = rows[0];
  return row === undefined ? null : { month: row.month, seq: Number(row.last_seq), hash: row.last_hash };
}

/** The chain's end when no entry is in the database: the last archived one, else the genesis. */
async function archivedEnd(pool: pg.Pool | pg.PoolClient): Promise<AuditChainEnd> {
  const archived = await archivedThrough(pool);
  return archived === null ? { seq: 0, hash: GENESIS_HASH } : { seq: archived.seq, hash: archived.hash };
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
export type PreparedAuditEntry = Omit<AuditEntry, "seq" | "prevHash" | "hash" | "payload" | "keyId"> & { payload: CanonicalJsonText };

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
  const key = auditKeyring().current;
  let seq = end.seq;
  let prevHash = end.hash;
  // Multi-row INSERTs (14 parameters a row, well under the 65,535 limit), issued together.
  const inserts: Promise<unknown>[] = [];
  for (let start = 0; start < prepared.length; start += INSERT_BATCH) {
    const batch = prepared.slice(start, start + INSERT_BATCH);
    const params: unknown[] = [];
    for (const e of batch) {
      seq += 1;
      const hash = entryHash(prevHash, {
        actor: e.actor, agent: e.agent, at: e.at, id: e.id, keyId: key.id, kind: e.kind, node: e.node,
        payload: e.payload, runId: e.runId, seq, subjectId: e.subjectId, subjectType: e.subjectType,
      }, key);
      params.push(seq, e.id, e.at, e.kind, e.actor, e.runId, e.agent, e.node, e.subjectType, e.subjectId, encodeAuditPayload(e.payload.text), hashBytes(prevHash), hashBytes(hash), key.id);
      prevHash = hash;
    }
    inserts.push(client.query(`INSERT INTO audit_log (seq, id, at, kind, actor, run_id, agent, node, subject_type, subject_id, payload, prev_hash, hash, key_id)
       VALUES ${valuesList(batch.length, 14)}`, params));
  }
  await Promise.all(inserts);
  return prepared.length;
}

/** The chain's last entry as committed (`seq` 0 and the genesis hash when empty). */
export async function auditChainHead(pool: pg.Pool): Promise<AuditChainEnd> {
  const { rows } = await pool.query<{ seq: string; hash: Buffer }>(RECENT_HEAD, [recentMonths()]);
  return rows[0] === undefined ? chainEnd(pool) : { seq: Number(rows[0].seq), hash: hashText(rows[0].hash) };
}

/** Filters for reading the log. */
export interface AuditQuery {
  agent?: string;
  subjectType?: string;
  subjectId?: string;
  runId?: string;
  kind?: string;
  /** Entries whose actor starts with this (`user:<id>` finds a person whatever their role was then; `agent:` every agent). */
  actor?: string;
  /** Entries before this sequence number (a bound from `auditSeqWindow`, so a date range reads one run of seq). */
  beforeSeq?: number;
  from?: Date;
  to?: Date;
  afterSeq?: number;
  limit?: number;
}

/** Reads entries in chain order, payloads decoded (a payload that cannot be decoded throws `AuditPayloadError`). */
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
  if (q.actor !== undefined) {
    add("actor LIKE ? ESCAPE '\\'", `${q.actor.replace(/[\\%_]/g, "\\$&")}%`);
    // A person's (or a system's) entries: the same predicate as the partial index on them (migration 0026), so the planner can use it.
    if (!q.actor.startsWith("agent:") && !"agent:".startsWith(q.actor)) where.push("actor NOT LIKE 'agent:%'");
  }
  if (q.beforeSeq !== undefined) add("seq < ?", q.beforeSeq);
  if (q.from !== undefined) add("at >= ?", q.from);
  if (q.to !== undefined) add("at < ?", q.to);
  if (q.afterSeq !== undefined) add("seq > ?", q.afterSeq);
  params.push(Math.min(q.limit ?? 500, 10_000));
  const { rows } = await pool.query<StoredHashesRow>(
    `SELECT ${VERIFY_COLUMNS} FROM audit_log ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq LIMIT $${params.length}`,
    params,
  );
  return rows.map((row) => fromRow(auditRow(row)));
}

/** The head of the chain as recorded outside the database (an anchor, audit-anchors.ts). */
export interface ChainAnchor {
  seq: number;
  hash: string;
  at: string;
}

/** How the database compares with the latest anchor. */
export interface AnchorCheck {
  seq: number;
  at: string;
  /** matched: the entry at the anchor's seq has its hash; truncated: the chain ends before it; rewritten: another hash there; invalid: the anchor's own HMAC fails. */
  status: "matched" | "truncated" | "rewritten" | "invalid";
  reason: string | null;
}

/** Result of walking the chain. */
export interface ChainVerification {
  ok: boolean;
  checked: number;
  firstBadEntry: { seq: number; id: string; reason: string } | null;
  /** Entries written before the chain was keyed (plain SHA-256; a prefix of the chain). */
  unkeyed: number;
  /** The latest anchor checked; null when there is none. */
  anchor: AnchorCheck | null;
  /** Present when months were archived: the chain was verified from the last archive's anchor (its last entry). */
  archivedThrough?: { month: string; seq: number; hash: string };
}

/** Options of `verifyAuditChain`. */
export interface VerifyOptions {
  /** Rows read a page (two pages are held at most: the one hashed, the next one being read). */
  pageSize?: number;
  /** The latest anchor, and whether its own HMAC held. */
  anchor?: { anchor: ChainAnchor; valid: boolean } | null;
  /** The keys to verify with (the process's keyring by default). */
  keyring?: AuditKeyring;
  /** Where the live chain starts (the last archived entry); read from audit_archives by default. */
  start?: { month: string; seq: number; hash: string } | null;
  /** Told the entries checked so far after each page (a progress bar). */
  onProgress?: (checked: number) => void;
}

const VERIFY_COLUMNS = "seq, id, at, kind, actor, run_id, agent, node, subject_type, subject_id, payload, prev_hash, hash, key_id";

/**
 * Walks every row of the chain in seq order, streaming it page by page in bounded memory (the next
 * page is read while this one is hashed), recomputing every hash; then checks the latest anchor:
 * the chain must reach its seq with its hash there. A row with seq ≤ 0 is bad (the chain starts at 1).
 * When months were archived (audit-archive.ts), the walk starts from the last archive's anchor:
 * the first live entry must follow its seq and hash (each archive file verifies on its own).
 */
export async function verifyAuditChain(pool: pg.Pool, options: VerifyOptions | number = {}): Promise<ChainVerification> {
  const { pageSize = 2_000, anchor = null, keyring = auditKeyring(), start: given, onProgress } = typeof options === "number" ? { pageSize: options } : options;
  const start = given === undefined ? await archivedThrough(pool) : given;
  const archived = start === null ? {} : { archivedThrough: start };
  // Month by month (migration 0018): each month is one run of the chain, and a query naming its
  // month is planned on that partition alone rather than merged across all of them.
  const months = await auditPartitionMonths(pool);
  const page = async (month: string, afterSeq: string | null) => {
    const { rows } = await pool.query<StoredHashesRow>(
      afterSeq === null
        ? `SELECT ${VERIFY_COLUMNS} FROM audit_log WHERE chain_month = $2 ORDER BY seq LIMIT $1`
        : `SELECT ${VERIFY_COLUMNS} FROM audit_log WHERE chain_month = $2 AND seq > $3 ORDER BY seq LIMIT $1`,
      afterSeq === null ? [pageSize, month] : [pageSize, month, afterSeq],
    );
    return { rows: rows.map(auditRow) };
  };
  let expectedSeq = (start?.seq ?? 0) + 1;
  let prevHash = start?.hash ?? GENESIS_HASH;
  let checked = 0;
  let unkeyed = 0;
  let anchorCheck: AnchorCheck | null = anchor === null ? null
    : anchor.valid ? null : { seq: anchor.anchor.seq, at: anchor.anchor.at, status: "invalid", reason: "the anchor's HMAC does not hold (the anchor file was edited, or its key is not held)" };
  let monthIndex = 0;
  const empty = Promise.resolve({ rows: [] as AuditRow[] });
  let next = months.length === 0 ? empty : page(months[0] as string, null);
  for (;;) {
    const { rows } = await next;
    const last = rows.at(-1);
    // The next page is read while this one is hashed: more of this month, or the next month's first.
    const more = rows.length === pageSize && last !== undefined;
    if (!more) monthIndex += 1;
    const done = monthIndex >= months.length;
    if (!done) {
      next = more ? page(months[monthIndex] as string, last.seq) : page(months[monthIndex] as string, null);
      next.catch(() => undefined);
    }
    for (const row of rows) {
      const seq = Number(row.seq);
      const bad = (reason: string): ChainVerification => ({ ok: false, checked, firstBadEntry: { seq, id: row.id, reason }, unkeyed, anchor: anchorCheck, ...archived });
      if (seq <= 0) return bad(`seq ${seq} is not a place in the chain (it starts at 1): a forged entry`);
      if (seq !== expectedSeq) return bad(`sequence gap: expected ${expectedSeq} (an entry was deleted)`);
      if (row.prev_hash !== prevHash) {
        return bad(checked === 0 && start !== null
          ? `prev_hash does not match the anchor of the archive of ${start.month} (seq ${start.seq})`
          : "prev_hash does not match the previous entry (entries deleted or reordered)");
      }
      let key: AuditKey | undefined;
      if (row.key_id === null) {
        if (checked > unkeyed) return bad("an unkeyed entry after keyed ones: forged with a plain hash");
        unkeyed += 1;
      } else {
        key = keyring.key(row.key_id);
        if (key === undefined) return bad(`signed with key ${row.key_id}, which this service does not hold`);
      }
      let payload: string;
      try {
        payload = decodeAuditPayload(row.payload);
      } catch (error) {
        if (!(error instanceof AuditPayloadError)) throw error;
        return bad(`payload cannot be decoded: ${error.message} (entry corrupted or modified)`);
      }
      if (!rowHashMatches({ ...row, payload }, seq, key)) return bad("hash does not match the entry's contents (entry modified, or hashed without the key)");
      if (anchor !== null && anchor.valid && seq === anchor.anchor.seq) {
        anchorCheck = row.hash === anchor.anchor.hash
          ? { seq, at: anchor.anchor.at, status: "matched", reason: null }
          : { seq, at: anchor.anchor.at, status: "rewritten", reason: `the entry at seq ${seq} is not the one anchored at ${anchor.anchor.at}: the chain from there on was rewritten` };
      }
      checked += 1;
      prevHash = row.hash;
      expectedSeq += 1;
    }
    if (rows.length > 0) onProgress?.(checked);
    if (done) break;
  }
  if (anchor !== null && anchor.valid && anchorCheck === null && start !== null && anchor.anchor.seq <= start.seq) {
    // An anchor older than the archived months: the archive's own anchor seals that part of the chain.
    anchorCheck = anchor.anchor.seq < start.seq || anchor.anchor.hash === start.hash
      ? { seq: anchor.anchor.seq, at: anchor.anchor.at, status: "matched", reason: null }
      : { seq: anchor.anchor.seq, at: anchor.anchor.at, status: "rewritten", reason: `the archive of ${start.month} ends at seq ${start.seq} with another hash than the anchor of ${anchor.anchor.at}` };
  }
  if (anchor !== null && anchor.valid && anchorCheck === null) {
    anchorCheck = { seq: anchor.anchor.seq, at: anchor.anchor.at, status: "truncated", reason: `the chain ends at seq ${expectedSeq - 1} but the anchor of ${anchor.anchor.at} records seq ${anchor.anchor.seq}: entries were removed from its end` };
  }
  return { ok: anchorCheck === null || anchorCheck.status === "matched", checked, firstBadEntry: null, unkeyed, anchor: anchorCheck, ...archived };
}

/**
 * True when a row's hash is its contents' hash. The payload is hashed as stored, decoded (the
 * canonical text it was hashed as when appended); a payload stored before it was kept as text
 * (re-encoded by jsonb, before migration 0009) is hashed as its canonical form.
 */
export function rowHashMatches(row: StoredAuditRow, seq: number, key: AuditKey | undefined): boolean {
  const payloadText = row.payload;
  const body = (payload: CanonicalJsonText): HashedEntry => ({
    actor: row.actor, agent: row.agent, at: row.at.toISOString(), id: row.id, keyId: row.key_id, kind: row.kind, node: row.node,
    payload, runId: row.run_id, seq, subjectId: row.subject_id, subjectType: row.subject_type,
  });
  if (entryHash(row.prev_hash, body(new CanonicalJsonText(payloadText)), key) === row.hash) return true;
  let canonical: string;
  try {
    canonical = canonicalJson(JSON.parse(payloadText));
  } catch {
    return false;
  }
  return canonical !== payloadText && entryHash(row.prev_hash, body(new CanonicalJsonText(canonical)), key) === row.hash;
}

/**
 * A row's payload as JSON. A stored payload that cannot be decoded (a corrupted or edited row) is
 * shown as `{ undecodable }` with why, so the log can still be read around it — verify names the
 * entry as the chain's first bad one.
 */
function readablePayload(row: AuditRow): Json {
  try {
    return JSON.parse(decodeAuditPayload(row.payload)) as Json;
  } catch (error) {
    if (!(error instanceof AuditPayloadError) && !(error instanceof SyntaxError)) throw error;
    return { undecodable: `${error.message}; GET /v1/audit/verify names this entry` };
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
    payload: readablePayload(row),
    prevHash: row.prev_hash,
    hash: row.hash,
    keyId: row.key_id,
  };
}
