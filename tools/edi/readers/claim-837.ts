/**
 * 837P and 837I readers (claims arriving from a practice-management system). They read what
 * arrived, loosely typed (legacy ICD-9 qualifiers, missing addresses are kept as they are);
 * `toClaimModel` turns a received claim into the strict claim model, naming what does not fit.
 */
import { z } from "zod";
import { BadInputError } from "../../errors.js";
import { Claim } from "../../claim/claim.js";
import type { Transaction } from "../envelope.js";
import { sameAmount, total } from "../exact-amounts.js";
import type { X12Issue } from "../issues.js";
import { components, el, type Segment } from "../tokenizer.js";
import { ValueReader } from "../values.js";

const Addr = z.object({ line1: z.string().nullable(), line2: z.string().nullable(), city: z.string().nullable(), state: z.string().nullable(), zip: z.string().nullable() });

export const ReceivedLine = z.object({
  procedure: z.object({ qualifier: z.string(), code: z.string(), modifiers: z.array(z.string()), description: z.string().nullable() }),
  revenueCode: z.string().nullable(),
  charge: z.string().nullable(),
  unitBasis: z.string().nullable(),
  units: z.number().nullable(),
  placeOfService: z.string().nullable(),
  diagnosisPointers: z.array(z.number()),
  serviceDate: z.string().nullable(),
  serviceDateEnd: z.string().nullable(),
  drug: z.object({ qualifier: z.string(), ndc: z.string(), quantity: z.number().nullable(), unit: z.string().nullable() }).nullable(),
  notes: z.array(z.string()),
  lineControlNumber: z.string().nullable(),
});
export type ReceivedLine = z.infer<typeof ReceivedLine>;

/** The patient loop (2000C/2010CA) as received: a dependent, with PAT01 their relationship to the subscriber. */
export const ReceivedPatient = z.object({
  relationship: z.string().nullable().describe("PAT01 individual relationship code (01 spouse, 19 child, …)"),
  lastName: z.string().nullable(), firstName: z.string().nullable(), birthDate: z.string().nullable(), gender: z.string().nullable(), address: Addr.nullable(),
});
export type ReceivedPatient = z.infer<typeof ReceivedPatient>;

export const ReceivedClaim = z.object({
  form: z.enum(["837P", "837I"]),
  claimId: z.string(),
  totalCharge: z.string().nullable(),
  facilityCode: z.string().nullable().describe("CLM05-1: place of service (837P) or facility type (837I)"),
  facilityQualifier: z.string().nullable(),
  frequency: z.string().nullable(),
  billingProvider: z.object({
    name: z.string().nullable(),
    idQualifier: z.string().nullable().describe("NM108 as sent (XX NPI in 5010)"),
    id: z.string().nullable().describe("NM109, whatever NM108 says it is"),
    npi: z.string().nullable().describe("NM109 when NM108 is XX; null otherwise"),
    taxId: z.string().nullable(),
    address: Addr.nullable(),
  }),
  subscriber: z.object({ relationship: z.string().nullable().default(null).describe("SBR02: 18 when the patient is the subscriber, empty otherwise"), lastName: z.string().nullable(), firstName: z.string().nullable(), memberIdQualifier: z.string().nullable().describe("NM108: MI member id, II unique health id"), memberId: z.string().nullable(), birthDate: z.string().nullable(), gender: z.string().nullable(), address: Addr.nullable(), groupNumber: z.string().nullable(), filingIndicator: z.string().nullable() }),
  patient: ReceivedPatient.nullable().default(null).describe("2000C/2010CA: the patient when not the subscriber; null when the claim sits under the subscriber (2000B)"),
  payer: z.object({ name: z.string().nullable(), idQualifier: z.string().nullable().describe("NM108: PI payer id, XV CMS plan id"), id: z.string().nullable() }),
  priorAuthorization: z.string().nullable(),
  diagnoses: z.array(z.object({ qualifier: z.string(), code: z.string() })),
  statementFrom: z.string().nullable(),
  statementTo: z.string().nullable(),
  lines: z.array(ReceivedLine),
});
export type ReceivedClaim = z.infer<typeof ReceivedClaim>;

