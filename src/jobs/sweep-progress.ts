/**
 * A sweep's progress and what it found: items by job status, the runs it started by their
 * current status (a run waiting for a person turns completed once staff decide), appointments
 * with exceptions by reason and the patient estimates produced (at least one priced line), stale
 * and unpriced, from the checks the agents recorded for the sweep (the latest check per
 * appointment and agent).
 */
import type pg from "pg";
import { z } from "zod";
import { SweepSummary, getSweepSummary } from "./sweep-store.js";

/** What a sweep found so far. */
export const SweepResults = z.object({
  runs: z.object({ running: z.number().int(), waiting: z.number().int(), completed: z.number().int(), failed: z.number().int() })
    .describe("Agent runs the sweep started, by current status (waiting = a review item is with staff)"),
  appointmentsWithExceptions: z.number().int().describe("Appointments whose latest check by some agent found an exception"),
  exceptionsByReason: z.record(z.string(), z.number().int()).describe("Appointments per exception reason"),
  estimatesProduced: z.number().int().describe("Appointments with a patient estimate that priced at least one drug line"),
  estimatesStale: z.number().int().describe("Of those, estimates priced from an earlier quarter's ASP file (the quarter in force is not loaded)"),
  estimatesUnpriced: z.number().int().describe("Appointments with an estimate that priced no line (not counted as produced)"),
});
export type SweepResults = z.infer<typeof SweepResults>;

/** A sweep with its progress and results. */
export const SweepProgress = SweepSummary.extend({ results: SweepResults });
export type SweepProgress = z.infer<typeof SweepProgress>;

const LATEST_CHECKS = `
  WITH latest AS (
    SELECT DISTINCT ON (appointment_id, agent) appointment_id, agent, reasons, estimate_status
    FROM pre_service_checks WHERE sweep_id = $1
    ORDER BY appointment_id, agent, checked_at DESC, id DESC
  )`;

/** Reads the results of a sweep. */
export async function sweepResults(db: Pick<pg.Pool, "query">, sweepId: string): Promise<SweepResults> {
  const runs = await db.query<{ status: keyof SweepResults["runs"]; n: number }>(
    `SELECT r.status, count(DISTINCT r.id)::int AS n
     FROM sweep_items i CROSS JOIN LATERAL jsonb_array_elements(COALESCE(i.runs, '[]'::jsonb)) AS x(run)
     JOIN runs r ON r.id = x.run->>'runId'
     WHERE i.sweep_id = $1 GROUP BY r.status`,
    [sweepId],
  );
  const reasons = await db.query<{ reason: string; n: number }>(
    `${LATEST_CHECKS} SELECT reason, count(DISTINCT appointment_id)::int AS n FROM latest, unnest(reasons) AS reason GROUP BY reason ORDER BY reason`,
    [sweepId],
  );
  const totals = await db.query<{ exceptions: number; estimates: number; stale: number; unpriced: number }>(
    `${LATEST_CHECKS} SELECT count(DISTINCT appointment_id) FILTER (WHERE cardinality(reasons) > 0)::int AS exceptions,
       count(DISTINCT appointment_id) FILTER (WHERE agent = 'eligibility' AND estimate_status IN ('priced', 'stale'))::int AS estimates,
       count(DISTINCT appointment_id) FILTER (WHERE agent = 'eligibility' AND estimate_status = 'stale')::int AS stale,
       count(DISTINCT appointment_id) FILTER (WHERE agent = 'eligibility' AND estimate_status = 'unpriced')::int AS unpriced
     FROM latest`,
    [sweepId],
  );
  const byStatus = { running: 0, waiting: 0, completed: 0, failed: 0 };
  for (const r of runs.rows) byStatus[r.status] = r.n;
  return {
    runs: byStatus,
    appointmentsWithExceptions: totals.rows[0]?.exceptions ?? 0,
    exceptionsByReason: Object.fromEntries(reasons.rows.map((r) => [r.reason, r.n])),
    estimatesProduced: totals.rows[0]?.estimates ?? 0,
    estimatesStale: totals.rows[0]?.stale ?? 0,
    estimatesUnpriced: totals.rows[0]?.unpriced ?? 0,
  };
}

/** A sweep with its progress and results, or null when there is no such sweep. */
export async function sweepProgress(db: Pick<pg.Pool, "query">, sweepId: string): Promise<SweepProgress | null> {
  const summary = await getSweepSummary(db, sweepId);
  return summary === null ? null : { ...summary, results: await sweepResults(db, sweepId) };
}
