/**
 * What the pre-service agents read from the chart for one appointment: the visit, the patient,
 * the orders it administers, the primary coverage and the problem list.
 */
import { z } from "zod";
import { CoverageSummary, Diagnosis, MedicationOrder, PatientSummary, ScheduledInfusion } from "../../tools/ehr/ehr-types.js";
import type { EhrClient } from "../../tools/ehr/ehr-client.js";
import { NotFoundError } from "../../tools/errors.js";

/** The chart of one scheduled infusion. PHI: kept in checkpoints (the database), never logged. */
export const VisitChart = z.object({
  appointment: ScheduledInfusion,
  patient: PatientSummary,
  /** The orders this visit administers (the appointment's order ids, active ones only). */
  orders: z.array(MedicationOrder),
  /** The primary active coverage on file, or null when the chart has none. */
  coverage: CoverageSummary.nullable(),
  diagnoses: z.array(Diagnosis),
});
export type VisitChart = z.infer<typeof VisitChart>;

/** Primary coverage: active, lowest order (1 = primary), then earliest start. */
export function primaryCoverage(coverages: CoverageSummary[]): CoverageSummary | null {
  const active = coverages.filter((c) => c.status === "active");
  active.sort((a, b) => (a.order ?? 99) - (b.order ?? 99) || (a.start ?? "").localeCompare(b.start ?? ""));
  return active[0] ?? null;
}

/** Reads the chart of an appointment; a missing appointment or patient is a NotFoundError. */
export async function loadVisitChart(ehr: EhrClient, appointmentId: string): Promise<VisitChart> {
  const appointment = await ehr.appointment(appointmentId);
  if (appointment === null) throw new NotFoundError(`No appointment ${appointmentId} in the EHR`);
  const [patients, orders, coverages, diagnoses] = await Promise.all([
    ehr.patients([appointment.patientId]),
    ehr.activeMedicationOrders(appointment.patientId),
    ehr.coverages(appointment.patientId),
    ehr.conditions(appointment.patientId),
  ]);
  const patient = patients[0];
  if (patient === undefined) throw new NotFoundError(`No patient ${appointment.patientId} for appointment ${appointmentId}`);
  const wanted = new Set(appointment.orderIds);
  return {
    appointment, patient, diagnoses,
    orders: orders.filter((o) => wanted.has(o.id)),
    coverage: primaryCoverage(coverages),
  };
}
