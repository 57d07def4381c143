/**
 * Which appointments a sweep checks: the EHR's infusion appointments in the range, less those
 * that will not happen; for a recheck only those whose primary coverage is on a volatile plan
 * (plans whose eligibility changes often, e.g. Medicaid managed care).
 */
import type pg from "pg";
import type { EhrClient } from "../../tools/ehr/ehr-client.js";
import { SCRUBBABLE } from "../claims/claim-store.js";
import { primaryCoverage } from "../../agents/shared/chart.js";
import type { SweepKind, SweepTarget } from "./sweep-store.js";

/** Appointment statuses that will not be seen (FHIR R4 Appointment.status). */
const NOT_HAPPENING = new Set(["cancelled", "noshow", "entered-in-error"]);

/** Whether a payer's plan is volatile (see `PayerRules.volatile`). */
export type VolatilePlan = (payerId: string | null, planId: string | null) => boolean;

/** Lists the appointments a sweep of `kind` over [from, to] checks, in date then id order. */
export async function sweepTargets(
  ehr: Pick<EhrClient, "appointments" | "coverages">,
  volatile: VolatilePlan,
  range: { from: string; to: string; kind: SweepKind },
): Promise<SweepTarget[]> {
  const appointments = (await ehr.appointments({ from: range.from, to: range.to })).filter((a) => !NOT_HAPPENING.has(a.status));
  let chosen = appointments;
  if (range.kind === "recheck") {
    const volatileByPatient = new Map<string, boolean>();
    for (const patientId of new Set(appointments.map((a) => a.patientId))) {
      const primary = primaryCoverage(await ehr.coverages(patientId));
      volatileByPatient.set(patientId, primary !== null && volatile(primary.payerId, primary.planId));
    }
    chosen = appointments.filter((a) => volatileByPatient.get(a.patientId) === true);
  }
  const unique = new Map(chosen.map((a) => [a.appointmentId, { appointmentId: a.appointmentId, dateOfService: a.dateOfService }]));
  return [...unique.values()].sort((a, b) => a.dateOfService.localeCompare(b.dateOfService) || a.appointmentId.localeCompare(b.appointmentId));
}

/**
 * The visits a pre-bill pass over [from, to] works: finished encounters with captured charges
 * (the EHR's), less those whose claim is already at the payer; a rejected claim is worked again.
 * The target's "appointment" is the visit's encounter id.
 */
export async function preBillTargets(ehr: Pick<EhrClient, "findCapturedVisits">, pool: Pick<pg.Pool, "query">, range: { from: string; to: string }): Promise<SweepTarget[]> {
  const visits = await ehr.findCapturedVisits(range);
  // Claims past scrubbing (submitted, accepted, adjudicated) are at the payer.
  const { rows } = visits.length === 0 ? { rows: [] } : await pool.query<{ visit_id: string }>(
    "SELECT visit_id FROM claims WHERE visit_id = ANY($1) AND status <> ALL($2)", [visits.map((v) => v.encounterId), SCRUBBABLE]);
  const billed = new Set(rows.map((r) => r.visit_id));
  return visits.filter((v) => !billed.has(v.encounterId)).map((v) => ({ appointmentId: v.encounterId, dateOfService: v.dateOfService }));
}