const DIAGNOSIS_QUALIFIERS = new Set(["ABK", "ABF", "BK", "BF", "APR", "PR", "ABJ", "BJ"]);
const address = (n3: Segment | null, n4: Segment | null) =>
  n3 === null && n4 === null ? null : { line1: n3 === null ? null : el(n3, 1) || null, line2: n3 === null ? null : el(n3, 2) || null, city: n4 === null ? null : el(n4, 1) || null, state: n4 === null ? null : el(n4, 2) || null, zip: n4 === null ? null : el(n4, 3) || null };
const noProvider = (): ReceivedClaim["billingProvider"] => ({ name: null, idQualifier: null, id: null, npi: null, taxId: null, address: null });
const noSubscriber = (): ReceivedClaim["subscriber"] => ({ relationship: null, lastName: null, firstName: null, memberIdQualifier: null, memberId: null, birthDate: null, gender: null, address: null, groupNumber: null, filingIndicator: null });
const noPatient = (): ReceivedPatient => ({ relationship: null, lastName: null, firstName: null, birthDate: null, gender: null, address: null });
const noPayer = (): ReceivedClaim["payer"] => ({ name: null, idQualifier: null, id: null });

/** Reads every claim of one 837 transaction. */
export function read837(tx: Transaction, issues: X12Issue[]): ReceivedClaim[] {
  const v = new ValueReader(issues, tx.controlNumber);
  const form: "837P" | "837I" = tx.implementationRef.includes("X223") ? "837I" : "837P";
  const claims: ReceivedClaim[] = [];
  const claimSegments: Segment[] = [];
  let provider = noProvider();
  let subscriber = noSubscriber();
  let payer = noPayer();
  let patient = null as ReceivedPatient | null;
  let entity: "85" | "IL" | "QC" | "PR" | "other" | null = null;
  let n3: Segment | null = null;
  let claim: ReceivedClaim | null = null;
  let line: ReceivedLine | null = null;
  let sbrCount = 0;
  const flushAddress = (n4: Segment) => {
    if (entity === "85") provider = { ...provider, address: address(n3, n4) };
    else if (entity === "IL" && claim === null) subscriber = { ...subscriber, address: address(n3, n4) };
    else if (entity === "QC" && claim === null && patient !== null) patient = { ...patient, address: address(n3, n4) };
    n3 = null;
  };
  for (const s of tx.segments) {
    switch (s.id) {
      case "HL": {
        const level = el(s, 3);
        if (level === "20") provider = noProvider();
        // A new subscriber (2000B) starts from nothing: what the previous subscriber loop said
        // (birth date, gender, address, payer) is not this one's.
        if (level === "22") { subscriber = noSubscriber(); payer = noPayer(); patient = null; }
        // A patient level (2000C) names a dependent of the subscriber above it; each starts from nothing.
        if (level === "23") patient = noPatient();
        if (level === "22" || level === "23") { claim = null; line = null; sbrCount = 0; }
        entity = null;
        n3 = null;
        break;
      }
      case "SBR":
        sbrCount += 1;
        // Only the first SBR of a subscriber loop is the subscriber; later ones are other payers (2320).
        if (sbrCount === 1 && claim === null) subscriber = { ...subscriber, relationship: el(s, 2) || null, groupNumber: el(s, 3) || null, filingIndicator: el(s, 9) || null };
        entity = "other";
        break;
      case "NM1": {
        const code = el(s, 1);
        n3 = null;
        if (line !== null || (claim !== null && code !== "PR")) { entity = "other"; break; }
        // NM108 says what NM109 is; only XX (the NPI) is an NPI.
        const qualifier = el(s, 8) || null;
        const id = el(s, 9) || null;
        if (code === "85") { entity = "85"; provider = { ...provider, name: el(s, 3) || null, idQualifier: qualifier, id, npi: qualifier === "XX" ? id : null }; }
        else if (code === "IL" && claim === null) { entity = "IL"; subscriber = { ...subscriber, lastName: el(s, 3) || null, firstName: el(s, 4) || null, memberIdQualifier: qualifier, memberId: id }; }
        else if (code === "PR" && claim === null) { entity = "PR"; payer = { name: el(s, 3) || null, idQualifier: qualifier, id }; }
        else if (code === "QC" && claim === null && patient !== null) { entity = "QC"; patient = { ...patient, lastName: el(s, 3) || null, firstName: el(s, 4) || null }; }
        else entity = "other";
        break;
      }
      case "PAT":
        if (patient !== null && claim === null) patient = { ...patient, relationship: el(s, 1) || null };
        break;
      case "N3":
        n3 = s;
        break;
      case "N4":
        flushAddress(s);
        break;
      case "DMG":
        if (entity === "IL" && claim === null) subscriber = { ...subscriber, birthDate: v.date(s, 2, "birth date"), gender: el(s, 3) || null };
        else if (entity === "QC" && claim === null && patient !== null) patient = { ...patient, birthDate: v.date(s, 2, "patient birth date"), gender: el(s, 3) || null };
        break;
      case "REF":
        if (entity === "85" && el(s, 1) === "EI") provider = { ...provider, taxId: el(s, 2) };
        else if (line !== null && el(s, 1) === "6R") line.lineControlNumber = el(s, 2);
        // 2300 REF*G1 only: a G1 under another payer (2330B) is that payer's authorization.
        else if (claim !== null && line === null && entity === null && el(s, 1) === "G1" && claim.priorAuthorization === null) claim.priorAuthorization = el(s, 2);
        break;
      case "CLM": {
        const loc = components(s, 5);
        line = null;
        entity = null;
        claim = {
          form, claimId: v.required(s, 1, "patient control number"), totalCharge: v.amount(s, 2, "total claim charge", true),
          facilityCode: loc[0] || null, facilityQualifier: loc[1] || null, frequency: loc[2] || null,
          billingProvider: provider, subscriber, patient, payer, priorAuthorization: null, diagnoses: [], statementFrom: null, statementTo: null, lines: [],
        };
        claims.push(claim);
        claimSegments.push(s);
        break;
      }
      case "DTP": {
        const q = el(s, 1);
        if (line !== null && q === "472") {
          const p = v.period(s, 2, 3);
          line.serviceDate = p?.start ?? null;
          line.serviceDateEnd = p !== null && p.end !== p.start ? p.end : null;
        } else if (claim !== null && line === null && q === "434") {
          const p = v.period(s, 2, 3);
          claim.statementFrom = p?.start ?? null;
          claim.statementTo = p?.end ?? null;
        }
        break;
      }
      case "HI":
        if (claim === null) break;
        for (let i = 1; i <= 12; i += 1) {
          const [qualifier = "", code = ""] = components(s, i);
          // A qualifier without its code is the grammar's COMPONENT_MISSING, never an empty diagnosis.
          if (code !== "" && DIAGNOSIS_QUALIFIERS.has(qualifier)) claim.diagnoses.push({ qualifier, code });
        }
        break;
      case "LX":
        line = null;
        break;
      case "SV1":
      case "SV2": {
        if (claim === null) { v.segmentIssue("SEGMENT_UNEXPECTED", `${s.id} before any CLM`, s); break; }
        const at = s.id === "SV1" ? 1 : 2;
        const p = components(s, at);
        line = {
          procedure: { qualifier: p[0] ?? "", code: p[1] ?? "", modifiers: p.slice(2, 6).filter((m) => m !== ""), description: p[6] || null },
          revenueCode: s.id === "SV2" ? el(s, 1) || null : null,
          charge: v.amount(s, at + 1, "line charge", true), unitBasis: el(s, at + 2) || null, units: v.quantity(s, at + 3, "units"),
          placeOfService: s.id === "SV1" ? el(s, 5) || null : null,
          diagnosisPointers: s.id === "SV1" ? components(s, 7).map(Number).filter((n) => Number.isInteger(n) && n > 0) : [],
          serviceDate: null, serviceDateEnd: null, drug: null, notes: [], lineControlNumber: null,
        };
        claim.lines.push(line);
        break;
      }
      case "NTE":
        if (line !== null) line.notes.push(el(s, 2));
        break;
      case "LIN":
        if (line !== null) line.drug = { qualifier: el(s, 2), ndc: el(s, 3), quantity: null, unit: null };
        break;
      case "CTP":
        if (line?.drug != null) {
          line.drug.quantity = v.quantity(s, 4, "NDC quantity");
          line.drug.unit = el(s, 5) || null;
        }
        break;
      default:
        break;
    }
  }
  claims.forEach((c, i) => checkBalance(c, claimSegments[i] as Segment, v));
  return claims;
}

