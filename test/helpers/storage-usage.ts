/**
 * What the database holds, per table, measured two ways (used by `npm run bench:storage` and the
 * storage budget tests):
 * - on disk: `pg_total_relation_size` (heap, TOAST, free-space and visibility maps, indexes) summed
 *   over the table's partitions (pg-boss keeps one partition per queue), after a VACUUM;
 * - rows: `sum(pg_column_size(t.*))`, the bytes of the live rows as stored (compressed values
 *   counted compressed; no page, index or dead-row overhead).
 */
import type pg from "pg";

/** The tables a pre-service sweep writes to, as the report names them. */
export const SWEEP_TABLES = [
  "audit_log", "review_items", "checkpoints", "checkpoint_blobs", "checkpoint_writes", "runs", "pre_service_checks",
  "sweep_items", "sweeps", "actions", "pgboss.job", "pgboss.archive",
] as const;
export type SweepTable = (typeof SWEEP_TABLES)[number];

/** The LangGraph checkpointer's tables. */
export const CHECKPOINT_TABLES: readonly SweepTable[] = ["checkpoints", "checkpoint_blobs", "checkpoint_writes"];

/** Bytes per table. */
export type TableBytes = Record<SweepTable, { disk: number; rows: number }>;

/** Sizes of every sweep table now (a table that does not exist counts 0). */
export async function tableBytes(pool: pg.Pool): Promise<TableBytes> {
  const out = {} as TableBytes;
  for (const table of SWEEP_TABLES) {
    const { rows: [exists] } = await pool.query<{ oid: string | null }>("SELECT to_regclass($1)::text AS oid", [table]);
    if (exists?.oid == null) {
      out[table] = { disk: 0, rows: 0 };
      continue;
    }
    const { rows: [size] } = await pool.query<{ disk: string; rows: string }>(
      // pg_partition_tree lists nothing for a table that is neither partitioned nor a partition.
      `SELECT coalesce((SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree($1::regclass)), pg_total_relation_size($1::regclass)) AS disk,
              (SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM ${table} t) AS rows`, [table]);
    out[table] = { disk: Number(size?.disk ?? 0), rows: Number(size?.rows ?? 0) };
  }
  return out;
}

/** VACUUM (and ANALYZE) every sweep table that exists, so dead rows' space is reusable and the maps are current. */
export async function vacuumSweepTables(pool: pg.Pool, full = false): Promise<void> {
  for (const table of SWEEP_TABLES) {
    const { rows: [exists] } = await pool.query<{ oid: string | null }>("SELECT to_regclass($1)::text AS oid", [table]);
    if (exists?.oid != null) await pool.query(`VACUUM ${full ? "FULL " : ""}ANALYZE ${table}`);
  }
}

/** `after` − `before`, per table. */
export function bytesDelta(before: TableBytes, after: TableBytes): TableBytes {
  const out = {} as TableBytes;
  for (const table of SWEEP_TABLES) out[table] = { disk: after[table].disk - before[table].disk, rows: after[table].rows - before[table].rows };
  return out;
}

/** Row bytes of the checkpoints of finished (completed or failed) runs: what retention prunes. */
export async function finishedRunCheckpointBytes(pool: pg.Pool): Promise<number> {
  let total = 0;
  for (const table of CHECKPOINT_TABLES) {
    const { rows: [r] } = await pool.query<{ b: string }>(
      `SELECT coalesce(sum(pg_column_size(t.*)), 0) AS b FROM ${table} t JOIN runs r ON r.id = t.thread_id WHERE r.status IN ('completed', 'failed')`);
    total += Number(r?.b ?? 0);
  }
  return total;
}

/** Deletes the checkpoints of finished runs (as retention will) and compacts the checkpoint tables. */
export async function pruneFinishedRunCheckpoints(pool: pg.Pool): Promise<void> {
  for (const table of CHECKPOINT_TABLES) {
    await pool.query(`DELETE FROM ${table} t USING runs r WHERE r.id = t.thread_id AND r.status IN ('completed', 'failed')`);
    await pool.query(`VACUUM FULL ANALYZE ${table}`);
  }
}
