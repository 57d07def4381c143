/**
 * The audit log by month (migration 0018): a partition per month of appends, made ahead of time,
 * and archival of a month past its retention — exported to a gzipped JSON Lines file with its
 * anchor (the hash before its first entry, and its last entry's seq and hash, signed like the
 * anchors of audit-anchors.ts), the file read back and verified on its own, and only then the
 * archive recorded and the partition detached and dropped, in one transaction, by a database
 * function that checks the record matches the partition. The live chain then verifies from the
 * last archive's anchor (`archivedThrough`). Nothing is dropped without a verified export.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import type pg from "pg";
import type { Logger } from "pino";
import { z } from "zod";
import { withTransaction } from "../db/database.js";
import { AuditAnchor, anchorValid, signAnchor } from "./audit-anchors.js";
import { auditKeyring, type AuditKeyring } from "./audit-keys.js";
import { GENESIS_HASH, appendAuditInTransaction, archivedThrough, auditPartitionMonths, auditRow, hashText, rowHashMatches, type StoredAuditRow, type StoredHashesRow } from "./audit-log.js";
import { decodeAuditPayload } from "./audit-payload.js";
import { canonicalJson } from "./canonical-json.js";

/** The first line of an archive file. */
export const ArchiveHeader = z.object({
  format: z.literal("infusion-rcm audit archive v1"),
  month: z.string().regex(/^\d{4}-\d{2}$/),
  entries: z.number().int().min(0),
  firstSeq: z.number().int().min(1),
  lastSeq: z.number().int().min(0),
  firstPrevHash: z.string(),
  lastHash: z.string(),
  /** The chain's state at the end of the month, signed with the audit key (null for an empty chain). */
  anchor: AuditAnchor.nullable(),
});
export type ArchiveHeader = z.infer<typeof ArchiveHeader>;

/** A recorded archive (table audit_archives). */
export interface AuditArchiveRecord {
  month: string;
  file: string;
  sha256: string;
  bytes: number;
  entries: number;
  firstSeq: number;
  lastSeq: number;
  firstPrevHash: string;
  lastHash: string;
}

/** Months made ahead of the current one (at start and by the retention job). */
export const AUDIT_PARTITIONS_AHEAD = 2;

/** Makes this month's partition and the next `monthsAhead`; returns how many were made. */
export async function ensureAuditPartitions(pool: pg.Pool, monthsAhead = AUDIT_PARTITIONS_AHEAD): Promise<number> {
  const { rows } = await pool.query<{ created: number }>("SELECT audit_log_ensure_partitions($1) AS created", [monthsAhead]);
  return rows[0]?.created ?? 0;
}

/** The months the database holds a partition of (first day, `YYYY-MM-01`), oldest first. */
export const auditMonths = auditPartitionMonths;

/** The recorded archives, oldest first. */
export async function listAuditArchives(pool: pg.Pool): Promise<AuditArchiveRecord[]> {
  const { rows } = await pool.query<{ month: string; file: string; sha256: string; bytes: string; entries: string; first_seq: string; last_seq: string; first_prev_hash: string; last_hash: string }>(
    "SELECT to_char(month, 'YYYY-MM') AS month, file, sha256, bytes, entries, first_seq, last_seq, first_prev_hash, last_hash FROM audit_archives ORDER BY month");
  return rows.map((r) => ({
    month: r.month, file: r.file, sha256: r.sha256, bytes: Number(r.bytes), entries: Number(r.entries),
    firstSeq: Number(r.first_seq), lastSeq: Number(r.last_seq), firstPrevHash: r.first_prev_hash, lastHash: r.last_hash,
  }));
}

/** Options of archiving. */
export interface ArchiveOptions {
  /** The folder archive files are written to. */
  dir: string;
  /** Who archives (the audit entry's actor). */
  actor: string;
  now?: () => Date;
  keyring?: AuditKeyring;
  logger?: Pick<Logger, "info">;
  /** Rows read a page while exporting. */
  pageSize?: number;
  /** Called as each month is archived (before a later one may fail). */
  onArchived?: (record: AuditArchiveRecord) => void;
}

const EXPORT_COLUMNS = "seq, id, at, kind, actor, run_id, agent, node, subject_type, subject_id, payload, prev_hash, hash, key_id";

/** One stored row as one archive line: the entry's fields, its payload as stored (canonical JSON). */
function archiveLine(row: StoredAuditRow): string {
  const fields = {
    seq: Number(row.seq), id: row.id, at: row.at.toISOString(), kind: row.kind, actor: row.actor, runId: row.run_id, agent: row.agent,
    node: row.node, subjectType: row.subject_type, subjectId: row.subject_id, prevHash: row.prev_hash, hash: row.hash, keyId: row.key_id,
  };
  return `${JSON.stringify(fields).slice(0, -1)},"payload":${row.payload}}\n`;
}