/**
 * CLM02 is the sum of the claim's line charges (005010X222A1 / X223A2 2300 CLM02; SV102 on an
 * 837P, SV203 on an 837I). Claims without lines, or with an unreadable amount, are reported
 * elsewhere (LOOP_MISSING, AMOUNT_INVALID) and not compared.
 */
function checkBalance(c: ReceivedClaim, clm: Segment, v: ValueReader): void {
  if (c.totalCharge === null || c.lines.length === 0) return;
  const charges: string[] = [];
  for (const l of c.lines) {
    if (l.charge === null) return;
    charges.push(l.charge);
  }
  const lineTotal = total(charges);
  if (!sameAmount(lineTotal, c.totalCharge)) {
    v.segmentIssue("BALANCE_MISMATCH", `Claim ${c.claimId}: CLM02 total charge ${c.totalCharge} is not the sum of the line charges (${c.form === "837I" ? "SV203" : "SV102"}), ${lineTotal}`, clm, 2);
  }
}

/** Converts a received claim into the strict claim model; names every field that does not fit. */
export function toClaimModel(r: ReceivedClaim): Claim {
  const institutional = r.form === "837I";
  const candidate = {
    form: r.form, claimId: r.claimId, totalCharge: r.totalCharge, frequency: r.frequency ?? "1",
    placeOfService: institutional ? null : r.facilityCode, facilityType: institutional ? r.facilityCode : null,
    billingProvider: { name: r.billingProvider.name, npi: r.billingProvider.npi, taxId: r.billingProvider.taxId, address: r.billingProvider.address },
    subscriber: { lastName: r.subscriber.lastName, firstName: r.subscriber.firstName, memberId: r.subscriber.memberId, birthDate: r.subscriber.birthDate, gender: r.subscriber.gender,
      address: r.subscriber.address, groupNumber: r.subscriber.groupNumber, filingIndicator: r.subscriber.filingIndicator },
    patient: r.patient === null ? null : { relationship: r.patient.relationship, lastName: r.patient.lastName, firstName: r.patient.firstName, birthDate: r.patient.birthDate, gender: r.patient.gender, address: r.patient.address },
    payer: { name: r.payer.name, id: r.payer.id }, priorAuthorization: r.priorAuthorization, diagnoses: r.diagnoses.map((d) => d.code),
    statementFrom: r.statementFrom, statementTo: r.statementTo,
    lines: r.lines.map((l) => ({
      procedure: { code: l.procedure.code, modifiers: l.procedure.modifiers }, revenueCode: l.revenueCode, charge: l.charge, units: l.units,
      unitBasis: l.unitBasis ?? "UN", serviceDate: l.serviceDate, serviceDateEnd: l.serviceDateEnd, diagnosisPointers: l.diagnosisPointers,
      drug: l.drug === null ? null : { ndc11: l.drug.ndc, quantity: l.drug.quantity, unit: l.drug.unit },
      note: l.notes[0] ?? null, lineControlNumber: l.lineControlNumber,
    })),
  };
  const parsed = Claim.safeParse(candidate);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new BadInputError(`Claim ${r.claimId} does not fit the claim model — ${problems.join("; ")}`, { code: "INVALID_X12", details: { problems } });
  }
  return parsed.data;
}
