/**
 * Retention: what the service deletes, when, and what it never deletes (README, "Retention").
 * One pass, run by the pg-boss cron schedule (once across instances) or by hand
 * (`infusion-rcm retention run`):
 * - checkpoints of finished runs (completed or failed) past their window: reduced to each thread's
 *   last checkpoint (or removed); a waiting or running run's checkpoints are never touched, so it
 *   stays resumable;
 * - superseded review items past their window (never a pending or decided one);
 * - finished runs past their window, with their checkpoints, unless a review item (decided or
 *   not) or an executed action names them: those stay to answer an auditor next to the audit log;
 * - completed sweeps past their window, with their items (the checks they made stay);
 * - console sessions ended (sign-out, disabled user, password reset), expired or idle past their
 *   window (the sign-ins and sign-outs stay in the audit log);
 * - the audit log: next months' partitions made, months past their retention archived with their
 *   anchor and dropped (audit-archive.ts), never without a verified export.
 * Deletes go in bounded batches, each its own short transaction (no long locks). Counts are logged
 * (no PHI) and one `retention.pruned` audit entry records what the pass did.
 */
import type pg from "pg";
import type { Logger } from "pino";
import { withTransaction } from "../db/database.js";
import { archiveExpiredAuditMonths, ensureAuditPartitions, type AuditArchiveRecord } from "../governance/audit-archive.js";
import { appendAudit } from "../governance/audit-log.js";
import type { Config } from "../config.js";

/** The pg-boss queue of the scheduled pass (RETENTION_CRON). */
export const RETENTION_QUEUE = "retention";

/** A pass's dependencies from the service's configuration. */
export function retentionDeps(config: Config, pool: pg.Pool, now: () => Date, logger: Pick<Logger, "info" | "error"> | undefined, actor: string): RetentionDeps {
  const r = config.retention;
  return {
    pool, now, logger, actor,
    settings: {
      checkpoints: r.checkpoints, supersededReviewsDays: r.supersededReviewsDays, runsDays: r.runsDays, sweepsDays: r.sweepsDays,
      consoleSessionsDays: r.consoleSessionsDays,
      auditRetainMonths: r.auditRetainMonths, auditArchiveDir: r.auditArchiveDir, batchSize: r.batchSize,
    },
  };
}

/** How long each kind of data is kept (days unless named otherwise). */
export interface RetentionSettings {
  /** Finished runs' checkpoints: after `afterDays`, keep each thread's last checkpoint, or none. */
  checkpoints: { afterDays: number; keep: "last" | "none" };
  supersededReviewsDays: number;
  runsDays: number;
  sweepsDays: number;
  /** Console sessions ended, expired or last seen this many days ago (default 30). */
  consoleSessionsDays?: number;
  /** Audit months kept in the database; older ones are archived to `auditArchiveDir`. */
  auditRetainMonths: number;
  auditArchiveDir: string;
  /** Rows (or runs, for checkpoints) deleted per transaction. */
  batchSize: number;
}

/** What one pass did. */
export interface RetentionReport {
  checkpoints: { runs: number; checkpoints: number; writes: number; blobs: number };
  supersededReviewItems: number;
  runs: number;
  sweeps: number;
  sweepItems: number;
  consoleSessions: number;
  auditPartitionsCreated: number;
  auditMonthsArchived: Pick<AuditArchiveRecord, "month" | "entries" | "firstSeq" | "lastSeq" | "sha256">[];
  /** Why an expired audit month was not archived (it is kept, and tried again next pass); null when none failed. */
  auditArchiveError: string | null;
}

/** What a pass runs with. */
export interface RetentionDeps {
  pool: pg.Pool;
  settings: RetentionSettings;
  now: () => Date;
  logger?: Pick<Logger, "info" | "error">;
  /** Who runs it (the audit entry's actor): `schedule:retention`, `cli` … */
  actor: string;
}

const FINISHED = "('completed', 'failed')";

