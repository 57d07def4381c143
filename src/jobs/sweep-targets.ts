/**
 * Which appointments a sweep checks: the EHR's infusion appointments in the range, less those
 * that will not happen; for a recheck only those whose primary coverage is on a volatile plan
 * (plans whose eligibility changes often, e.g. Medicaid managed care).
 */
import type { EhrClient } from "../../tools/ehr/ehr-client.js";
import type { CoverageSummary } from "../../tools/ehr/ehr-types.js";
import type { SweepKind, SweepTarget } from "./sweep-store.js";

/** Appointment statuses that will not be seen (FHIR R4 Appointment.status). */
const NOT_HAPPENING = new Set(["cancelled", "noshow", "entered-in-error"]);

/** Whether a payer's plan is volatile (see `PayerRules.volatile`). */
export type VolatilePlan = (payerId: string | null, planId: string | null) => boolean;

/** The primary coverage: the active one with the lowest order (1 = primary). */
export function primaryCoverage(coverages: CoverageSummary[]): CoverageSummary | null {
  const active = coverages.filter((c) => c.status === "active");
  return [...active].sort((a, b) => (a.order ?? Number.MAX_SAFE_INTEGER) - (b.order ?? Number.MAX_SAFE_INTEGER))[0] ?? null;
}

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

/** Adds whole days to an ISO date (UTC calendar arithmetic). */
export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Days from `from` to `to` (ISO dates). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
