/**
 * What the pre-service agents read from the chart for one appointment: the visit, the patient,
 * the orders it administers, the primary coverage and the problem list.
 */
import { z } from "zod";
import { CoverageSummary, Diagnosis, MedicationOrder, PatientSummary, ScheduledInfusion } from "../../tools/ehr/ehr-types.js";
import type { EhrClient } from "../../tools/ehr/ehr-client.js";
import { AppError, NotFoundError } from "../../tools/errors.js";
import type { PlatformServices } from "../../src/orchestration/agent-definition.js";
import type { ProposalAbout } from "../../src/orchestration/decision.js";
import { appointmentStep, forEachVisit, type BatchState, type VisitBase } from "./appointment-work-item.js";

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

/** Who and what a visit's proposals are about, for the person who works their review items (PHI: never logged). */
export function visitAbout(chart: Pick<VisitChart, "appointment" | "patient" | "coverage">): ProposalAbout {
  const { appointment, patient, coverage } = chart;
  return {
    patient: { id: patient.id, name: `${patient.lastName}, ${patient.firstName}`, birthDate: patient.birthDate, mrn: patient.mrn },
    appointment: { id: appointment.appointmentId, dateOfService: appointment.dateOfService },
    payer: coverage === null ? null : { id: coverage.payerId, name: coverage.payerName },
  };
}

/** A person as a 270 names them. */
export interface InsuredPerson {
  lastName: string | null;
  firstName: string | null;
  birthDate: string | null;
}

/**
 * Who a 270 asks about for a visit (TR3 005010X279A1, 2000C/2000D): the patient as the subscriber
 * when they hold the policy or have a member id of their own (Coverage.identifier MB); otherwise
 * the subscriber (Coverage.subscriber, with the subscriber's member id) and the patient as a
 * dependent (2000D). Null without a coverage to ask about.
 */
export function insuredParties(chart: Pick<VisitChart, "patient" | "coverage">): { memberId: string; subscriber: InsuredPerson; dependent: (InsuredPerson & { gender: string | null }) | null } | null {
  const { patient, coverage } = chart;
  if (coverage === null || coverage.memberId === null) return null;
  const asPatient = { lastName: patient.lastName, firstName: patient.firstName, birthDate: patient.birthDate };
  const holdsPolicy = coverage.relationship === null ? coverage.subscriber === null : coverage.relationship === "self";
  if (holdsPolicy) return { memberId: coverage.memberId, subscriber: asPatient, dependent: null };
  if (coverage.patientMemberId !== null) return { memberId: coverage.patientMemberId, subscriber: asPatient, dependent: null };
  const holder = coverage.subscriber;
  return {
    memberId: coverage.memberId,
    subscriber: { lastName: holder?.lastName ?? null, firstName: holder?.firstName ?? null, birthDate: holder?.birthDate ?? null },
    dependent: { ...asPatient, gender: x12Gender(patient.gender) },
  };
}

/** FHIR administrative gender → X12 DMG03. */
const x12Gender = (g: string | null) => (g === "female" ? "F" : g === "male" ? "M" : g === null ? null : "U");

/** Primary coverage: active, lowest order (1 = primary), then earliest start. */
export function primaryCoverage(coverages: CoverageSummary[]): CoverageSummary | null {
  const active = coverages.filter((c) => c.status === "active");
  active.sort((a, b) => (a.order ?? 99) - (b.order ?? 99) || (a.start ?? "").localeCompare(b.start ?? ""));
  return active[0] ?? null;
}

/** Reads the chart of an appointment; a missing appointment or patient is a NotFoundError. */
export async function loadVisitChart(ehr: EhrClient, appointmentId: string): Promise<VisitChart> {
  const chart = (await loadVisitCharts(ehr, [appointmentId])).get(appointmentId);
  if (chart === undefined || chart instanceof NotFoundError) throw chart ?? new NotFoundError(`No appointment ${appointmentId} in the EHR`);
  return chart;
}

/**
 * Reads the charts of many appointments with five EHR reads whatever their number (a sixth when a
 * coverage's subscriber is another patient): one entry per requested id, the chart or the
 * NotFoundError of a missing appointment or patient.
 */