/** Runs one retention pass; see the module comment. */
export async function runRetention(deps: RetentionDeps): Promise<RetentionReport> {
  const { pool, settings, now, logger, actor } = deps;
  const day = (days: number) => new Date(now().getTime() - days * 86_400_000);
  const report: RetentionReport = {
    checkpoints: { runs: 0, checkpoints: 0, writes: 0, blobs: 0 },
    supersededReviewItems: 0, runs: 0, sweeps: 0, sweepItems: 0, consoleSessions: 0, auditPartitionsCreated: 0, auditMonthsArchived: [], auditArchiveError: null,
  };
  const hasCheckpoints = (await pool.query<{ present: boolean }>("SELECT to_regclass('checkpoints') IS NOT NULL AS present")).rows[0]?.present === true;

  report.auditPartitionsCreated = await ensureAuditPartitions(pool);

  if (hasCheckpoints) {
    const cutoff = day(settings.checkpoints.afterDays);
    // Runs with something left to prune: any checkpoint (keep none), or more than one in a namespace (keep last).
    const prunable = settings.checkpoints.keep === "none"
      ? "EXISTS (SELECT 1 FROM checkpoints c WHERE c.thread_id = r.id)"
      : "EXISTS (SELECT 1 FROM checkpoints c WHERE c.thread_id = r.id GROUP BY c.checkpoint_ns HAVING count(*) > 1)";
    let after = "";
    for (;;) {
      const { rows } = await pool.query<{ id: string }>(
        `SELECT r.id FROM runs r WHERE r.status IN ${FINISHED} AND r.updated_at < $1 AND r.id > $2 AND ${prunable} ORDER BY r.id LIMIT $3`,
        [cutoff, after, settings.batchSize]);
      if (rows.length === 0) break;
      const ids = rows.map((r) => r.id);
      const counts = await withTransaction(pool, (client) => deleteCheckpoints(client, ids, settings.checkpoints.keep));
      report.checkpoints.runs += ids.length;
      report.checkpoints.checkpoints += counts.checkpoints;
      report.checkpoints.writes += counts.writes;
      report.checkpoints.blobs += counts.blobs;
      after = ids.at(-1) as string;
    }
  }

  // Superseded items nobody's `superseded_by` names (an older item superseded by this one goes first).
  report.supersededReviewItems = await deleteInBatches(pool, settings.batchSize,
    `DELETE FROM review_items WHERE id IN (
       SELECT r.id FROM review_items r WHERE r.status = 'superseded' AND r.superseded_at < $1
          AND NOT EXISTS (SELECT 1 FROM review_items o WHERE o.superseded_by = r.id)
        ORDER BY r.superseded_at LIMIT $2)`, [day(settings.supersededReviewsDays)]);

  // Finished runs no review item or action names, with their checkpoints.
  for (;;) {
    const { rows } = await pool.query<{ id: string }>(
      `SELECT r.id FROM runs r WHERE r.status IN ${FINISHED} AND r.updated_at < $1
          AND NOT EXISTS (SELECT 1 FROM review_items i WHERE i.run_id = r.id)
          AND NOT EXISTS (SELECT 1 FROM review_items i WHERE i.superseded_by_run = r.id)
          AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.run_id = r.id)
        ORDER BY r.updated_at LIMIT $2`, [day(settings.runsDays), settings.batchSize]);
    if (rows.length === 0) break;
    const ids = rows.map((r) => r.id);
    await withTransaction(pool, async (client) => {
      if (hasCheckpoints) await deleteCheckpoints(client, ids, "none");
      report.runs += (await client.query("DELETE FROM runs WHERE id = ANY($1)", [ids])).rowCount ?? 0;
    });
    if (rows.length < settings.batchSize) break;
  }

  const sweepCutoff = day(settings.sweepsDays);
  report.sweepItems = await deleteInBatches(pool, settings.batchSize,
    `DELETE FROM sweep_items WHERE (sweep_id, appointment_id) IN (
       SELECT i.sweep_id, i.appointment_id FROM sweep_items i JOIN sweeps s ON s.id = i.sweep_id
        WHERE s.status = 'completed' AND s.finished_at < $1 LIMIT $2)`, [sweepCutoff]);
  report.sweeps = await deleteInBatches(pool, settings.batchSize,
    `DELETE FROM sweeps WHERE id IN (
       SELECT s.id FROM sweeps s WHERE s.status = 'completed' AND s.finished_at < $1
          AND NOT EXISTS (SELECT 1 FROM sweep_items i WHERE i.sweep_id = s.id) LIMIT $2)`, [sweepCutoff]);

  // A session past its idle timeout for days is as dead as one that ended; none of them opens anything.
  report.consoleSessions = await deleteInBatches(pool, settings.batchSize,
    `DELETE FROM user_sessions WHERE token_hash IN (
       SELECT token_hash FROM user_sessions WHERE ended_at < $1 OR expires_at < $1 OR last_seen_at < $1 LIMIT $2)`,
    [day(settings.consoleSessionsDays ?? 30)]);

  // A month that cannot be archived stays (and is tried again next pass); what was pruned is still recorded.
  const archived: AuditArchiveRecord[] = [];
  try {
    await archiveExpiredAuditMonths(pool, settings.auditRetainMonths, { dir: settings.auditArchiveDir, actor, now, logger, onArchived: (a) => archived.push(a) });
  } catch (error) {
    report.auditArchiveError = (error as Error).message;
    logger?.error({ err: { message: report.auditArchiveError } }, "an expired audit month was not archived; it is kept");
  }
  report.auditMonthsArchived = archived.map(({ month, entries, firstSeq, lastSeq, sha256 }) => ({ month, entries, firstSeq, lastSeq, sha256 }));

  await appendAudit(pool, [{ kind: "retention.pruned", actor, payload: { ...report, settings: {
    checkpoints: settings.checkpoints, supersededReviewsDays: settings.supersededReviewsDays, runsDays: settings.runsDays,
    sweepsDays: settings.sweepsDays, consoleSessionsDays: settings.consoleSessionsDays ?? 30, auditRetainMonths: settings.auditRetainMonths,
  } } }], now);
  logger?.info({ retention: report }, "retention pass done");
  return report;
}

