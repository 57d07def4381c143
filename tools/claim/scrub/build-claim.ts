/**
 * Claims from the working lines: 837P for a physician office (place of service 11), 837I for a
 * hospital outpatient department (type of bill 13x, revenue codes, statement period = the date of
 * service). The claim total is the sum of the lines unless a captured total is given (CLM02 as
 * charge capture sent it, which may not balance — that is CLAIM_BALANCE).
 */
import { icd10ForX12 } from "../../coding/claim-context.js";
import { normalizeNdc } from "../../coding/ndc.js";
import type { Claim, ClaimPatient, ServiceLine } from "../claim.js";
import { BadInputError } from "../../errors.js";
import type { VisitRecord } from "../visit-record.js";
import { dx } from "./context.js";
import { sumCharges, type WorkLine } from "./work-line.js";

/** The claim without its lines, total and diagnoses. */
export type ClaimHeader = Omit<Claim, "lines" | "totalCharge" | "diagnoses">;

/** SBR09 claim filing indicator by payer type. */
const FILING: Record<string, string> = { medicare: "MB", "medicare-advantage": "16", commercial: "CI", medicaid: "MC" };
const GENDER: Record<string, "M" | "F"> = { male: "M", m: "M", female: "F", f: "F" };

/**
 * FHIR Coverage.relationship (subscriber-relationship) → 837 PAT01 (X222A1/X223A2 2000C): spouse
 * 01, child 19, common-law partner 53 (life partner), parent / other G8 (other relationship),
 * injured party 21 (unknown).
 */
const PAT01: Record<string, ClaimPatient["relationship"]> = { spouse: "01", child: "19", common: "53", parent: "G8", other: "G8", injured: "21" };

/**
 * The patient loop of a dependent's claim (2000C/2010CA): a patient covered on someone else's
 * policy is named there, under the subscriber — never sent as the subscriber. Its address is
 * required (N3/N4); a dependent without one on file cannot be billed as it stands.
 */
function dependentOf(record: VisitRecord): ClaimPatient | null {
  const rel = record.coverage.relationship;
  if (rel === null || rel === "self") return null;
  const p = record.patient;
  if (p.address == null) {
    throw new BadInputError(`The patient is covered as ${rel} of the subscriber, and a dependent's claim needs the patient's address (837 2010CA N3/N4); the EHR has none`, { details: { field: "patient.address" } });
  }
  return {
    relationship: PAT01[rel] ?? "G8", lastName: p.lastName, firstName: p.firstName, birthDate: p.birthDate,
    gender: GENDER[(p.gender ?? "").toLowerCase()] ?? "U", address: p.address,
  };
}

export function claimHeaderFor(record: VisitRecord, priorAuthorization: string | null): ClaimHeader {
  const institutional = record.siteOfCare === "hospital-outpatient";
  const c = record.coverage;
  const holder = c.subscriber;
  return {
    form: institutional ? "837I" : "837P", claimId: record.visitId.slice(0, 38), frequency: "1",
    placeOfService: institutional ? null : "11", facilityType: institutional ? "13" : null,
    billingProvider: record.billingProvider,
    subscriber: {
      memberId: c.memberId ?? c.patientMemberId ?? "UNKNOWN",
      lastName: holder?.lastName ?? record.patient.lastName, firstName: holder?.firstName ?? record.patient.firstName,
      birthDate: holder?.birthDate ?? record.patient.birthDate, gender: GENDER[(holder?.gender ?? record.patient.gender ?? "").toLowerCase()] ?? "U",
      address: null, groupNumber: null, filingIndicator: FILING[c.payerType ?? ""] ?? "ZZ",
    },
    patient: dependentOf(record),
    payer: { name: c.payerName ?? "UNKNOWN", id: c.payerId ?? "UNKNOWN" },
    priorAuthorization,
    statementFrom: institutional ? record.dateOfService : null, statementTo: institutional ? record.dateOfService : null,
  };
}

/** The claim of the lines not removed. */
export function buildClaim(header: ClaimHeader, diagnoses: string[], lines: WorkLine[], totalCharge?: string): Claim {
  const codes: string[] = [];
  for (const d of diagnoses) {
    const c = icd10ForX12(d);
    if (!codes.includes(c)) codes.push(c);
  }
  const kept = lines.filter((l) => !l.removed);
  const institutional = header.form === "837I";
  return {
    ...header, totalCharge: totalCharge ?? sumCharges(kept.map((l) => l.charge)), diagnoses: codes.slice(0, 12),
    lines: kept.map((l): ServiceLine => {
      const pointers = [...new Set(l.diagnosisCodes.map((d) => codes.indexOf(dx(d)) + 1).filter((p) => p > 0 && p <= 12))].slice(0, 4);
      const n = l.ndc === null ? null : normalizeNdc(l.ndc);
      return {
        procedure: { code: l.code, modifiers: [...l.modifiers] }, revenueCode: institutional ? l.revenueCode : null, charge: l.charge, units: l.units,
        unitBasis: "UN", serviceDate: l.serviceDate, serviceDateEnd: null, diagnosisPointers: pointers,
        drug: n?.ok === true && l.ndcQuantity !== null ? { ndc11: n.ndc11, quantity: l.ndcQuantity, unit: l.ndcUnit ?? "UN" } : null,
        note: null, lineControlNumber: l.id,
      };
    }),
  };
}
