/**
 * The record of what a pre-service agent found for one appointment (`pre_service_checks`),
 * whatever the gate then does with its proposals, so the scorecard can count exceptions, flags
 * and estimates; the agents hand their checks to the runtime, which writes them with the run's
 * end (pre-service-effects.ts). One row per run, agent and appointment (a run may check a batch
 * of appointments): a write that is repeated rewrites the same rows; and one per sweep, agent and
 * appointment (migration 0017).
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { z } from "zod";

/** Stable exception reasons (also the scorecard's "exceptions by reason"). */
export const EXCEPTION_REASONS = [
  // eligibility: coverage on the date of service as the 271 states it (tools/payer/eligibility/) …
  "coverage-inactive", "coverage-not-verified-for-dos", "coverage-pending-investigation", "coverage-undetermined",
  // … the level an AAA failed the request at (2100A/B/C/D), or a benefit inquiry it rejected (2110C/D) …
  "aaa-rejection-payer", "aaa-rejection-provider", "aaa-rejection-subscriber", "aaa-rejection-dependent", "aaa-rejection-benefit",
  // … and the chart, the payer's reachability and the drugs' benefits
  "coverage-not-on-file", "payer-unreachable", "pharmacy-benefit-buy-and-bill", "benefit-ambiguous",
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

/** Writes (or rewrites) the check of an appointment in a run. */
export async function recordCheck(pool: Pick<pg.Pool, "query">, c: PreServiceCheck): Promise<void> {
  await pool.query(
    `INSERT INTO pre_service_checks (id, agent, run_id, sweep_id, appointment_id, patient_id, date_of_service, checked_at, outcome, reasons, facts, estimate)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (run_id, agent, appointment_id) DO UPDATE SET checked_at = EXCLUDED.checked_at, outcome = EXCLUDED.outcome, reasons = EXCLUDED.reasons,
       facts = EXCLUDED.facts, estimate = EXCLUDED.estimate`,
    [randomUUID(), c.agent, c.runId, c.sweepId, c.appointmentId, c.patientId, c.dateOfService, c.checkedAt,
      outcome(c), reasonCodes(c), JSON.stringify(c.facts), c.estimate === null ? null : JSON.stringify(c.estimate)],
  );
}

/**
 * Writes (or rewrites) many checks in one statement, as `recordCheck` does each. One statement
 * cannot update a row twice: the last check of a run, agent and appointment wins, as it would
 * one by one.
 */
export async function recordChecks(pool: Pick<pg.Pool, "query">, checks: PreServiceCheck[]): Promise<void> {
  const last = [...new Map(checks.map((c) => [JSON.stringify([c.runId, c.agent, c.appointmentId]), c])).values()];
  if (last.length === 0) return;
  const rows = last.map((c) => ({
    id: randomUUID(), agent: c.agent, run_id: c.runId, sweep_id: c.sweepId, appointment_id: c.appointmentId, patient_id: c.patientId,
    date_of_service: c.dateOfService, checked_at: c.checkedAt.toISOString(), outcome: outcome(c), reasons: reasonCodes(c),
    facts: c.facts, estimate: c.estimate,
  }));
  await pool.query(
    `INSERT INTO pre_service_checks (id, agent, run_id, sweep_id, appointment_id, patient_id, date_of_service, checked_at, outcome, reasons, facts, estimate)
     SELECT id, agent, run_id, sweep_id, appointment_id, patient_id, date_of_service, checked_at, outcome, reasons, facts, estimate
     FROM jsonb_to_recordset($1::jsonb) AS c (id text, agent text, run_id text, sweep_id text, appointment_id text, patient_id text,
       date_of_service date, checked_at timestamptz, outcome text, reasons text[], facts jsonb, estimate jsonb)
     ON CONFLICT (run_id, agent, appointment_id) DO UPDATE SET checked_at = EXCLUDED.checked_at, outcome = EXCLUDED.outcome, reasons = EXCLUDED.reasons,
       facts = EXCLUDED.facts, estimate = EXCLUDED.estimate`,
    [JSON.stringify(rows)],
  );
}

const outcome = (c: PreServiceCheck): "clean" | "exception" => (c.reasons.length === 0 ? "clean" : "exception");
const reasonCodes = (c: PreServiceCheck): string[] => [...new Set(c.reasons)].sort();
