/**
 * 278 response (005010X217), 999 implementation acknowledgment (005010X231A1) and 277 claim
 * acknowledgment / status (005010X214, 005010X212) readers.
 */
import { z } from "zod";
import type { Transaction } from "../envelope.js";
import type { X12Issue } from "../issues.js";
import { components, el, type Segment } from "../tokenizer.js";
import { ValueReader, diagnosisCodes, serviceLine } from "../values.js";
import { providerName } from "./parties.js";

const Rejection = z.object({ code: z.string(), followUp: z.string().nullable() });

/** 278 response: the payer's decision on each requested service. */
export const AuthResponse278 = z.object({
  trace: z.string().nullable(),
  traceOriginator: z.string().nullable().describe("TRN03 of the requester's trace, echoed (TRN*2)"),
  umo: z.object({ name: z.string().nullable(), idQualifier: z.string().nullable().describe("NM108: PI payer id, XV CMS plan id, 46 ETIN …"), id: z.string().nullable() }),
  subscriber: z.object({ lastName: z.string().nullable(), firstName: z.string().nullable(), memberId: z.string().nullable() }),
  decisions: z.array(z.object({
    level: z.enum(["event", "service"]),
    action: z.string().describe("HCR01: A1 certified in total, A2 partial, A3 not certified, A4 pended, A6 modified, C cancelled, CT contact payer"),
    authorizationNumber: z.string().nullable(),
    reason: z.string().nullable(),
    procedure: z.object({ qualifier: z.string(), code: z.string(), modifiers: z.array(z.string()) }).nullable(),
    quantity: z.number().nullable(),
    quantityQualifier: z.string().nullable(),
    certifiedFrom: z.string().nullable(),
    certifiedTo: z.string().nullable(),
    diagnoses: z.array(z.string()),
    messages: z.array(z.string()),
  })),
  rejections: z.array(Rejection),
});
export type AuthResponse278 = z.infer<typeof AuthResponse278>;

export function read278Response(tx: Transaction, issues: X12Issue[]): AuthResponse278 {
  const v = new ValueReader(issues, tx.controlNumber);
  const out: AuthResponse278 = { trace: null, traceOriginator: null, umo: { name: null, idQualifier: null, id: null }, subscriber: { lastName: null, firstName: null, memberId: null }, decisions: [], rejections: [] };
  let level: string | null = null;
  let decision: AuthResponse278["decisions"][number] | null = null;
  let decided = false;
  for (const s of tx.segments) {
    switch (s.id) {
      case "HL":
        level = el(s, 3);
        // A level is a decision when it carries an HCR; an event level that only groups its
        // services (trace and UM, no HCR) is not one.
        decision = level === "EV" || level === "SS"
          ? { level: level === "EV" ? "event" : "service", action: "", authorizationNumber: null, reason: null, procedure: null, quantity: null, quantityQualifier: null, certifiedFrom: null, certifiedTo: null, diagnoses: [], messages: [] }
          : null;
        decided = false;
        break;
      case "TRN":
        if (out.trace === null) {
          out.trace = el(s, 2) || null;
          out.traceOriginator = el(s, 3) || null;
        }
        break;
      case "NM1":
        if (level === "20") out.umo = { name: el(s, 3) || null, idQualifier: el(s, 8) || null, id: el(s, 9) || null };
        else if (level === "22" && el(s, 1) === "IL") out.subscriber = { lastName: el(s, 3) || null, firstName: el(s, 4) || null, memberId: el(s, 9) || null };
        break;
      case "AAA":
        out.rejections.push({ code: v.required(s, 3, "reject reason code"), followUp: el(s, 4) || null });
        break;
      case "HI":
        decision?.diagnoses.push(...diagnosisCodes(s));
        break;
      case "HCR":
        if (decision === null) { v.segmentIssue("SEGMENT_UNEXPECTED", "HCR outside a patient event or service level", s); break; }
        if (!decided) out.decisions.push(decision);
        decided = true;
        decision.action = v.required(s, 1, "action code");
        if (el(s, 2) !== "") decision.authorizationNumber = el(s, 2);
        decision.reason = el(s, 3) || null;
        break;
      case "REF":
        if (decision !== null && (el(s, 1) === "BB" || el(s, 1) === "NT") && decision.authorizationNumber === null) decision.authorizationNumber = el(s, 2);
        break;
      case "DTP":
        if (decision !== null && ["472", "AAH", "198"].includes(el(s, 1))) {
          const p = v.period(s, 2, 3);
          decision.certifiedFrom = p?.start ?? null;
          decision.certifiedTo = p?.end ?? null;
        }
        break;
      case "SV1":
      case "SV2":
        if (decision !== null) Object.assign(decision, serviceLine(s, v));
        break;
      case "HSD":
        if (decision !== null && decision.quantity === null) {
          decision.quantityQualifier = el(s, 1) || null;
          decision.quantity = v.quantity(s, 2, "quantity");
        }
        break;
      case "MSG":
        decision?.messages.push(el(s, 1));
        break;
      default:
        break;
    }
  }
  if (out.decisions.length === 0 && out.rejections.length === 0) v.segmentIssue("SEGMENT_MISSING", "278 response has neither a decision (HCR) nor a rejection (AAA)", tx.segments[0] ?? null, undefined, "warning");
  return out;
}

