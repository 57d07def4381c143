/**
 * Synthetic visit records (no real PHI) for the scrubber's tests and benchmark: a clean office
 * visit and a clean hospital-outpatient visit to vary one fact at a time, and a small
 * deterministic generator of varied visits (seeded; the full sandbox generator with planted
 * errors lives in tools/sandbox).
 */
import type { VisitRecordInput } from "../../tools/claim/visit-record.js";
import { VisitRecord } from "../../tools/claim/visit-record.js";

export const DOS = "2026-02-10";
const at = (hhmm: string) => `${DOS}T${hhmm}:00-05:00`;

type Mar = NonNullable<VisitRecordInput["administrations"]>[number];
type Charge = VisitRecordInput["charges"][number];

/** One MAR entry, pembrolizumab by default. */
export function mar(over: Partial<Mar> = {}): Mar {
  return {
    id: "mar-1", encounterId: "enc-1", patientId: "pat-1", orderId: "ord-1", drugName: "pembrolizumab", hcpcs: "J9271", ndc: "00006-3026-02",
    drugClass: "biologic", dose: { value: 200, unit: "mg" }, route: "iv-infusion", start: at("09:00"), stop: at("09:30"), site: "A",
    wasted: { value: 0, unit: "mg" }, containersOpened: 2, pump: false, ...over,
  };
}

/** One captured charge. */
export function charge(over: Partial<Charge> & Pick<Charge, "id" | "code">): Charge {
  return { modifiers: [], units: 1, charge: "100.00", revenueCode: null, ndc: null, ndcQuantity: null, ndcUnit: null, diagnosisCodes: ["C34.90"], administrationIds: [], serviceDate: DOS, ...over };
}

/** A clean Medicare office visit: pembrolizumab 200 mg over 30 minutes from two 100 mg vials, nothing wasted. */
export function cleanOfficeVisit(): VisitRecordInput {
  return {
    visitId: "enc-1", dateOfService: DOS, siteOfCare: "physician-office",
    billingProvider: { name: "Sandbox Infusion Center", npi: "1234567893", taxId: "123456789", address: { line1: "1 Infusion Way", line2: null, city: "Springfield", state: "IL", zip: "62701" } },
    patient: { id: "pat-1", mrn: "MRN1", firstName: "ALEX", lastName: "TESTPERSON", birthDate: "1955-04-02", gender: "female", weightKg: 70, bsaM2: 1.8 },
    coverage: {
      id: "cov-1", patientId: "pat-1", status: "active", payerId: "SBMCR", payerName: "Sandbox Medicare Part B", payerType: "medicare", memberId: "1EG4TE5MK73",
      patientMemberId: null, relationship: "self", subscriber: null, subscriberRef: null, planId: null, planName: null, start: "2020-01-01", end: null, order: 1,
    },
    diagnoses: [{ icd10: "C34.90", display: "Lung cancer" }, { icd10: "Z51.12", display: "Immunotherapy" }],
    orders: [{ id: "ord-1", patientId: "pat-1", drugName: "pembrolizumab", hcpcs: "J9271", ndc: null, drugClass: "biologic", dose: { value: 200, unit: "mg" }, route: "iv-infusion", cycleDays: 21, supply: "buy-and-bill", diagnosisCodes: ["C34.90"], status: "active" }],
    administrations: [mar()],
    charges: [
      charge({ id: "c1", code: "J9271", modifiers: ["JZ"], units: 200, charge: "17917.80", ndc: "00006302602", ndcQuantity: 2, ndcUnit: "UN", administrationIds: ["mar-1"] }),
      charge({ id: "c2", code: "96413", units: 1, charge: "420.00", administrationIds: ["mar-1"] }),
    ],
    authorizations: [{ number: "AUTH-1", codes: ["J9271"], from: "2026-01-01", to: "2026-06-30", unitsAuthorized: 1400, unitsUsed: 400, diagnosisCodes: ["C34.90"], status: "approved" }],
    payerRules: [],
    notes: [],
  };
}

/** The clean visit in a hospital outpatient department (837I, revenue codes). */
export function cleanHospitalVisit(): VisitRecordInput {
  const v = cleanOfficeVisit();
  return { ...v, siteOfCare: "hospital-outpatient", charges: v.charges.map((c) => ({ ...c, revenueCode: c.code === "96413" ? "0335" : "0636" })) };
}

/** A parsed visit record after `change` edits a fresh clean office visit. */
export function visit(change: (v: VisitRecordInput) => void = () => undefined, base: () => VisitRecordInput = cleanOfficeVisit): VisitRecord {
  const v = base();
  change(v);
  return VisitRecord.parse(v);
}
