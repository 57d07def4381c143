/** The search fields the sandbox EHR indexes, extracted from a resource when it is written. */

type Json = Record<string, unknown>;
const get = (o: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[k] : undefined), o);
const refId = (reference: unknown, type: string): string | null =>
  typeof reference === "string" && reference.startsWith(`${type}/`) ? reference.slice(type.length + 1) : null;

/** Indexed values of one resource. */
export interface SearchFields {
  patientId: string | null;
  encounterId: string | null;
  dateStart: string | null;
  status: string | null;
  serviceType: string | null;
}

/** Extracts the indexed values. */
export function searchFields(r: Json): SearchFields {
  const type = r.resourceType as string;
  const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
  let patientId: string | null = null;
  switch (type) {
    case "Patient":
      patientId = str(r.id);
      break;
    case "Appointment":
      patientId = ((r.participant as Json[] | undefined) ?? []).map((p) => refId(get(p, "actor", "reference"), "Patient")).find((x) => x !== null) ?? null;
      break;
    case "Coverage":
      patientId = refId(get(r, "beneficiary", "reference"), "Patient");
      break;
    case "Task":
      patientId = refId(get(r, "for", "reference"), "Patient");
      break;
    case "CoverageEligibilityResponse":
    case "CoverageEligibilityRequest":
      patientId = refId(get(r, "patient", "reference"), "Patient");
      break;
    default:
      patientId = refId(get(r, "subject", "reference"), "Patient");
  }
  return {
    patientId,
    encounterId: type === "MedicationAdministration" || type === "ChargeItem" ? refId(get(r, "context", "reference"), "Encounter") : null,
    dateStart: str(type === "Appointment" ? r.start
      : type === "MedicationAdministration" ? get(r, "effectivePeriod", "start") ?? r.effectiveDateTime
        : type === "Encounter" ? get(r, "period", "start")
          : type === "ChargeItem" ? r.occurrenceDateTime : null),
    status: str(r.status),
    serviceType: type === "Appointment" ? str(get(r, "serviceType", 0, "coding", 0, "code")) : null,
  };
}