/** 999: accepted / rejected per transaction set with the segment and element errors. */
export const Ack999 = z.object({
  functionalId: z.string(),
  groupControl: z.string(),
  version: z.string().nullish().describe("AK103: the acknowledged group's version/release/industry identifier (GS08), e.g. 005010X222A1"),
  groupStatus: z.string().nullable().describe("AK901: A accepted, E accepted with errors, P partially accepted, R rejected"),
  transactions: z.array(z.object({
    type: z.string(),
    controlNumber: z.string(),
    status: z.string().describe("IK501: A, E or R"),
    accepted: z.boolean(),
    codes: z.array(z.string()),
    errors: z.array(z.object({
      segmentId: z.string(), segmentPosition: z.number().nullable(), loop: z.string().nullable(), code: z.string(),
      elements: z.array(z.object({ position: z.string(), code: z.string(), badValue: z.string().nullable() })),
    })),
  })),
  counts: z.object({ included: z.number().nullable(), received: z.number().nullable(), accepted: z.number().nullable() }),
});
export type Ack999 = z.infer<typeof Ack999>;

export function read999(tx: Transaction, issues: X12Issue[]): Ack999 {
  const v = new ValueReader(issues, tx.controlNumber);
  const out: Ack999 = { functionalId: "", groupControl: "", version: null, groupStatus: null, transactions: [], counts: { included: null, received: null, accepted: null } };
  let current: Ack999["transactions"][number] | null = null;
  let error: Ack999["transactions"][number]["errors"][number] | null = null;
  for (const s of tx.segments) {
    switch (s.id) {
      case "AK1":
        out.functionalId = v.required(s, 1, "functional identifier code");
        out.groupControl = v.required(s, 2, "group control number");
        out.version = el(s, 3) || null;
        break;
      case "AK2":
        current = { type: el(s, 1), controlNumber: el(s, 2), status: "", accepted: false, codes: [], errors: [] };
        out.transactions.push(current);
        error = null;
        break;
      case "IK3":
        error = { segmentId: el(s, 1), segmentPosition: v.quantity(s, 2, "segment position"), loop: el(s, 3) || null, code: el(s, 4), elements: [] };
        current?.errors.push(error);
        break;
      case "IK4":
        error?.elements.push({ position: components(s, 1).join(":"), code: el(s, 3), badValue: el(s, 4) || null });
        break;
      case "IK5":
        if (current !== null) {
          current.status = v.required(s, 1, "transaction set acknowledgment code");
          current.accepted = current.status === "A" || current.status === "E";
          for (let i = 2; i <= 6; i += 1) if (el(s, i) !== "") current.codes.push(el(s, i));
        }
        break;
      case "AK9":
        out.groupStatus = el(s, 1) || null;
        out.counts = { included: v.quantity(s, 2, "included"), received: v.quantity(s, 3, "received"), accepted: v.quantity(s, 4, "accepted") };
        break;
      default:
        break;
    }
  }
  return out;
}