/** An archive line read back as a stored row. */
const ArchiveEntry = z.object({
  seq: z.number().int(), id: z.string(), at: z.string(), kind: z.string(), actor: z.string(), runId: z.string().nullable(),
  agent: z.string().nullable(), node: z.string().nullable(), subjectType: z.string().nullable(), subjectId: z.string().nullable(),
  prevHash: z.string(), hash: z.string(), keyId: z.string().nullable(), payload: z.unknown(),
});

/**
 * Archives one month (`YYYY-MM-01`): exports it, verifies the file by reading it back, then in one
 * transaction records the archive, drops the partition (the database function re-checks the
 * record against the partition) and appends an `audit.archived` entry. Throws, keeping the
 * partition, when the file cannot be written or does not verify.
 */
export async function archiveAuditMonth(pool: pg.Pool, month: string, options: ArchiveOptions): Promise<AuditArchiveRecord> {
  const keyring = options.keyring ?? auditKeyring();
  const now = options.now ?? (() => new Date());
  const pageSize = options.pageSize ?? 2_000;
  const label = month.slice(0, 7);
  const start = await archivedThrough(pool);
  const firstPrevHash = start?.hash ?? GENESIS_HASH;
  const { rows: [span] } = await pool.query<{ n: string; lo: string | null; hi: string | null }>(
    "SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM audit_log WHERE chain_month = $1", [month]);
  const entries = Number(span?.n ?? 0);
  const firstSeq = (start?.seq ?? 0) + 1;
  const lastSeq = entries === 0 ? firstSeq - 1 : Number(span?.hi);
  const { rows: [last] } = await pool.query<{ hash: Buffer }>("SELECT hash FROM audit_log WHERE chain_month = $1 AND seq = $2", [month, lastSeq]);
  const lastHash = entries === 0 ? firstPrevHash : (last === undefined ? "" : hashText(last.hash));
  const header: ArchiveHeader = {
    format: "infusion-rcm audit archive v1", month: label, entries, firstSeq, lastSeq, firstPrevHash, lastHash,
    anchor: lastSeq === 0 ? null : signAnchor({ seq: lastSeq, hash: lastHash }, now(), keyring),
  };

  const file = path.resolve(options.dir, `audit-${label}.jsonl.gz`);
  const partial = `${file}.partial`;
  async function* lines(): AsyncGenerator<string> {
    yield `${JSON.stringify(header)}\n`;
    let after = 0;
    for (;;) {
      const { rows } = await pool.query<StoredHashesRow>(
        `SELECT ${EXPORT_COLUMNS} FROM audit_log WHERE chain_month = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [month, after, pageSize]);
      // Written decoded (audit-payload.ts): an archive is read without the service's dictionary; hashes as hex, as the chain writes them.
      for (const row of rows) yield archiveLine({ ...auditRow(row), payload: decodeAuditPayload(row.payload) });
      if (rows.length < pageSize) return;
      after = Number(rows.at(-1)?.seq);
    }
  }
  try {
    await mkdir(options.dir, { recursive: true });
    await pipeline(Readable.from(lines()), createGzip(), createWriteStream(partial, { flags: "w", mode: 0o640 }));
    const handle = await open(partial, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true }).catch(() => undefined);
    throw new Error(`audit month ${label} was not archived: the export could not be written (${(error as Error).message}); the month is kept`, { cause: error });
  }

  // Read back: the file must verify on its own and be exactly what the database holds.
  const check = await verifyAuditArchive(file, keyring);
  if (!check.ok || check.header === null || check.header.entries !== entries || check.header.lastHash !== lastHash || check.header.firstPrevHash !== firstPrevHash) {
    // Kept for whoever investigates, under a name no one takes for an archive.
    await rename(file, `${file}.unverified`).catch(() => undefined);
    throw new Error(`audit month ${label} was not archived: the export does not verify (${check.reason ?? "it does not match the database"}); the month is kept`);
  }
  const record: AuditArchiveRecord = {
    month: label, file, sha256: check.sha256, bytes: (await stat(file)).size, entries, firstSeq, lastSeq, firstPrevHash, lastHash,
  };
  await withTransaction(pool, async (client) => {
    // The chain's lock first: the archive entry is appended after the drop, in this transaction.
    await client.query("SET LOCAL lock_timeout = '10s'");
    await client.query(
      `INSERT INTO audit_archives (month, file, sha256, bytes, entries, first_seq, last_seq, first_prev_hash, last_hash, archived_at, archived_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [month, file, record.sha256, record.bytes, entries, firstSeq, lastSeq, firstPrevHash, lastHash, now(), options.actor]);
    await client.query("SELECT audit_log_drop_archived_month($1)", [month]);
    await appendAuditInTransaction(client, [{
      kind: "audit.archived", actor: options.actor,
      payload: { month: label, file: path.basename(file), sha256: record.sha256, entries, firstSeq, lastSeq, firstPrevHash, lastHash },
    }], now);
  });
  options.logger?.info({ month: label, entries, firstSeq, lastSeq, file }, "audit month archived");
  return record;
}

/** Months whose partitions are past `retainMonths` as of `now` (their last day ended that many months ago), oldest first. */
export function expiredMonths(months: string[], retainMonths: number, now: Date): string[] {
  const cutoff = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - retainMonths, 1)).toISOString().slice(0, 10);
  return months.filter((m) => m < cutoff);
}

