/**
 * The sweep tables (`sweeps`, `sweep_items`): creating a sweep with its items, recording each
 * item's attempts and runs, and closing the sweep once no item is queued.
 */
import type pg from "pg";
import { z } from "zod";
import type { DispatchedRun } from "../orchestration/work-router.js";

type Queryable = Pick<pg.Pool, "query">;

/** manual, daily and recheck sweeps run the pre-service agents on appointments; a pre-bill pass runs the pre-bill agent on past visits. */
export const SweepKind = z.enum(["manual", "daily", "recheck", "pre-bill"]);
export type SweepKind = z.infer<typeof SweepKind>;

/** One appointment a sweep checks. */
export interface SweepTarget {
  appointmentId: string;
  dateOfService: string;
}

/** A sweep row as the API shows it. */
export const SweepSummary = z.object({
  id: z.string(),
  kind: SweepKind,
  from: z.iso.date(),
  to: z.iso.date(),
  status: z.enum(["running", "completed"]),
  total: z.number().int(),
  requestedBy: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  items: z.object({ queued: z.number().int(), done: z.number().int(), failed: z.number().int() }).describe("Appointments by job status"),
});
export type SweepSummary = z.infer<typeof SweepSummary>;

/** An item's state when a job attempt starts. */
export interface ItemAttempt {
  status: "queued" | "done" | "failed";
  attempts: number;
  runs: DispatchedRun[] | null;
}

const SUMMARY_SQL = `
  SELECT s.id, s.kind, to_char(s.from_date, 'YYYY-MM-DD') AS "from", to_char(s.to_date, 'YYYY-MM-DD') AS "to", s.status, s.total,
         s.requested_by, s.created_at, s.finished_at,
         count(*) FILTER (WHERE i.status = 'queued')::int AS queued, count(*) FILTER (WHERE i.status = 'done')::int AS done,
         count(*) FILTER (WHERE i.status = 'failed')::int AS failed
  FROM sweeps s LEFT JOIN sweep_items i ON i.sweep_id = s.id`;

interface SummaryRow {
  id: string; kind: SweepKind; from: string; to: string; status: "running" | "completed"; total: number; requested_by: string;
  created_at: Date; finished_at: Date | null; queued: number; done: number; failed: number;
}

function toSummary(r: SummaryRow): SweepSummary {
  return {
    id: r.id, kind: r.kind, from: r.from, to: r.to, status: r.status, total: r.total, requestedBy: r.requested_by,
    createdAt: r.created_at.toISOString(), finishedAt: r.finished_at?.toISOString() ?? null,
    items: { queued: r.queued, done: r.done, failed: r.failed },
  };
}

/**
 * Inserts a sweep and its items; false when a sweep with this id already exists (a repeated
 * scheduled sweep), in which case nothing is written.
 */
