/**
 * 835 Health Care Claim Payment/Advice (005010X221A1): payment (BPR, TRN), payer and payee
 * (1000A/B), claims (2100 CLP with CAS, NM1, MIA/MOA, REF, DTM, AMT), service lines (2110 SVC
 * with DTM, CAS, REF, AMT, LQ) and provider-level adjustments (PLB). Balancing is checked:
 * line charge − adjustments = paid; claim charge − claim and line adjustments = paid; payment =
 * Σ claim paid − PLB.
 */
import { z } from "zod";
import type { Transaction } from "../envelope.js";
import { difference, sameAmount, total } from "../exact-amounts.js";
import type { X12Issue } from "../issues.js";
import { components, el, type Segment } from "../tokenizer.js";
import { ValueReader } from "../values.js";

const Amount = z.string().regex(/^-?\d+\.\d{2,}$/);
const Adjustment = z.object({ group: z.string(), reason: z.string(), amount: Amount, quantity: z.number().nullable() });
const Procedure = z.object({ qualifier: z.string(), code: z.string(), modifiers: z.array(z.string()), description: z.string().nullable() });
const Party = z.object({ name: z.string().nullable(), idQualifier: z.string().nullable(), id: z.string().nullable() });
const Person = z.object({ entity: z.string(), lastName: z.string().nullable(), firstName: z.string().nullable(), idQualifier: z.string().nullable(), id: z.string().nullable() });

export const ServiceLine835 = z.object({
  procedure: Procedure,
  charge: Amount,
  paid: Amount,
  revenueCode: z.string().nullable(),
  units: z.number(),
  originalProcedure: Procedure.nullable(),
  originalUnits: z.number().nullable(),
  serviceDates: z.object({ start: z.string().nullable(), end: z.string().nullable() }),
  adjustments: z.array(Adjustment),
  remarks: z.array(z.object({ qualifier: z.string(), code: z.string() })),
  controlNumber: z.string().nullable(),
  allowed: Amount.nullable(),
});
export type ServiceLine835 = z.infer<typeof ServiceLine835>;

export const Claim835 = z.object({
  patientControlNumber: z.string(),
  status: z.string(),
  charge: Amount,
  paid: Amount,
  patientResponsibility: Amount.nullable(),
  filingIndicator: z.string().nullable(),
  payerClaimControlNumber: z.string().nullable(),
  facilityCode: z.string().nullable(),
  frequency: z.string().nullable(),
  adjustments: z.array(Adjustment),
  patient: Person.nullable(),
  insured: Person.nullable(),
  renderingProvider: Person.nullable(),
  outpatientRemarks: z.array(z.string()).describe("MOA remark codes"),
  inpatientRemarks: z.array(z.string()).describe("MIA remark codes"),
  references: z.array(z.object({ qualifier: z.string(), value: z.string() })),
  dates: z.object({ statementStart: z.string().nullable(), statementEnd: z.string().nullable(), received: z.string().nullable() }),
  lines: z.array(ServiceLine835),
});
export type Claim835 = z.infer<typeof Claim835>;

export const Remittance835 = z.object({
  payment: z.object({
    handling: z.string(),
    amount: Amount,
    creditDebit: z.string().nullable(),
    method: z.string().nullable(),
    date: z.string().nullable(),
    trace: z.object({ type: z.string(), number: z.string(), originatorId: z.string().nullable() }).nullable(),
  }),
  productionDate: z.string().nullable(),
  payer: Party,
  payee: Party,
  claims: z.array(Claim835),
  providerAdjustments: z.array(z.object({
    providerId: z.string(),
    fiscalPeriodEnd: z.string().nullable(),
    adjustments: z.array(z.object({ reason: z.string(), reference: z.string().nullable(), amount: Amount })),
  })),
  balanced: z.boolean(),
});
export type Remittance835 = z.infer<typeof Remittance835>;

function procedure(s: Segment, n: number): z.infer<typeof Procedure> | null {
  const parts = components(s, n);
  if (parts.length === 0) return null;
  return { qualifier: parts[0] ?? "", code: parts[1] ?? "", modifiers: parts.slice(2, 6).filter((m) => m !== ""), description: parts[6] || null };
}

