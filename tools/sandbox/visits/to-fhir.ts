/**
 * A generated visit as the sandbox EHR's FHIR R4 resources (mapping in `fhir-conventions.ts`):
 * its ChargeItems, its MAR (MedicationAdministration, rebuilt from the record so a planted MAR
 * change — a stop time or wasted amount gone, a hydration added — is what the EHR holds), the
 * Encounter with its diagnoses, and a Condition for a diagnosis the patient's problem list lacks.
 */
import type { CapturedCharge, VisitRecord } from "../../claim/visit-record.js";
import { EXTENSION, SYSTEM } from "../../ehr/fhir-conventions.js";

type Resource = Record<string, unknown> & { resourceType: string; id: string };
type Administration = VisitRecord["administrations"][number];

const coding = (system: string, code: string) => ({ coding: [{ system, code }] });
const quantity = (q: { value: number; unit: string }) => ({ value: q.value, unit: q.unit, system: SYSTEM.UCUM, code: q.unit });

/** One captured charge as a ChargeItem. */
export function chargeItemResource(c: CapturedCharge, visit: Pick<VisitRecord, "visitId" | "patient">): Resource {
  const extension: Record<string, unknown>[] = c.modifiers.map((m) => ({ url: EXTENSION.CHARGE_MODIFIER, valueCoding: { system: SYSTEM.MODIFIER, code: m } }));
  if (c.revenueCode !== null) extension.push({ url: EXTENSION.REVENUE_CODE, valueCoding: { system: SYSTEM.NUBC_REVENUE, code: c.revenueCode } });
  if (c.ndcQuantity !== null) extension.push({ url: EXTENSION.NDC_QUANTITY, valueQuantity: { value: c.ndcQuantity, ...(c.ndcUnit === null ? {} : { code: c.ndcUnit, system: SYSTEM.X12_UNIT }) } });
  return {
    resourceType: "ChargeItem", id: c.id, status: "billable",
    code: coding(/^\d{5}$/.test(c.code) ? SYSTEM.CPT : SYSTEM.HCPCS, c.code),
    subject: { reference: `Patient/${visit.patient.id}` }, context: { reference: `Encounter/${visit.visitId}` },
    occurrenceDateTime: c.serviceDate, quantity: { value: c.units },
    priceOverride: { value: Number(c.charge), currency: "USD" },
    ...(c.ndc === null ? {} : { productCodeableConcept: coding(SYSTEM.NDC, c.ndc) }),
    ...(c.administrationIds.length === 0 ? {} : { service: c.administrationIds.map((id) => ({ reference: `MedicationAdministration/${id}` })) }),
    ...(c.diagnosisCodes.length === 0 ? {} : { reason: c.diagnosisCodes.map((d) => coding(SYSTEM.ICD10CM, d)) }),
    ...(extension.length === 0 ? {} : { extension }),
  };
}

/** One MAR entry as a MedicationAdministration (the shape `fhir-builders.administrationResource` writes). */
export function administrationRecordResource(a: Administration): Resource {
  const extension: Record<string, unknown>[] = [];
  if (a.containersOpened !== null) extension.push({ url: EXTENSION.CONTAINERS_OPENED, valueInteger: a.containersOpened });
  if (a.wasted !== null) extension.push({ url: EXTENSION.WASTED_AMOUNT, valueQuantity: quantity(a.wasted) });
  if (a.pump) extension.push({ url: EXTENSION.PUMP, valueBoolean: true });
  const codes = [...(a.hcpcs === null ? [] : [{ system: SYSTEM.HCPCS, code: a.hcpcs }]), ...(a.ndc === null ? [] : [{ system: SYSTEM.NDC, code: a.ndc }])];
  return {
    resourceType: "MedicationAdministration", id: a.id, status: "completed",
    subject: { reference: `Patient/${a.patientId}` }, ...(a.encounterId === null ? {} : { context: { reference: `Encounter/${a.encounterId}` } }),
    ...(a.orderId === null ? {} : { request: { reference: `MedicationRequest/${a.orderId}` } }),
    ...(a.drugClass === null ? {} : { category: coding(SYSTEM.DRUG_CLASS, a.drugClass) }),
    medicationCodeableConcept: { text: a.drugName, ...(codes.length === 0 ? {} : { coding: codes }) },
    ...(a.start === null ? {} : { effectivePeriod: { start: a.start, ...(a.stop === null ? {} : { end: a.stop }) } }),
    dosage: {
      ...(a.dose === null ? {} : { dose: quantity(a.dose) }), ...(a.route === null ? {} : { route: coding(SYSTEM.ADMIN_ROUTE, a.route) }),
      ...(a.site === null ? {} : { site: { text: a.site } }),
    },
    ...(extension.length === 0 ? {} : { extension }),
  };
}

/**
 * The FHIR resources of a visit after charge capture: the Encounter (`encounter`, as seeded,
 * given its diagnoses and site of care), the MAR, the ChargeItems and Conditions for diagnoses
 * not on the patient's problem list (`conditionIds`: ICD-10-CM → the patient's Condition id).
 */
export function visitResources(record: VisitRecord, encounter: Record<string, unknown>, conditionIds: ReadonlyMap<string, string>): Resource[] {
  const conditions: Resource[] = [];
  const refs = record.diagnoses.map((d, i) => {
    let id = conditionIds.get(d.icd10);
    if (id === undefined) {
      id = `${record.visitId}-dx${i + 1}`;
      conditions.push({
        resourceType: "Condition", id, subject: { reference: `Patient/${record.patient.id}` },
        clinicalStatus: coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
        code: { coding: [{ system: SYSTEM.ICD10CM, code: d.icd10, ...(d.display === null ? {} : { display: d.display }) }], ...(d.display === null ? {} : { text: d.display }) },
      });
    }
    return { condition: { reference: `Condition/${id}` }, rank: i + 1 };
  });
  return [
    { ...encounter, id: record.visitId, resourceType: "Encounter", diagnosis: refs, serviceType: coding(SYSTEM.SITE_OF_CARE, record.siteOfCare) },
    ...conditions,
    ...record.administrations.map(administrationRecordResource),
    ...record.charges.map((c) => chargeItemResource(c, record)),
  ];
}
