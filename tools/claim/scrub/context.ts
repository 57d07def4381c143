/**
 * The state one scrub works on: the visit, the tables, the working lines and the findings so far,
 * with the two ways a finding changes the lines (correct a line, add a line). A finding that is
 * not auto-correctable records its proposal and leaves the line as captured.
 */
import type { CodingTables } from "../../coding/coding-tables.js";
import { revenueCodeFor } from "../../coding/claim-context.js";
import type { FindingCode, PayerBillingRule, VisitRecord } from "../visit-record.js";
import type { ChargeMaster } from "./charge-master.js";
import { type Finding, type FindingRule } from "./finding.js";
import { snapshot, type LinePatch, type WorkLine } from "./work-line.js";

/** One administration on the MAR as the scrubber reads it. */
export type MarEntry = VisitRecord["administrations"][number];

export interface ScrubContext {
  tables: CodingTables;
  chargeMaster: ChargeMaster;
  form: "837P" | "837I";
  dateOfService: string;
  /** Medicare fee-for-service (JZ and 340B modifiers are Medicare policy). */
  medicare: boolean;
  rules: PayerBillingRule[];
  administrations: MarEntry[];
  orders: VisitRecord["orders"];
  authorizations: VisitRecord["authorizations"];
  /** The visit's diagnoses as given (principal first). */
  diagnoses: string[];
  lines: WorkLine[];
  findings: Finding[];
  /** Whether the MAR was read (a visit record) or only the claim (an 837). */
  hasMar: boolean;
}

export interface FindingInput {
  code: FindingCode;
  line: WorkLine | null;
  administrationId?: string | null;
  /** The correction: a patch, or null to remove the line; undefined for a finding that changes nothing. */
  correction?: LinePatch | null;
  confidence: number;
  rationale: string;
  rule: FindingRule | string;
  autoCorrectable: boolean;
}

const ruleOf = (r: FindingRule | string): FindingRule => (typeof r === "string" ? { source: r, detail: null } : r);

/** Records a finding on a line and, when auto-correctable, applies its correction. */
export function report(ctx: ScrubContext, f: FindingInput): void {
  const before = f.line === null ? null : snapshot(f.line);
  let after = before;
  if (f.line !== null && f.correction !== undefined) {
    if (f.correction === null) {
      after = null;
      if (f.autoCorrectable) f.line.removed = true;
    } else {
      const proposed = { ...f.line, ...f.correction };
      after = snapshot(proposed);
      if (f.autoCorrectable) Object.assign(f.line, f.correction);
    }
  }
  ctx.findings.push({
    code: f.code, lineId: f.line?.id ?? null, administrationId: f.administrationId ?? null, before, after,
    confidence: f.confidence, rationale: f.rationale, rule: ruleOf(f.rule), autoCorrectable: f.autoCorrectable,
  });
}

/** A line the scrubber adds: priced from the charge master, revenue code on an 837I. */
export function newLine(ctx: ScrubContext, fields: Pick<WorkLine, "code" | "units"> & Partial<WorkLine>): WorkLine {
  const n = ctx.lines.filter((l) => l.origin === "added").length + 1;
  const price = ctx.chargeMaster.price(fields.code, fields.units, ctx.dateOfService);
  return {
    id: `added-${n}-${fields.code}`, modifiers: [], charge: price.charge,
    revenueCode: ctx.form === "837I" ? revenueCodeFor({ hcpcs: fields.code }) : null,
    ndc: null, ndcQuantity: null, ndcUnit: null, diagnosisCodes: [], administrationIds: [], serviceDate: ctx.dateOfService,
    origin: "added", removed: false, ...fields,
  };
}

/** Records a finding for a missing line and, when auto-correctable, adds it. */
export function reportAdded(ctx: ScrubContext, f: Omit<FindingInput, "line" | "correction"> & { added: WorkLine }): void {
  ctx.findings.push({
    code: f.code, lineId: f.added.id, administrationId: f.administrationId ?? null, before: null, after: snapshot(f.added),
    confidence: f.confidence, rationale: f.rationale, rule: ruleOf(f.rule), autoCorrectable: f.autoCorrectable,
  });
  if (f.autoCorrectable) ctx.lines.push(f.added);
}

/** Lines still on the claim. */
export const activeLines = (ctx: ScrubContext): WorkLine[] => ctx.lines.filter((l) => !l.removed);

/** The payer rules of one kind. */
export function rulesOf<K extends PayerBillingRule["kind"]>(ctx: ScrubContext, kind: K): Extract<PayerBillingRule, { kind: K }>[] {
  return ctx.rules.filter((r): r is Extract<PayerBillingRule, { kind: K }> => r.kind === kind);
}

/** ICD-10-CM without the dot, upper case (how codes are compared). */
export const dx = (code: string): string => code.trim().toUpperCase().replace(".", "");

/** Adds a modifier once (at most four on a line). */
export function withModifier(modifiers: string[], m: string): string[] {
  return modifiers.includes(m) ? [...modifiers] : [...modifiers, m].slice(0, 4);
}
