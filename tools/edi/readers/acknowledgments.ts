/**
 * 278 response (005010X217), 999 implementation acknowledgment (005010X231A1) and 277 claim
 * acknowledgment / status (005010X214, 005010X212) readers.
 */
import { z } from "zod";
import type { Transaction } from "../envelope.js";
import type { X12Issue } from "../issues.js";
import { components, el, type Segment } from "../tokenizer.js";
import { ValueReader, serviceLine } from "../values.js";

const Rejection = z.object({ code: z.string(), followUp: z.string().nullable() });

/** 278 response: the payer's decision on each requested service. */
export const AuthResponse278 = z.object({
  trace: z.string().nullable(),
  umo: z.object({ name: z.string().nullable(), id: z.string().nullable() }),
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
  const out: AuthResponse278 = { trace: null, umo: { name: null, id: null }, subscriber: { lastName: null, firstName: null, memberId: null }, decisions: [], rejections: [] };
  let level: string | null = null;
  let decision: AuthResponse278["decisions"][number] | null = null;
  for (const s of tx.segments) {
    switch (s.id) {
      case "HL":
        level = el(s, 3);
        if (level === "EV" || level === "SS") {
          decision = { level: level === "EV" ? "event" : "service", action: "", authorizationNumber: null, reason: null, procedure: null, quantity: null, quantityQualifier: null, certifiedFrom: null, certifiedTo: null, diagnoses: [], messages: [] };
          out.decisions.push(decision);
        }
        break;
      case "TRN":
        out.trace ??= el(s, 2) || null;
        break;
      case "NM1":
        if (level === "20") out.umo = { name: el(s, 3) || null, id: el(s, 9) || null };
        else if (level === "22" && el(s, 1) === "IL") out.subscriber = { lastName: el(s, 3) || null, firstName: el(s, 4) || null, memberId: el(s, 9) || null };
        break;
      case "AAA":
        out.rejections.push({ code: v.required(s, 3, "reject reason code"), followUp: el(s, 4) || null });
        break;
      case "HI":
        for (let i = 1; i <= 12; i += 1) {
          const [q = "", code = ""] = components(s, i);
          if (q !== "") decision?.diagnoses.push(code);
        }
        break;
      case "HCR":
        if (decision === null) { v.segmentIssue("SEGMENT_UNEXPECTED", "HCR outside a patient event or service level", s); break; }
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
  const out: Ack999 = { functionalId: "", groupControl: "", groupStatus: null, transactions: [], counts: { included: null, received: null, accepted: null } };
  let current: Ack999["transactions"][number] | null = null;
  let error: Ack999["transactions"][number]["errors"][number] | null = null;
  for (const s of tx.segments) {
    switch (s.id) {
      case "AK1":
        out.functionalId = v.required(s, 1, "functional identifier code");
        out.groupControl = v.required(s, 2, "group control number");
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

/** 277CA / 277: status per claim (STC) with its identifiers. */
export const ClaimStatus277 = z.object({
  claims: z.array(z.object({
    patientControlNumber: z.string().nullable(),
    payerClaimControlNumber: z.string().nullable(),
    patient: z.object({ lastName: z.string().nullable(), firstName: z.string().nullable(), memberId: z.string().nullable() }),
    statuses: z.array(z.object({ category: z.string(), status: z.string().nullable(), entity: z.string().nullable(), date: z.string().nullable(), action: z.string().nullable(), amount: z.string().nullable() })),
    accepted: z.boolean().describe("Category A1/A2 (acknowledged, accepted into adjudication) or P/F (pending, finalized)"),
    serviceFrom: z.string().nullable(),
    serviceTo: z.string().nullable(),
  })),
});
export type ClaimStatus277 = z.infer<typeof ClaimStatus277>;

const REJECTED = new Set(["A3", "A4", "A6", "A7", "A8", "E0", "E1", "E2", "E3"]);

export function read277(tx: Transaction, issues: X12Issue[]): ClaimStatus277 {
  const v = new ValueReader(issues, tx.controlNumber);
  const out: ClaimStatus277 = { claims: [] };
  let claim: ClaimStatus277["claims"][number] | null = null;
  let patient = { lastName: null as string | null, firstName: null as string | null, memberId: null as string | null };
  const stc = (s: Segment) => {
    const [category = "", status = "", entity = ""] = components(s, 1);
    return { category, status: status || null, entity: entity || null, date: v.date(s, 2, "status date"), action: el(s, 3) || null, amount: v.amount(s, 4, "claim charge") };
  };
  for (const s of tx.segments) {
    switch (s.id) {
      case "HL":
        if (el(s, 3) === "PT" || el(s, 3) === "22") claim = null;
        break;
      case "NM1":
        if (el(s, 1) === "QC" || el(s, 1) === "IL") patient = { lastName: el(s, 3) || null, firstName: el(s, 4) || null, memberId: el(s, 9) || null };
        break;
      case "TRN":
        if (el(s, 1) === "2") {
          claim = { patientControlNumber: el(s, 2) || null, payerClaimControlNumber: null, patient, statuses: [], accepted: false, serviceFrom: null, serviceTo: null };
          out.claims.push(claim);
        }
        break;
      case "STC":
        if (claim !== null) {
          claim.statuses.push(stc(s));
          claim.accepted = claim.statuses.every((x) => !REJECTED.has(x.category));
        }
        break;
      case "REF":
        if (claim !== null && el(s, 1) === "1K") claim.payerClaimControlNumber = el(s, 2);
        break;
      case "DTP":
        if (claim !== null && el(s, 1) === "472") {
          const p = v.period(s, 2, 3);
          claim.serviceFrom = p?.start ?? null;
          claim.serviceTo = p?.end ?? null;
        }
        break;
      default:
        break;
    }
  }
  return out;
}
