/**
 * The record of what a pre-service agent found for one appointment (`pre_service_checks`),
 * written when the agent decides — whatever the gate then does with its proposals — so the
 * scorecard can count exceptions, flags and estimates. One row per run and agent: a node that
 * is re-run writes the same row again.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { z } from "zod";

/** Stable exception reasons (also the scorecard's "exceptions by reason"). */
export const EXCEPTION_REASONS = [
  // eligibility
  "coverage-inactive", "coverage-not-on-file", "aaa-rejection", "pharmacy-benefit-buy-and-bill", "benefit-ambiguous", "payer-unreachable",
  // prior-auth
  "auth-missing", "auth-expired", "auth-units-exhausted", "auth-diagnosis-mismatch", "auth-pended", "auth-denied", "auth-lapses-before-next-cycle",
] as const;
export const ExceptionReason = z.enum(EXCEPTION_REASONS);
export type ExceptionReason = z.infer<typeof ExceptionReason>;

/** What one check records. */
export interface PreServiceCheck {
  agent: "eligibility" | "prior-auth";
  runId: string;
  sweepId: string | null;
  appointmentId: string;
  patientId: string;
  dateOfService: string;
  checkedAt: Date;
  reasons: ExceptionReason[];
  facts: Record<string, unknown>;
  estimate: Record<string, unknown> | null;
}

/** Writes (or rewrites) the check of a run. */
export async function recordCheck(pool: Pick<pg.Pool, "query">, c: PreServiceCheck): Promise<void> {
  await pool.query(
    `INSERT INTO pre_service_checks (id, agent, run_id, sweep_id, appointment_id, patient_id, date_of_service, checked_at, outcome, reasons, facts, estimate)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (run_id, agent) DO UPDATE SET checked_at = EXCLUDED.checked_at, outcome = EXCLUDED.outcome, reasons = EXCLUDED.reasons,
       facts = EXCLUDED.facts, estimate = EXCLUDED.estimate`,
    [randomUUID(), c.agent, c.runId, c.sweepId, c.appointmentId, c.patientId, c.dateOfService, c.checkedAt,
      c.reasons.length === 0 ? "clean" : "exception", [...new Set(c.reasons)].sort(), JSON.stringify(c.facts), c.estimate === null ? null : JSON.stringify(c.estimate)],
  );
}
