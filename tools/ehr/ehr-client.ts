/** The EHR interface the agents depend on; a FHIR R4 implementation is in `fhir-ehr-client.ts`. */
import type {
  AdministrationRecord, ClinicalNote, CoverageSummary, Diagnosis, MedicationOrder, PatientSummary,
  ScheduledInfusion, StaffTask, VerificationWriteBack,
} from "./ehr-types.js";
import type { CapturedVisitSummary, VisitFromEhr } from "./visit-types.js";

export interface EhrClient {
  /** Infusion appointments starting in [from, to] (ISO dates, inclusive). */
  appointments(range: { from: string; to: string }): Promise<ScheduledInfusion[]>;
  /** One appointment by id, or null. */
  appointment(id: string): Promise<ScheduledInfusion | null>;
  /**
   * Appointments by id, any service type (missing ids are left out; no particular order). Like
   * every bulk read below, a constant number of calls however many ids: chunked searches, paged.
   */
  appointmentsById(ids: string[]): Promise<ScheduledInfusion[]>;
  /** Patients by id (missing ids are left out). */
  patients(ids: string[]): Promise<PatientSummary[]>;
  /** The patient's active medication orders (the regimen). */
  activeMedicationOrders(patientId: string): Promise<MedicationOrder[]>;
  /** The active medication orders of many patients (each carries its `patientId`). */
  activeMedicationOrdersFor(patientIds: string[]): Promise<MedicationOrder[]>;
  /** The MAR of an encounter. */
  medicationAdministrations(encounterId: string): Promise<AdministrationRecord[]>;
  /** Coverages on file for the patient. */
  coverages(patientId: string): Promise<CoverageSummary[]>;
  /** Coverages on file for many patients (each carries its `patientId`). */
  coveragesFor(patientIds: string[]): Promise<CoverageSummary[]>;
  /** Diagnoses on the patient's problem list. */
  conditions(patientId: string): Promise<Diagnosis[]>;
  /** Diagnoses on the problem lists of many patients (each carries its `patientId`). */
  conditionsFor(patientIds: string[]): Promise<Diagnosis[]>;
  /** Clinical notes' text. */
  clinicalNotes(patientId: string): Promise<ClinicalNote[]>;
  /** Writes a verification result back to the chart (CoverageEligibilityResponse); returns its id. */
  writeVerification(result: VerificationWriteBack): Promise<string>;
  /**
   * One past visit after charge capture: the Encounter with its diagnoses, its MAR and its captured
   * charges (ChargeItem); null when there is no such encounter. An id that cannot be a FHIR id is
   * bad input (400); a resource the EHR sends malformed fails as INVALID_FHIR.
   */
  getVisit(encounterId: string): Promise<VisitFromEhr | null>;
  /** Finished encounters starting in [from, to] (ISO dates, inclusive) with captured charges, by date then id. */
  findCapturedVisits(range: { from: string; to: string }): Promise<CapturedVisitSummary[]>;
  /** Creates a Task for staff; returns its id. */
  createTask(task: StaffTask): Promise<string>;
}
