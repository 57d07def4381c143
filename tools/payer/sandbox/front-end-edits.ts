/**
 * The sandbox payer's front-end edits: what a payer checks on an 837 claim that passed the 999
 * before it lets the claim into adjudication, answered in a 277CA (005010X214). A claim that
 * fails is rejected with a claim status category (A3 returned as unprocessable — information
 * missing; A7 rejected for invalid information) and a status code from the published Health Care
 * Claim Status Code list (X12 external code source 508), with the entity it concerns:
 *
 * | edit | STC01 | source |
 * | --- | --- | --- |
 * | billing NPI missing or failing its check digit (Luhn over 80840 + 9 digits) | A7:562:85 | code 562 "Entity's National Provider Identifier (NPI)", entity 85 billing provider; Humana Military 277CA guide "STC*A7:562:85 — Invalid billing NPI" |
 * | subscriber member id missing | A3:164:IL | 164 "Entity's contract/member number" |
 * | subscriber (or dependent patient) birth date missing | A3:158:IL (QC) | 158 "Entity's date of birth" |
 * | procedure code not in the sandbox's tables | A7:454 | 454 "Procedure code for services rendered" |
 * | principal / other diagnosis not an ICD-10-CM code (format, ICD-9 qualifier, a dot) | A7:254 / A7:255 | 254 "Principal diagnosis code", 255 "Diagnosis code" |
 * | the patient sent as the subscriber (SBR02 18) while the member file has them as a dependent | A7:156:QC | 156 "Patient relationship to subscriber" |
 *
 * Sources: the code descriptions as published in the X12 Health Care Claim Status Code list
 * (mirrored at primeclinical.com/News/5010/277CA_Codes/5010ClaimStatusCodes_files/5010ClaimStatusCodes.htm);
 * A7:562:85 as payers send it for an invalid billing NPI (humanamilitary.com/provider/education-and-resources/claims/npi-issues;
 * cms.officeally.com/blog/a3-562-and-entity-85 for A3:562:85); the NPI check digit per CMS's NPI
 * check-digit standard (tools/claim/npi.ts).
 *
 * An unknown member id is not a front-end edit here: the claim is accepted and adjudication
 * denies it (CO-31), as most payers do. Accepted claims get A2:20 "Accepted for processing".
 */
import type pg from "pg";
import type { CodingTables } from "../../coding/coding-tables.js";
import { sumMoney } from "../../claim/claim.js";
import { isValidNpi } from "../../claim/npi.js";
import type { ClaimStatus277 } from "../../edi/readers/acknowledgments.js";
import type { ReceivedClaim } from "../../edi/readers/claim-837.js";
import type { PayerConfig } from "./payer-config.js";
import { findDependents, findMember } from "./payer-store.js";

/** One reason a claim is rejected: STC01's category, status and entity, and the line it concerns (index), if any. */
export interface FrontEndRejection {
  category: "A3" | "A7";
  status: string;
  entity: string | null;
  /** Index of the service line the reason is about (null: the claim). */
  line: number | null;
  /** Plain words for the biller (never PHI). */
  reason: string;
}

/** ICD-10-CM without the dot (837 HI: "do not transmit the decimal point"): a letter, a digit, then 1–5 characters. */
const ICD10 = /^[A-Z]\d[0-9A-Z]{1,5}$/;
const ICD10_QUALIFIERS = new Set(["ABK", "ABF"]);

const same = (a: string | null, b: string | null) => (a ?? "").trim().toUpperCase() === (b ?? "").trim().toUpperCase();

/** Whether the sandbox knows a procedure code: HCPCS Level II in the ASP file or drug catalogue; CPT in the payer's fee schedule or the code edits. */
export function knownProcedure(tables: CodingTables, config: PayerConfig, code: string): boolean {
  if (/^[A-Z]\d{4}$/.test(code)) return tables.asp.latest(code) !== null || tables.drugs.byCode(code) !== undefined;
  if (/^\d{4}[0-9A-Z]$/.test(code)) return config.administrationFeeSchedule[code] !== undefined || tables.edits.mues.has(code) || tables.edits.pairs.some((p) => p.column1 === code || p.column2 === code);
  return false;
}

