/**
 * Charge capture for the sandbox clinic before it is seeded: every past visit gets its captured
 * charges (errors planted at the configured rates), its MAR as the record has it, and the truth
 * on the appointment's `charges` (kept in `sandbox_seeds.truth` with the rest).
 */
import type { PayerBillingRule } from "../../claim/visit-record.js";
import type { SandboxClinic } from "../world.js";
import type { ChargeErrorRatesInput } from "./charge-errors.js";
import { capturedVisits, type GeneratedVisit } from "./generate.js";
import type { PlantContext } from "./plant.js";
import { visitResources } from "./to-fhir.js";

type Json = Record<string, unknown>;
const key = (r: Json) => `${String(r.resourceType)}/${String(r.id)}`;

/** The clinic with its past visits' charges captured; `visits` are the records and their truth. */
export function withCapturedCharges(
  clinic: SandboxClinic, options: { ctx: PlantContext; rates?: ChargeErrorRatesInput; payerRules?: (payerId: string, dateOfService: string) => PayerBillingRule[] },
): { clinic: SandboxClinic; visits: GeneratedVisit[] } {
  const visits = capturedVisits(clinic, options);
  const resources = clinic.bundle.entry.map((e) => e.resource);
  const byKey = new Map(resources.map((r) => [key(r), r]));
  const conditions = new Map<string, Map<string, string>>();
  for (const r of resources) {
    if (r.resourceType !== "Condition") continue;
    const patient = String((r.subject as { reference?: string } | undefined)?.reference ?? "").replace(/^Patient\//, "");
    const icd10 = ((r.code as { coding?: { code?: string }[] } | undefined)?.coding ?? [])[0]?.code;
    if (icd10 === undefined) continue;
    const m = conditions.get(patient) ?? new Map<string, string>();
    m.set(icd10, String(r.id));
    conditions.set(patient, m);
  }
  const marByEncounter = new Map<string, string[]>();
  for (const r of resources) {
    if (r.resourceType !== "MedicationAdministration") continue;
    const encounter = String((r.context as { reference?: string } | undefined)?.reference ?? "");
    marByEncounter.set(encounter, [...(marByEncounter.get(encounter) ?? []), key(r)]);
  }
  const replaced = new Set<string>();
  const added: Json[] = [];
  const errorsByAppointment = new Map<string, { encounterId: string; errors: GeneratedVisit["truth"] }>();
  for (const { record, truth } of visits) {
    const encounter = byKey.get(`Encounter/${record.visitId}`) ?? {};
    for (const k of marByEncounter.get(`Encounter/${record.visitId}`) ?? []) replaced.add(k);
    replaced.add(`Encounter/${record.visitId}`);
    added.push(...visitResources(record, encounter, conditions.get(record.patient.id) ?? new Map()));
    const appointment = String(((encounter.appointment as { reference?: string }[] | undefined) ?? [])[0]?.reference ?? "").replace(/^Appointment\//, "");
    errorsByAppointment.set(appointment, { encounterId: record.visitId, errors: truth });
  }
  const kept = resources.filter((r) => !replaced.has(key(r)));
  const all = [...kept, ...added];
  return {
    clinic: {
      ...clinic,
      bundle: { ...clinic.bundle, entry: all.map((r) => ({ resource: r, request: { method: "PUT" as const, url: key(r) } })) },
      truth: clinic.truth.map((t) => {
        const charges = errorsByAppointment.get(t.appointmentId);
        return charges === undefined ? t : { ...t, charges };
      }),
    },
    visits,
  };
}