export async function insertSweep(
  db: Queryable,
  sweep: { id: string; kind: SweepKind; from: string; to: string; requestedBy: string; now: Date },
  targets: SweepTarget[],
): Promise<boolean> {
  const inserted = await db.query(
    `INSERT INTO sweeps (id, kind, from_date, to_date, status, total, requested_by, created_at, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
    [sweep.id, sweep.kind, sweep.from, sweep.to, targets.length === 0 ? "completed" : "running", targets.length, sweep.requestedBy,
      sweep.now, targets.length === 0 ? sweep.now : null],
  );
  if (inserted.rowCount === 0) return false;
  if (targets.length > 0) {
    await db.query(
      `INSERT INTO sweep_items (sweep_id, appointment_id, date_of_service, status, updated_at)
       SELECT $1, t.appointment_id, t.date_of_service::date, 'queued', $4
       FROM unnest($2::text[], $3::text[]) AS t(appointment_id, date_of_service)`,
      [sweep.id, targets.map((t) => t.appointmentId), targets.map((t) => t.dateOfService), sweep.now],
    );
  }
  return true;
}

/** Counts an attempt on each item and returns their states before the attempt, by appointment (missing: no such item). */
export async function beginAttempts(db: Queryable, sweepId: string, appointmentIds: string[], now: Date): Promise<Map<string, ItemAttempt>> {
  const { rows } = await db.query<ItemAttempt & { appointment_id: string }>(
    `UPDATE sweep_items SET attempts = attempts + 1, updated_at = $3 WHERE sweep_id = $1 AND appointment_id = ANY($2)
     RETURNING appointment_id, status, attempts, runs`,
    [sweepId, appointmentIds, now],
  );
  return new Map(rows.map(({ appointment_id, ...item }) => [appointment_id, item]));
}

/** What one attempt on an item came to. */
export interface AttemptResult {
  appointmentId: string;
  status: "queued" | "done" | "failed";
  runs: DispatchedRun[] | null;
  error: string | null;
}

/** Records attempts' runs (and errors) and resulting statuses in one statement; closes the sweep when nothing is queued. */
export async function recordAttempts(db: Queryable, sweepId: string, results: AttemptResult[], now: Date): Promise<void> {
  if (results.length === 0) return;
  await db.query(
    `UPDATE sweep_items i SET status = r.status, runs = COALESCE(r.runs::jsonb, i.runs), error = r.error, updated_at = $5
     FROM unnest($2::text[], $3::text[], $4::text[], $6::text[]) AS r(appointment_id, status, runs, error)
     WHERE i.sweep_id = $1 AND i.appointment_id = r.appointment_id`,
    [sweepId, results.map((r) => r.appointmentId), results.map((r) => r.status), results.map((r) => (r.runs === null ? null : JSON.stringify(r.runs))), now,
      results.map((r) => r.error)],
  );
  if (results.some((r) => r.status !== "queued")) {
    await db.query(
      `UPDATE sweeps SET status = 'completed', finished_at = $2 WHERE id = $1 AND status = 'running'
       AND NOT EXISTS (SELECT 1 FROM sweep_items WHERE sweep_id = $1 AND status = 'queued')`,
      [sweepId, now],
    );
  }
}

/** A sweep with item counts, or null. */
export async function getSweepSummary(db: Queryable, id: string): Promise<SweepSummary | null> {
  const { rows } = await db.query<SummaryRow>(`${SUMMARY_SQL} WHERE s.id = $1 GROUP BY s.id`, [id]);
  return rows[0] === undefined ? null : toSummary(rows[0]);
}

/** The most recent sweeps, newest first. */
export async function listSweeps(db: Queryable, limit: number): Promise<SweepSummary[]> {
  const { rows } = await db.query<SummaryRow>(`${SUMMARY_SQL} GROUP BY s.id ORDER BY s.created_at DESC, s.id LIMIT $1`, [limit]);
  return rows.map(toSummary);
}

/** Queued items of running sweeps (to re-enqueue at start if their jobs are gone). */
export async function queuedItems(db: Queryable): Promise<{ sweepId: string; appointmentId: string; kind: SweepKind }[]> {
  const { rows } = await db.query<{ sweep_id: string; appointment_id: string; kind: SweepKind }>(
    `SELECT i.sweep_id, i.appointment_id, s.kind FROM sweep_items i JOIN sweeps s ON s.id = i.sweep_id
     WHERE s.status = 'running' AND i.status = 'queued' ORDER BY i.sweep_id, i.appointment_id`,
  );
  return rows.map((r) => ({ sweepId: r.sweep_id, appointmentId: r.appointment_id, kind: r.kind }));
}

/**
 * The checks a sweep already has of some of its appointments, with the run that made each (its
 * status now): a retried job starts no run for what was checked — a check is written only with
 * its run's end (migration 0017), so one here means the run ended, even if its job never settled.
 */
export async function sweepChecks(db: Queryable, sweepId: string, appointmentIds: string[]): Promise<{ agent: string; appointmentId: string; run: DispatchedRun }[]> {
  const { rows } = await db.query<{ agent: string; appointment_id: string; run_id: string; status: string | null }>(
    `SELECT c.agent, c.appointment_id, c.run_id, r.status FROM pre_service_checks c LEFT JOIN runs r ON r.id = c.run_id
     WHERE c.sweep_id = $1 AND c.appointment_id = ANY($2)`,
    [sweepId, appointmentIds],
  );
  return rows.map((r) => ({ agent: r.agent, appointmentId: r.appointment_id, run: { agent: r.agent, runId: r.run_id, status: r.status ?? "unknown" } }));
}