const Status = z.object({ category: z.string(), status: z.string().nullable(), entity: z.string().nullable(), date: z.string().nullable(), action: z.string().nullable(), amount: z.string().nullable() });
const Party = z.object({ name: z.string().nullable(), idQualifier: z.string().nullable(), id: z.string().nullable() });

/**
 * 277CA (005010X214) and 277 (005010X212): statuses at the level they are given. The 2200B
 * information-receiver TRN/STC (HL 21) acknowledges the submitter's batch; a claim is a 2200D/E
 * TRN*2 under a patient or subscriber/dependent level (HL PT, 22, 23); an STC after an SVC
 * (2220D/E) is that service line's, not the claim's.
 */
export const ClaimStatus277 = z.object({
  batches: z.array(z.object({
    receiver: Party.describe("2100B NM1*41: the submitter the batch came from"),
    trace: z.string().nullable().describe("2200B TRN02: the claim transaction batch number"),
    statuses: z.array(Status),
    acceptedQuantity: z.number().nullable().describe("QTY*90"),
    rejectedQuantity: z.number().nullable().describe("QTY*AA"),
    acceptedAmount: z.string().nullable().describe("AMT*YU"),
    rejectedAmount: z.string().nullable().describe("AMT*YY"),
  })),
  claims: z.array(z.object({
    patientControlNumber: z.string().nullable(),
    payerClaimControlNumber: z.string().nullable(),
    patient: z.object({ lastName: z.string().nullable(), firstName: z.string().nullable(), idQualifier: z.string().nullable().describe("NM108: MI member id, II unique health id"), memberId: z.string().nullable() }),
    provider: Party.extend({ npi: z.string().nullable().describe("NM109 when NM108 is XX") }).nullable().describe("2100C billing (85) or service (1P) provider"),
    statuses: z.array(Status).describe("Claim-level STC (2200D/E) only"),
    accepted: z.boolean().describe("Every claim-level category is an acknowledgment/acceptance (A1/A2), pending (P) or finalized (F) one"),
    serviceFrom: z.string().nullable(),
    serviceTo: z.string().nullable(),
    lines: z.array(z.object({
      procedure: z.object({ qualifier: z.string(), code: z.string(), modifiers: z.array(z.string()) }).nullable(),
      charge: z.string().nullable(),
      revenueCode: z.string().nullable(),
      units: z.number().nullable(),
      lineControlNumber: z.string().nullable().describe("REF*FJ"),
      serviceFrom: z.string().nullable(),
      serviceTo: z.string().nullable(),
      statuses: z.array(Status).describe("Line-level STC (2220D/E)"),
    })),
  })),
});
export type ClaimStatus277 = z.infer<typeof ClaimStatus277>;

const REJECTED = new Set(["A3", "A4", "A6", "A7", "A8", "E0", "E1", "E2", "E3"]);
const PATIENT_LEVELS = new Set(["PT", "22", "23"]);