function casTriples(s: Segment, v: ValueReader): z.infer<typeof Adjustment>[] {
  const group = v.required(s, 1, "claim adjustment group code");
  const out: z.infer<typeof Adjustment>[] = [];
  // CAS carries up to six reason/amount/quantity triples (CAS02–CAS19).
  for (let i = 2; i <= 17; i += 3) {
    const reason = el(s, i);
    if (reason === "") continue;
    const amount = v.amount(s, i + 1, "adjustment amount", true) ?? "0.00";
    out.push({ group, reason, amount, quantity: v.quantity(s, i + 2, "adjustment quantity") });
  }
  return out;
}

const person = (s: Segment) => ({ entity: el(s, 1), lastName: el(s, 3) || null, firstName: el(s, 4) || null, idQualifier: el(s, 8) || null, id: el(s, 9) || null });

/** Reads one 835 transaction. */
export function read835(tx: Transaction, issues: X12Issue[]): Remittance835 {
  const v = new ValueReader(issues, tx.controlNumber);
  const result: Remittance835 = {
    payment: { handling: "", amount: "0.00", creditDebit: null, method: null, date: null, trace: null },
    productionDate: null,
    payer: { name: null, idQualifier: null, id: null },
    payee: { name: null, idQualifier: null, id: null },
    claims: [],
    providerAdjustments: [],
    balanced: true,
  };
  let party: "payer" | "payee" | null = null;
  let claim: Claim835 | null = null;
  let line: ServiceLine835 | null = null;
  let bpr: Segment | null = null;
  for (const s of tx.segments) {
    switch (s.id) {
      case "BPR":
        bpr = s;
        result.payment = {
          handling: v.required(s, 1, "transaction handling code"), amount: v.amount(s, 2, "total payment", true) ?? "0.00",
          creditDebit: v.optional(s, 3), method: v.optional(s, 4), date: v.date(s, 16, "payment date"), trace: result.payment.trace,
        };
        break;
      case "TRN":
        result.payment.trace = { type: el(s, 1), number: v.required(s, 2, "check or EFT trace number"), originatorId: v.optional(s, 3) };
        break;
      case "N1":
        party = el(s, 1) === "PR" ? "payer" : el(s, 1) === "PE" ? "payee" : null;
        if (party !== null) result[party] = { name: el(s, 2) || null, idQualifier: el(s, 3) || null, id: el(s, 4) || null };
        break;
      case "LX":
        party = null;
        break;
      case "CLP":
        party = null;
        line = null;
        claim = {
          patientControlNumber: v.required(s, 1, "patient control number"), status: v.required(s, 2, "claim status"),
          charge: v.amount(s, 3, "total claim charge", true) ?? "0.00", paid: v.amount(s, 4, "claim payment", true) ?? "0.00",
          patientResponsibility: v.amount(s, 5, "patient responsibility"), filingIndicator: v.optional(s, 6),
          payerClaimControlNumber: v.optional(s, 7), facilityCode: v.optional(s, 8), frequency: v.optional(s, 9),
          adjustments: [], patient: null, insured: null, renderingProvider: null, outpatientRemarks: [], inpatientRemarks: [],
          references: [], dates: { statementStart: null, statementEnd: null, received: null }, lines: [],
        };
        result.claims.push(claim);
        break;
      case "CAS":
        if (line !== null) line.adjustments.push(...casTriples(s, v));
        else if (claim !== null) claim.adjustments.push(...casTriples(s, v));
        else v.segmentIssue("SEGMENT_UNEXPECTED", "CAS before any CLP", s);
        break;
      case "NM1":
        if (claim === null || line !== null) break;
        if (el(s, 1) === "QC") claim.patient = person(s);
        else if (el(s, 1) === "IL") claim.insured = person(s);
        else if (el(s, 1) === "82") claim.renderingProvider = person(s);
        break;
      case "MOA":
        if (claim !== null) for (let i = 3; i <= 7; i += 1) if (el(s, i) !== "") claim.outpatientRemarks.push(el(s, i));
        break;
      case "MIA":
        if (claim !== null) for (const i of [5, 20, 21, 22, 23]) if (el(s, i) !== "") claim.inpatientRemarks.push(el(s, i));
        break;
      case "SVC": {
        if (claim === null) {
          v.segmentIssue("SEGMENT_UNEXPECTED", "SVC before any CLP", s);
          break;
        }
        const proc = procedure(s, 1) ?? { qualifier: "", code: "", modifiers: [], description: null };
        line = {
          procedure: proc, charge: v.amount(s, 2, "line charge", true) ?? "0.00", paid: v.amount(s, 3, "line payment", true) ?? "0.00",
          revenueCode: v.optional(s, 4), units: v.quantity(s, 5, "units paid") ?? 1, originalProcedure: procedure(s, 6),
          originalUnits: v.quantity(s, 7, "original units"), serviceDates: { start: null, end: null }, adjustments: [], remarks: [],
          controlNumber: null, allowed: null,
        };
        claim.lines.push(line);
        break;
      }
      case "DTM": {
        const q = el(s, 1);
        if (line !== null && (q === "472" || q === "150" || q === "151")) {
          const d = v.date(s, 2, "service date");
          if (q === "472" || q === "150") line.serviceDates.start = d;
          if (q === "472" || q === "151") line.serviceDates.end = d;
        } else if (claim !== null && line === null) {
          if (q === "232") claim.dates.statementStart = v.date(s, 2, "statement from date");
          else if (q === "233") claim.dates.statementEnd = v.date(s, 2, "statement to date");
          else if (q === "050") claim.dates.received = v.date(s, 2, "received date");
        } else if (claim === null && q === "405") {
          result.productionDate = v.date(s, 2, "production date");
        }
        break;
      }
      case "REF":
        if (line !== null && el(s, 1) === "6R") line.controlNumber = el(s, 2);
        else if (claim !== null && line === null) claim.references.push({ qualifier: el(s, 1), value: el(s, 2) });
        else if (party !== null && el(s, 1) === "TJ" && party === "payee") result.payee = { ...result.payee, idQualifier: result.payee.idQualifier ?? "TJ", id: result.payee.id ?? el(s, 2) };
        break;
      case "AMT":
        if (line !== null && el(s, 1) === "B6") line.allowed = v.amount(s, 2, "allowed amount");
        break;
      case "LQ":
        if (line !== null) line.remarks.push({ qualifier: el(s, 1), code: el(s, 2) });
        break;
      case "PLB": {
        line = null;
        claim = null;
        const adjustments = [];
        // PLB03–PLB14: up to six (reason:reference, amount) pairs.
        for (let i = 3; i <= 13; i += 2) {
          const id = components(s, i);
          if (id.length === 0) continue;
          adjustments.push({ reason: id[0] ?? "", reference: id[1] || null, amount: v.amount(s, i + 1, "provider adjustment amount", true) ?? "0.00" });
        }
        result.providerAdjustments.push({ providerId: v.required(s, 1, "provider identifier"), fiscalPeriodEnd: v.date(s, 2, "fiscal period date"), adjustments });
        break;
      }
      default:
        break;
    }
  }
  if (bpr === null) v.segmentIssue("SEGMENT_MISSING", "835 has no BPR (financial information)", tx.segments[0] ?? null);
  result.balanced = checkBalances(result, tx, v);
  return result;
}

