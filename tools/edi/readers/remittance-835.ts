/**
 * 835 Health Care Claim Payment/Advice (005010X221A1): payment (BPR, TRN), payer and payee
 * (1000A/B), claims (2100 CLP with CAS, NM1, MIA/MOA, REF, DTM, AMT), service lines (2110 SVC
 * with DTM, CAS, REF, AMT, LQ) and provider-level adjustments (PLB). Balancing is checked
 * (remittance-835-balance.ts): line charge − adjustments = paid; claim charge − claim and line
 * adjustments = paid; payment = Σ claim paid − PLB.
 */
import { z } from "zod";
import type { Transaction } from "../envelope.js";
import type { X12Issue } from "../issues.js";
import { components, el, type Segment } from "../tokenizer.js";
import { ValueReader } from "../values.js";
import { Gathered, SharedValues, exact } from "./compact-model.js";
import { claimBalances, paymentBalances, type OpenClaim } from "./remittance-835-balance.js";

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

/**
 * A procedure composite (qualifier:code:modifier×4:description); a missing component separator is
 * the grammar's warning (`grammar/check.ts`). Its components are read in place, with no array of
 * them: the modifiers array is the only one made, at its exact size (see `exact`).
 */
function procedure(s: Segment, n: number, shared: SharedValues): z.infer<typeof Procedure> | null {
  const value = el(s, n);
  if (value === "") return null;
  const sep = s.delimiters.component;
  let end = value.indexOf(sep);
  const qualifier = shared.of(end === -1 ? value : value.slice(0, end));
  let code = "";
  let modifiers: string[] = [];
  let description: string | null = null;
  if (end !== -1) {
    let start = end + 1;
    end = value.indexOf(sep, start);
    code = shared.of(end === -1 ? value.slice(start) : value.slice(start, end));
    // Components 3–6 are the modifiers (empty ones dropped), 7 the description.
    let found: string[] | null = null;
    for (let c = 3; c <= 7 && end !== -1; c += 1) {
      start = end + 1;
      end = value.indexOf(sep, start);
      const part = end === -1 ? value.slice(start) : value.slice(start, end);
      if (c === 7) description = part || null;
      else if (part !== "") (found ??= []).push(shared.of(part));
    }
    if (found !== null) modifiers = exact(found);
  }
  return { qualifier, code, modifiers, description };
}

/** CAS02–CAS19: up to six reason/amount/quantity triplets, appended to `out`. */
function casTriples(s: Segment, v: ValueReader, shared: SharedValues, out: Gathered<z.infer<typeof Adjustment>>): void {
  const group = shared.of(v.required(s, 1, "claim adjustment group code"));
  for (let i = 2; i <= 17; i += 3) {
    const reason = el(s, i);
    if (reason === "") continue;
    const amount = v.amount(s, i + 1, "adjustment amount", true) ?? "0.00";
    out.push({ group, reason: shared.of(reason), amount, quantity: v.quantity(s, i + 2, "adjustment quantity") });
  }
}

/** MIA05, MIA20–MIA23: the inpatient remark codes. */
const MIA_REMARKS = [5, 20, 21, 22, 23];

const person = (s: Segment, shared: SharedValues) =>
  ({ entity: shared.of(el(s, 1)), lastName: el(s, 3) || null, firstName: el(s, 4) || null, idQualifier: shared.optional(s, 8), id: el(s, 9) || null });