export async function loadVisitCharts(ehr: EhrClient, appointmentIds: string[]): Promise<Map<string, VisitChart | NotFoundError>> {
  const ids = [...new Set(appointmentIds)];
  const charts = new Map<string, VisitChart | NotFoundError>();
  if (ids.length === 0) return charts;
  const appointments = new Map((await ehr.appointmentsById(ids)).map((a) => [a.appointmentId, a]));
  const patientIds = [...new Set([...appointments.values()].map((a) => a.patientId))];
  const [patients, orders, coverages, diagnoses] = patientIds.length === 0 ? [[], [], [], []] : await Promise.all([
    ehr.patients(patientIds),
    ehr.activeMedicationOrdersFor(patientIds),
    ehr.coveragesFor(patientIds),
    ehr.conditionsFor(patientIds),
  ]);
  const patientById = new Map(patients.map((p) => [p.id, p]));
  await readSubscribers(ehr, coverages, patientById);
  const ordersOf = byPatient(orders);
  const coveragesOf = byPatient(coverages);
  const diagnosesOf = byPatient(diagnoses);
  for (const id of ids) {
    const appointment = appointments.get(id);
    if (appointment === undefined) {
      charts.set(id, new NotFoundError(`No appointment ${id} in the EHR`));
      continue;
    }
    const patient = patientById.get(appointment.patientId);
    if (patient === undefined) {
      charts.set(id, new NotFoundError(`No patient ${appointment.patientId} for appointment ${id}`));
      continue;
    }
    const wanted = new Set(appointment.orderIds);
    charts.set(id, {
      appointment, patient,
      // Each chart gets its own arrays, as when it was read on its own.
      diagnoses: [...(diagnosesOf.get(patient.id) ?? [])],
      orders: (ordersOf.get(patient.id) ?? []).filter((o) => wanted.has(o.id)),
      coverage: primaryCoverage(coveragesOf.get(patient.id) ?? []),
    });
  }
  return charts;
}

/**
 * Fills in subscribers a coverage references as another patient of the clinic (`Patient/…`) with
 * one more read, made only when some coverage does; contained subscribers are read with the
 * coverage, and other references (a RelatedPerson on another server) stay unread — the 270 then
 * names the subscriber by member id alone.
 */
async function readSubscribers(ehr: EhrClient, coverages: CoverageSummary[], known: Map<string, PatientSummary>): Promise<void> {
  const wanted = coverages.filter((c) => c.subscriber === null && c.subscriberRef?.startsWith("Patient/") === true);
  if (wanted.length === 0) return;
  const ids = [...new Set(wanted.map((c) => (c.subscriberRef as string).slice("Patient/".length)))];
  const missing = ids.filter((id) => !known.has(id));
  const read = new Map([...known, ...(missing.length === 0 ? [] : await ehr.patients(missing)).map((p) => [p.id, p] as const)]);
  for (const c of wanted) {
    const p = read.get((c.subscriberRef as string).slice("Patient/".length));
    if (p !== undefined && p.id !== c.patientId) c.subscriber = { firstName: p.firstName, lastName: p.lastName, birthDate: p.birthDate, gender: p.gender };
  }
}

/** Groups records by patient, keeping the EHR's order within each. */
function byPatient<T extends { patientId: string }>(records: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of records) {
    const list = out.get(r.patientId);
    if (list === undefined) out.set(r.patientId, [r]);
    else list.push(r);
  }
  return out;
}

/**
 * The load-chart node of a pre-service agent: every visit's chart with a constant number of EHR
 * reads, each recorded in the visit's trail; a visit whose appointment or patient is missing is
 * set aside (a run of one fails, as it always has).
 */
export function loadCharts<V extends VisitBase & { chart?: VisitChart | null }>(agent: string, services: PlatformServices, deps: { ehr: EhrClient }) {
  return async (state: BatchState<V>) => {
    // One bad record (malformed FHIR) must not fail the batch: then each visit reads its own chart.
    let charts: Map<string, VisitChart | NotFoundError> | null = null;
    try {
      charts = await loadVisitCharts(deps.ehr, state.visits.map((v) => v.appointmentId));
    } catch (error) {
      if (!(error instanceof AppError) || state.visits.length === 1) throw error;
    }
    return forEachVisit<V>(agent, "load-chart", services, async (visit) => {
      const chart = await services.audit.toolCall(appointmentStep(agent, visit, "load-chart"), "ehr.visit-chart", { appointmentId: visit.appointmentId }, async () => {
        if (charts === null) return loadVisitChart(deps.ehr, visit.appointmentId);
        const found = charts.get(visit.appointmentId);
        if (found === undefined || found instanceof Error) throw found ?? new NotFoundError(`No appointment ${visit.appointmentId} in the EHR`);
        return found;
      });
      return { chart } as Partial<V>;
    })(state);
  };
}