function checkBalances(r: Remittance835, tx: Transaction, v: ValueReader): boolean {
  let ok = true;
  const at = tx.segments[0] ?? null;
  for (const c of r.claims) {
    const claimAdjustments: string[] = c.adjustments.map((a) => a.amount);
    for (let i = 0; i < c.lines.length; i += 1) {
      const l = c.lines[i] as ServiceLine835;
      const amounts: string[] = [];
      for (const a of l.adjustments) {
        amounts.push(a.amount);
        claimAdjustments.push(a.amount);
      }
      const expected = difference(l.charge, amounts);
      if (!sameAmount(expected, l.paid)) {
        ok = false;
        v.segmentIssue("BALANCE_MISMATCH", `Claim ${c.patientControlNumber} line ${i + 1}: charge ${l.charge} − adjustments = ${expected}, paid ${l.paid}`, at);
      }
    }
    const expected = difference(c.charge, claimAdjustments);
    if (!sameAmount(expected, c.paid)) {
      ok = false;
      v.segmentIssue("BALANCE_MISMATCH", `Claim ${c.patientControlNumber}: charge ${c.charge} − adjustments = ${expected}, paid ${c.paid}`, at);
    }
  }
  const plb = r.providerAdjustments.flatMap((p) => p.adjustments.map((a) => a.amount));
  const expectedPayment = difference(total(r.claims.map((c) => c.paid)), plb);
  if (!sameAmount(expectedPayment, r.payment.amount)) {
    ok = false;
    v.segmentIssue("BALANCE_MISMATCH", `Payment ${r.payment.amount} ≠ Σ claim paid − PLB = ${expectedPayment}`, at);
  }
  return ok;
}