/** Archives every month past `retainMonths`, oldest first; stops at the first that fails (the rest wait). */
export async function archiveExpiredAuditMonths(pool: pg.Pool, retainMonths: number, options: ArchiveOptions): Promise<AuditArchiveRecord[]> {
  const now = options.now ?? (() => new Date());
  const archived: AuditArchiveRecord[] = [];
  for (const month of expiredMonths(await auditMonths(pool), retainMonths, now())) {
    const record = await archiveAuditMonth(pool, month, options);
    options.onArchived?.(record);
    archived.push(record);
  }
  return archived;
}

/** What verifying an archive file found. */
export interface ArchiveVerification {
  ok: boolean;
  file: string;
  sha256: string;
  header: ArchiveHeader | null;
  checked: number;
  /** Why it does not verify (the first problem); null when it does. */
  reason: string | null;
}

/**
 * Verifies an archive file on its own: its header and anchor (the anchor's HMAC under a key the
 * keyring holds), then every entry in order — seq without gaps from the header's first, each
 * prev hash the one before (the first: the header's), each hash recomputed — ending at the
 * anchor's seq and hash. Streams the file (bounded memory).
 */
export async function verifyAuditArchive(file: string, keyring: AuditKeyring = auditKeyring()): Promise<ArchiveVerification> {
  const digest = createHash("sha256");
  const raw = createReadStream(file);
  raw.on("data", (chunk) => digest.update(chunk));
  const gunzip = raw.pipe(createGunzip());
  raw.on("error", (error) => gunzip.destroy(error));
  const reader = createInterface({ input: gunzip, crlfDelay: Infinity });
  let header: ArchiveHeader | null = null;
  let checked = 0;
  let expectedSeq = 0;
  let prevHash = "";
  let reason: string | null = null;
  try {
    for await (const line of reader) {
      if (line === "") continue;
      if (header === null) {
        const parsed = ArchiveHeader.safeParse(JSON.parse(line));
        if (!parsed.success) {
          reason = "the first line is not an archive header";
          break;
        }
        header = parsed.data;
        if (header.anchor !== null && (header.anchor.seq !== header.lastSeq || header.anchor.hash !== header.lastHash)) {
          reason = "the anchor does not name the archive's last entry";
          break;
        }
        if (header.anchor !== null && !anchorValid(header.anchor, keyring)) {
          reason = "the anchor's HMAC does not hold (the archive was edited, or its key is not held)";
          break;
        }
        expectedSeq = header.firstSeq;
        prevHash = header.firstPrevHash;
        continue;
      }
      const entry = ArchiveEntry.parse(JSON.parse(line));
      if (entry.seq !== expectedSeq) {
        reason = `sequence gap at seq ${entry.seq}: expected ${expectedSeq}`;
        break;
      }
      if (entry.prevHash !== prevHash) {
        reason = `seq ${entry.seq}: prev_hash does not match the previous entry`;
        break;
      }
      const key = entry.keyId === null ? undefined : keyring.key(entry.keyId);
      if (entry.keyId !== null && key === undefined) {
        reason = `seq ${entry.seq}: signed with key ${entry.keyId}, which is not held`;
        break;
      }
      const row: StoredAuditRow = {
        seq: String(entry.seq), id: entry.id, at: new Date(entry.at), kind: entry.kind, actor: entry.actor, run_id: entry.runId,
        agent: entry.agent, node: entry.node, subject_type: entry.subjectType, subject_id: entry.subjectId,
        payload: canonicalJson(entry.payload as never), prev_hash: entry.prevHash, hash: entry.hash, key_id: entry.keyId,
      };
      if (!rowHashMatches(row, entry.seq, key)) {
        reason = `seq ${entry.seq}: hash does not match the entry's contents`;
        break;
      }
      prevHash = entry.hash;
      expectedSeq += 1;
      checked += 1;
    }
  } catch (error) {
    reason = `the file cannot be read as an archive (${(error as Error).message})`;
  } finally {
    reader.close();
    raw.destroy();
  }
  if (reason === null) {
    if (header === null) reason = "the file is empty";
    else if (checked !== header.entries || expectedSeq - 1 !== header.lastSeq || prevHash !== header.lastHash) {
      reason = `the archive ends at seq ${expectedSeq - 1} after ${checked} entries, but its anchor records seq ${header.lastSeq} (${header.entries} entries): entries were removed`;
    }
  }
  return { ok: reason === null, file, sha256: reason === null ? digest.digest("hex") : "", header, checked, reason };
}