/** The reasons the payer rejects a claim at the front end; empty: accepted into adjudication. */
export async function frontEndEdits(pool: Pick<pg.Pool, "query">, config: PayerConfig, tables: CodingTables, c: ReceivedClaim): Promise<FrontEndRejection[]> {
  const out: FrontEndRejection[] = [];
  if (!isValidNpi(c.billingProvider.npi)) {
    out.push({ category: "A7", status: "562", entity: "85", line: null, reason: c.billingProvider.npi === null ? "The billing provider has no NPI (NM108 XX)" : "The billing provider's NPI fails its check digit" });
  }
  if (c.subscriber.memberId === null) out.push({ category: "A3", status: "164", entity: "IL", line: null, reason: "The subscriber's member id is missing" });
  if (c.subscriber.birthDate === null && c.patient === null) out.push({ category: "A3", status: "158", entity: "IL", line: null, reason: "The subscriber's birth date is missing" });
  if (c.patient !== null && c.patient.birthDate === null) out.push({ category: "A3", status: "158", entity: "QC", line: null, reason: "The patient's birth date is missing" });
  c.diagnoses.forEach((d, i) => {
    if (ICD10_QUALIFIERS.has(d.qualifier) && ICD10.test(d.code)) return;
    const principal = i === 0;
    out.push({ category: "A7", status: principal ? "254" : "255", entity: null, line: null, reason: `${principal ? "The principal diagnosis" : `Diagnosis ${i + 1}`} is not an ICD-10-CM code` });
  });
  c.lines.forEach((l, i) => {
    if (!knownProcedure(tables, config, l.procedure.code)) out.push({ category: "A7", status: "454", entity: null, line: i, reason: `Line ${i + 1}: procedure code ${l.procedure.code} is not a valid code` });
  });
  if (c.patient === null && c.subscriber.memberId !== null && c.payer.id !== null) {
    const member = await findMember(pool, c.payer.id, c.subscriber.memberId);
    const isMember = member !== null && same(member.firstName, c.subscriber.firstName) && same(member.birthDate, c.subscriber.birthDate);
    if (member !== null && !isMember) {
      const dependents = (await findDependents(pool, c.payer.id, [member.memberId])).get(member.memberId) ?? [];
      if (dependents.some((d) => same(d.firstName, c.subscriber.firstName) && same(d.lastName, c.subscriber.lastName) && same(d.birthDate, c.subscriber.birthDate))) {
        out.push({ category: "A7", status: "156", entity: "QC", line: null, reason: "The patient is a dependent on the member's policy but was sent as the subscriber (SBR02 18, no patient loop)" });
      }
    }
  }
  return out;
}

/**
 * The 277CA model for the claims of one 837 transaction set: the batch (2200B) acknowledged as
 * received (A1:19) with accepted and rejected counts and amounts, each claim accepted (A2:20,
 * with the payer's claim control number) or rejected with one STC per reason (A3/A7, action U);
 * a rejection about a line is repeated on that line (2220D).
 */
export function claimAcknowledgment(
  claims: readonly ReceivedClaim[],
  rejections: readonly FrontEndRejection[][],
  batch: { receiver: { name: string; idQualifier: string; id: string }; trace: string; today: string; payerClaimId: (c: ReceivedClaim) => string },
): ClaimStatus277 {
  const charge = (c: ReceivedClaim) => c.totalCharge ?? "0.00";
  const accepted = claims.filter((_, i) => (rejections[i] ?? []).length === 0);
  const rejected = claims.filter((_, i) => (rejections[i] ?? []).length > 0);
  const status = (category: string, code: string, entity: string | null, action: string, amount: string | null) => ({ category, status: code, entity, date: batch.today, action, amount });
  return {
    batches: [{
      receiver: batch.receiver, trace: batch.trace,
      statuses: [status("A1", "19", "PR", "WQ", sumMoney(claims.map(charge)))],
      acceptedQuantity: accepted.length, rejectedQuantity: rejected.length,
      acceptedAmount: sumMoney(accepted.map(charge)), rejectedAmount: sumMoney(rejected.map(charge)),
    }],
    claims: claims.map((c, i) => {
      const reasons = rejections[i] ?? [];
      const ok = reasons.length === 0;
      const dates = c.lines.flatMap((l) => [l.serviceDate, l.serviceDateEnd ?? l.serviceDate]).filter((d): d is string => d !== null).sort();
      const lines = [...new Set(reasons.flatMap((r) => (r.line === null ? [] : [r.line])))].map((n) => {
        const l = c.lines[n] as ReceivedClaim["lines"][number];
        return {
          procedure: { qualifier: l.procedure.qualifier || "HC", code: l.procedure.code, modifiers: l.procedure.modifiers }, charge: l.charge, revenueCode: l.revenueCode, units: l.units,
          // 2220D REF*FJ is required: the line item control number sent, or else the line's number (LX).
          lineControlNumber: l.lineControlNumber ?? String(n + 1), serviceFrom: l.serviceDate, serviceTo: l.serviceDateEnd ?? l.serviceDate,
          statuses: reasons.filter((r) => r.line === n).map((r) => status(r.category, r.status, r.entity, "U", null)),
        };
      });
      const patient = c.patient === null
        ? { lastName: c.subscriber.lastName, firstName: c.subscriber.firstName, idQualifier: c.subscriber.memberId === null ? null : "MI", memberId: c.subscriber.memberId }
        : { lastName: c.patient.lastName, firstName: c.patient.firstName, idQualifier: c.subscriber.memberId === null ? null : "MI", memberId: c.subscriber.memberId };
      return {
        patientControlNumber: c.claimId, payerClaimControlNumber: ok ? batch.payerClaimId(c) : null, patient,
        provider: { name: c.billingProvider.name, idQualifier: c.billingProvider.idQualifier, id: c.billingProvider.id, npi: c.billingProvider.npi },
        statuses: ok ? [status("A2", "20", "PR", "WQ", charge(c))] : reasons.map((r) => status(r.category, r.status, r.entity, "U", charge(c))),
        accepted: ok, serviceFrom: dates[0] ?? null, serviceTo: dates[dates.length - 1] ?? null, lines,
      };
    }),
  };
}