export function read277(tx: Transaction, issues: X12Issue[]): ClaimStatus277 {
  const v = new ValueReader(issues, tx.controlNumber);
  const out: ClaimStatus277 = { batches: [], claims: [] };
  type Claim = ClaimStatus277["claims"][number];
  let level = "";
  let receiver: z.infer<typeof Party> = { name: null, idQualifier: null, id: null };
  let batch: ClaimStatus277["batches"][number] | null = null;
  let provider: Claim["provider"] = null;
  let patient: Claim["patient"] = { lastName: null, firstName: null, idQualifier: null, memberId: null };
  let claim: Claim | null = null;
  let line: Claim["lines"][number] | null = null;
  const stc = (s: Segment) => {
    const [category = "", status = "", entity = ""] = components(s, 1);
    return { category, status: status || null, entity: entity || null, date: v.date(s, 2, "status date"), action: el(s, 3) || null, amount: v.amount(s, 4, "total charge") };
  };
  for (const s of tx.segments) {
    switch (s.id) {
      case "HL":
        level = el(s, 3);
        batch = null;
        claim = null;
        line = null;
        if (level === "21") receiver = { name: null, idQualifier: null, id: null };
        if (level === "19") provider = null;
        if (PATIENT_LEVELS.has(level)) patient = { lastName: null, firstName: null, idQualifier: null, memberId: null };
        break;
      case "NM1": {
        const code = el(s, 1);
        if (level === "21" && code === "41") receiver = { name: el(s, 3) || null, idQualifier: el(s, 8) || null, id: el(s, 9) || null };
        else if (level === "19" && (code === "85" || code === "1P")) provider = providerName(s);
        else if (PATIENT_LEVELS.has(level) && (code === "QC" || code === "IL")) patient = { lastName: el(s, 3) || null, firstName: el(s, 4) || null, idQualifier: el(s, 8) || null, memberId: el(s, 9) || null };
        break;
      }
      case "TRN":
        if (el(s, 1) !== "2") break;
        if (level === "21") {
          // 2200B: the information receiver's batch, acknowledged as a whole.
          batch = { receiver, trace: el(s, 2) || null, statuses: [], acceptedQuantity: null, rejectedQuantity: null, acceptedAmount: null, rejectedAmount: null };
          out.batches.push(batch);
        } else if (PATIENT_LEVELS.has(level)) {
          line = null;
          claim = { patientControlNumber: el(s, 2) || null, payerClaimControlNumber: null, patient, provider, statuses: [], accepted: false, serviceFrom: null, serviceTo: null, lines: [] };
          out.claims.push(claim);
        }
        break;
      case "STC":
        if (line !== null) line.statuses.push(stc(s));
        else if (claim !== null) claim.statuses.push(stc(s));
        else if (batch !== null) batch.statuses.push(stc(s));
        break;
      case "QTY":
        if (batch !== null && el(s, 1) === "90") batch.acceptedQuantity = v.quantity(s, 2, "total accepted quantity");
        else if (batch !== null && el(s, 1) === "AA") batch.rejectedQuantity = v.quantity(s, 2, "total rejected quantity");
        break;
      case "AMT":
        if (batch !== null && el(s, 1) === "YU") batch.acceptedAmount = v.amount(s, 2, "total accepted amount");
        else if (batch !== null && el(s, 1) === "YY") batch.rejectedAmount = v.amount(s, 2, "total rejected amount");
        break;
      case "SVC": {
        if (claim === null) break;
        const p = components(s, 1);
        line = {
          procedure: p.length === 0 ? null : { qualifier: p[0] ?? "", code: p[1] ?? "", modifiers: p.slice(2, 6).filter((m) => m !== "") },
          charge: v.amount(s, 2, "line charge"), revenueCode: el(s, 4) || null, units: v.quantity(s, 7, "units of service"),
          lineControlNumber: null, serviceFrom: null, serviceTo: null, statuses: [],
        };
        claim.lines.push(line);
        break;
      }
      case "REF":
        if (line !== null && el(s, 1) === "FJ") line.lineControlNumber = el(s, 2);
        else if (line === null && claim !== null && el(s, 1) === "1K") claim.payerClaimControlNumber = el(s, 2);
        break;
      case "DTP": {
        if (el(s, 1) !== "472" || (line === null && claim === null)) break;
        const p = v.period(s, 2, 3);
        const target = line ?? claim;
        if (target !== null) {
          target.serviceFrom = p?.start ?? null;
          target.serviceTo = p?.end ?? null;
        }
        break;
      }
      default:
        break;
    }
  }
  for (const c of out.claims) c.accepted = c.statuses.length > 0 && c.statuses.every((x) => !REJECTED.has(x.category));
  return out;
}
