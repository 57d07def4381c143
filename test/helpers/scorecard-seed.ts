/** Checks of appointments as the pre-service agents record them, written straight to the tables the scorecard reads. */
import type pg from "pg";

export interface SeededVisit {
  appointment: string;
  dateOfService: string;
  /** When the agents checked it (ISO timestamp). */
  checkedAt: string;
  reasons?: string[];
  /** Prior-auth: whether a drug needed authorization, and whether it was valid. */
  auth?: { required: boolean; valid: boolean };
  /** Eligibility: the estimate's state. */
  estimate?: "priced" | "stale" | "unpriced";
  /** Eligibility: a review item waited for staff (not automated). */
  reviewed?: boolean;
}

/** One eligibility and one prior-auth run and check per visit. */
export async function seedScorecardVisits(db: Pick<pg.Pool, "query">, visits: SeededVisit[]): Promise<void> {
  for (const v of visits) {
    const reasons = v.reasons ?? [];
    for (const agent of ["eligibility", "prior-auth"] as const) {
      const run = `run-${agent}-${v.appointment}`;
      await db.query(`INSERT INTO runs (id, agent, subject_type, subject_id, status, input, created_at, updated_at)
        VALUES ($1, $2, 'appointment', $3, $4, '{}', $5, $5)`, [run, agent, v.appointment, v.reviewed && agent === "eligibility" ? "waiting" : "completed", v.checkedAt]);
      const facts = agent === "prior-auth" && v.auth !== undefined ? { drugs: [{ hcpcs: "J9271", authRequired: v.auth.required, authValid: v.auth.valid }] } : { drugs: [] };
      const estimate = agent !== "eligibility" || v.estimate === undefined ? null
        : { lines: v.estimate === "unpriced" ? [] : [{ hcpcs: "J9271", amount: "12.00" }], stale: v.estimate === "stale" };
      const mine = reasons.filter((r) => (agent === "prior-auth") === r.startsWith("auth"));
      await db.query(`INSERT INTO pre_service_checks (id, agent, run_id, appointment_id, patient_id, date_of_service, checked_at, outcome, reasons, facts, estimate)
        VALUES ($1, $2, $3, $4, 'Patient/1', $5, $6, $7, $8, $9, $10)`,
      [`chk-${agent}-${v.appointment}`, agent, run, v.appointment, v.dateOfService, v.checkedAt, mine.length > 0 ? "exception" : "clean", mine, facts, estimate]);
      if (v.reviewed && agent === "eligibility") {
        await db.query(`INSERT INTO review_items (id, run_id, interrupt_id, agent, action_type, subject_type, subject_id, status, interrupt, draft, rationale, evidence, confidence, human_only, reason)
          VALUES ($1, $2, 'i1', 'eligibility', 'note', 'appointment', $3, 'pending', '{}', '{}', 'why', '[]', 0.5, false, 'advisory')`, [`ri-${v.appointment}`, run, v.appointment]);
      }
    }
  }
}