/** Runs a `DELETE … LIMIT $2` statement (first parameters `params`) until it deletes fewer than a batch; returns the rows deleted. */
async function deleteInBatches(pool: pg.Pool, batchSize: number, sql: string, params: unknown[]): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = (await pool.query(sql, [...params, batchSize])).rowCount ?? 0;
    total += deleted;
    if (deleted === 0) return total;
  }
}

/**
 * Deletes runs' checkpoints (LangGraph's tables, keyed by thread id = run id): all of them, or all
 * but each namespace's last checkpoint, the writes pending on it and the channel blobs it names
 * (its `channel_versions`), so the run's final state still reads back.
 */
async function deleteCheckpoints(client: pg.PoolClient, ids: string[], keep: "last" | "none"): Promise<{ checkpoints: number; writes: number; blobs: number }> {
  if (keep === "none") {
    const writes = await client.query("DELETE FROM checkpoint_writes WHERE thread_id = ANY($1)", [ids]);
    const blobs = await client.query("DELETE FROM checkpoint_blobs WHERE thread_id = ANY($1)", [ids]);
    const checkpoints = await client.query("DELETE FROM checkpoints WHERE thread_id = ANY($1)", [ids]);
    return { checkpoints: checkpoints.rowCount ?? 0, writes: writes.rowCount ?? 0, blobs: blobs.rowCount ?? 0 };
  }
  const latest = `latest AS (
    SELECT DISTINCT ON (thread_id, checkpoint_ns) thread_id, checkpoint_ns, checkpoint_id, checkpoint
      FROM checkpoints WHERE thread_id = ANY($1) ORDER BY thread_id, checkpoint_ns, checkpoint_id DESC)`;
  const writes = await client.query(
    `WITH ${latest} DELETE FROM checkpoint_writes w WHERE w.thread_id = ANY($1) AND NOT EXISTS (
       SELECT 1 FROM latest l WHERE l.thread_id = w.thread_id AND l.checkpoint_ns = w.checkpoint_ns AND l.checkpoint_id = w.checkpoint_id)`, [ids]);
  const blobs = await client.query(
    `WITH ${latest} DELETE FROM checkpoint_blobs b WHERE b.thread_id = ANY($1) AND NOT EXISTS (
       SELECT 1 FROM latest l WHERE l.thread_id = b.thread_id AND l.checkpoint_ns = b.checkpoint_ns
          AND l.checkpoint -> 'channel_versions' ->> b.channel = b.version)`, [ids]);
  const checkpoints = await client.query(
    `WITH ${latest} DELETE FROM checkpoints c WHERE c.thread_id = ANY($1) AND NOT EXISTS (
       SELECT 1 FROM latest l WHERE l.thread_id = c.thread_id AND l.checkpoint_ns = c.checkpoint_ns AND l.checkpoint_id = c.checkpoint_id)`, [ids]);
  return { checkpoints: checkpoints.rowCount ?? 0, writes: writes.rowCount ?? 0, blobs: blobs.rowCount ?? 0 };
}