/** Reads one 835 transaction. */
export function read835(tx: Transaction, issues: X12Issue[]): Remittance835 {
  const v = new ValueReader(issues, tx.controlNumber);
  const shared = new SharedValues(v);
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
  let open: OpenClaim | null = null;
  let claim: Claim835 | null = null;
  let line: ServiceLine835 | null = null;
  let bpr: Segment | null = null;
  // What the current claim and line gather, handed to them when they end.
  const lineAdjustments = new Gathered<z.infer<typeof Adjustment>>();
  const lineRemarks = new Gathered<ServiceLine835["remarks"][number]>();
  const claimAdjustments = new Gathered<z.infer<typeof Adjustment>>();
  const outpatientRemarks = new Gathered<string>();
  const inpatientRemarks = new Gathered<string>();
  const references = new Gathered<Claim835["references"][number]>();
  const lines = new Gathered<ServiceLine835>();
  const lineSegments = new Gathered<Segment>();
  const closeLine = () => {
    if (line === null) return;
    line.adjustments = lineAdjustments.take(line.adjustments);
    line.remarks = lineRemarks.take(line.remarks);
  };
  const close = () => {
    if (open === null) return;
    closeLine();
    const c = open.claim;
    c.adjustments = claimAdjustments.take(c.adjustments);
    c.outpatientRemarks = outpatientRemarks.take(c.outpatientRemarks);
    c.inpatientRemarks = inpatientRemarks.take(c.inpatientRemarks);
    c.references = references.take(c.references);
    c.lines = lines.take(c.lines);
    open.lines = lineSegments.take(open.lines);
    if (!claimBalances(open, v)) result.balanced = false;
    open = null;
  };
  // Walked with a cursor rather than `tx.segments`, so that segments already read are not kept.
  const cursor = tx.scan();
  const first = cursor.next();
  for (let s = first; s !== null; s = cursor.next()) {
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
        close();
        party = null;
        line = null;
        claim = {
          patientControlNumber: v.required(s, 1, "patient control number"), status: shared.of(v.required(s, 2, "claim status")),
          charge: v.amount(s, 3, "total claim charge", true) ?? "0.00", paid: v.amount(s, 4, "claim payment", true) ?? "0.00",
          patientResponsibility: v.amount(s, 5, "patient responsibility"), filingIndicator: shared.optional(s, 6),
          payerClaimControlNumber: v.optional(s, 7), facilityCode: shared.optional(s, 8), frequency: shared.optional(s, 9),
          adjustments: [], patient: null, insured: null, renderingProvider: null, outpatientRemarks: [], inpatientRemarks: [],
          references: [], dates: { statementStart: null, statementEnd: null, received: null }, lines: [],
        };
        open = { claim, at: s, lines: [] };
        result.claims.push(claim);
        break;
      case "CAS":
        if (line !== null) casTriples(s, v, shared, lineAdjustments);
        else if (claim !== null) casTriples(s, v, shared, claimAdjustments);
        else v.segmentIssue("SEGMENT_UNEXPECTED", "CAS before any CLP", s);
        break;
      case "NM1":
        if (claim === null || line !== null) break;
        if (el(s, 1) === "QC") claim.patient = person(s, shared);
        else if (el(s, 1) === "IL") claim.insured = person(s, shared);
        else if (el(s, 1) === "82") claim.renderingProvider = person(s, shared);
        break;
      case "MOA":
        if (claim !== null) for (let i = 3; i <= 7; i += 1) if (el(s, i) !== "") outpatientRemarks.push(shared.of(el(s, i)));
        break;
      case "MIA":
        if (claim !== null) for (const i of MIA_REMARKS) if (el(s, i) !== "") inpatientRemarks.push(shared.of(el(s, i)));
        break;
      case "SVC": {
        if (claim === null) {
          v.segmentIssue("SEGMENT_UNEXPECTED", "SVC before any CLP", s);
          break;
        }
        closeLine();
        const proc = procedure(s, 1, shared) ?? { qualifier: "", code: "", modifiers: [], description: null };
        line = {
          procedure: proc, charge: v.amount(s, 2, "line charge", true) ?? "0.00", paid: v.amount(s, 3, "line payment", true) ?? "0.00",
          revenueCode: shared.optional(s, 4), units: v.quantity(s, 5, "units paid") ?? 1, originalProcedure: procedure(s, 6, shared),
          originalUnits: v.quantity(s, 7, "original units"), serviceDates: { start: null, end: null }, adjustments: [], remarks: [],
          controlNumber: null, allowed: null,
        };
        lines.push(line);
        lineSegments.push(s);
        break;
      }
      case "DTM": {
        const q = el(s, 1);
        if (line !== null && (q === "472" || q === "150" || q === "151")) {
          const d = shared.date(s, 2, "service date");
          if (q === "472" || q === "150") line.serviceDates.start = d;
          if (q === "472" || q === "151") line.serviceDates.end = d;
        } else if (claim !== null && line === null) {
          if (q === "232") claim.dates.statementStart = shared.date(s, 2, "statement from date");
          else if (q === "233") claim.dates.statementEnd = shared.date(s, 2, "statement to date");
          else if (q === "050") claim.dates.received = shared.date(s, 2, "received date");
        } else if (claim === null && q === "405") {
          result.productionDate = v.date(s, 2, "production date");
        }
        break;
      }
      case "REF":
        if (line !== null && el(s, 1) === "6R") line.controlNumber = el(s, 2);
        else if (claim !== null && line === null) references.push({ qualifier: shared.of(el(s, 1)), value: el(s, 2) });
        else if (party !== null && el(s, 1) === "TJ" && party === "payee") result.payee = { ...result.payee, idQualifier: result.payee.idQualifier ?? "TJ", id: result.payee.id ?? el(s, 2) };
        break;
      case "AMT":
        if (line !== null && el(s, 1) === "B6") line.allowed = v.amount(s, 2, "allowed amount");
        break;
      case "LQ":
        if (line !== null) lineRemarks.push({ qualifier: shared.of(el(s, 1)), code: shared.of(el(s, 2)) });
        break;
      case "PLB": {
        close();
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
  close();
  if (bpr === null) v.segmentIssue("SEGMENT_MISSING", "835 has no BPR (financial information)", first);
  result.claims = exact(result.claims);
  if (!paymentBalances(result, v, bpr ?? first)) result.balanced = false;
  return result;
}
