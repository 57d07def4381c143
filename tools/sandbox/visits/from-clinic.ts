/**
 * The sandbox clinic's past visits as visit records without charges: for each finished Encounter
 * of a generated clinic, the patient, coverage, diagnoses, the appointment's orders and the MAR,
 * read from the clinic's FHIR bundle with the EHR client's own mappers (so a record here is what
 * the EHR client reads back).
 */
import type * as R4 from "fhir/r4.js";
import type { VisitRecord } from "../../claim/visit-record.js";
import { toAdministration, toCoverage, toDiagnosis, toMedicationOrder, toPatient, toScheduledInfusion } from "../../ehr/fhir-mapping.js";
import type { SandboxClinic } from "../world.js";

/** The sandbox clinic's billing provider (synthetic; the NPI passes the Luhn check of NPPES). */
export const SANDBOX_BILLING_PROVIDER: VisitRecord["billingProvider"] = {
  name: "Sandbox Community Oncology", npi: "1234567893", taxId: "123456789",
  address: { line1: "100 Infusion Way", line2: null, city: "Springfield", state: "IL", zip: "62701" },
};

type Json = Record<string, unknown>;
const refId = (reference: unknown, type: string): string | null =>
  typeof reference === "string" && reference.startsWith(`${type}/`) ? reference.slice(type.length + 1) : null;

/** Past visits of the clinic (finished encounters), charges empty, in date then id order. */
export function pastVisits(clinic: Pick<SandboxClinic, "bundle">): VisitRecord[] {
  const byType = new Map<string, Json[]>();
  for (const e of clinic.bundle.entry) {
    const type = String(e.resource.resourceType);
    const list = byType.get(type);
    if (list === undefined) byType.set(type, [e.resource]);
    else list.push(e.resource);
  }
  const list = (t: string) => byType.get(t) ?? [];
  const group = (t: string, key: (r: Json) => string | null) => {
    const m = new Map<string, Json[]>();
    for (const r of list(t)) {
      const k = key(r);
      if (k === null) continue;
      const l = m.get(k);
      if (l === undefined) m.set(k, [r]);
      else l.push(r);
    }
    return m;
  };
  const patients = new Map(list("Patient").map((r) => [String(r.id), r]));
  const appointments = new Map(list("Appointment").map((r) => [String(r.id), r]));
  const requests = new Map(list("MedicationRequest").map((r) => [String(r.id), r]));
  const conditions = group("Condition", (r) => refId((r.subject as Json | undefined)?.reference, "Patient"));
  const coverages = group("Coverage", (r) => refId((r.beneficiary as Json | undefined)?.reference, "Patient"));
  const mar = group("MedicationAdministration", (r) => refId((r.context as Json | undefined)?.reference, "Encounter"));

  const out: VisitRecord[] = [];
  for (const enc of list("Encounter")) {
    if (enc.status !== "finished") continue;
    const patientId = refId((enc.subject as Json | undefined)?.reference, "Patient");
    const appointmentId = refId(((enc.appointment as Json[] | undefined) ?? [])[0]?.reference, "Appointment");
    const patient = patientId === null ? undefined : patients.get(patientId);
    const appointment = appointmentId === null ? undefined : appointments.get(appointmentId);
    const coverage = patientId === null ? undefined : coverages.get(patientId)?.[0];
    if (patient === undefined || appointment === undefined || coverage === undefined) continue;
    const scheduled = toScheduledInfusion(appointment as unknown as R4.Appointment);
    const diagnoses = (conditions.get(patientId as string) ?? []).map((c) => toDiagnosis(c as unknown as R4.Condition));
    if (diagnoses.length === 0) continue;
    out.push({
      visitId: String(enc.id), dateOfService: scheduled.dateOfService, siteOfCare: scheduled.siteOfCare ?? "physician-office",
      billingProvider: SANDBOX_BILLING_PROVIDER,
      patient: toPatient(patient as unknown as R4.Patient), coverage: toCoverage(coverage as unknown as R4.Coverage),
      diagnoses: diagnoses.map((d) => ({ icd10: d.icd10, display: d.display })),
      orders: scheduled.orderIds.map((id) => requests.get(id)).filter((r): r is Json => r !== undefined).map((r) => toMedicationOrder(r as unknown as R4.MedicationRequest)),
      administrations: (mar.get(String(enc.id)) ?? []).map((m) => ({ ...toAdministration(m as unknown as R4.MedicationAdministration), acquired340b: false, concentration: null })),
      charges: [], authorizations: [], payerRules: [], notes: [],
    });
  }
  return out.sort((a, b) => a.dateOfService.localeCompare(b.dateOfService) || a.visitId.localeCompare(b.visitId));
}
