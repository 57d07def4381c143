/**
 * The pre-bill scrubber: a pure function of a visit record and the coding tables. It reconciles
 * every captured charge with the MAR and every MAR entry with a charge, checks codes, units,
 * NDCs, modifiers, edits, diagnoses, revenue codes and authorizations, and returns the claim as
 * captured, the claim with every auto-correctable finding applied, and the findings. Same input,
 * same output, byte for byte: no clock, no randomness, no I/O.
 */
import type { CodingTables } from "../../coding/coding-tables.js";
import type { Claim } from "../claim.js";
import type { VisitRecord } from "../visit-record.js";
import { buildClaim, claimHeaderFor, type ClaimHeader } from "./build-claim.js";
import { defaultChargeMaster, type ChargeMaster } from "./charge-master.js";
import { authorizationFor, checkAuthorizations, checkDuplicates, checkRevenueCodes } from "./claim-checks.js";
import { activeLines, type ScrubContext } from "./context.js";
import { checkAdministration } from "./administration.js";
import { checkDiagnosisLinks } from "./diagnoses.js";
import { check340b, checkDrugUnits } from "./drug-units.js";
import { capturedMueViolations, checkEdits } from "./edits.js";
import { CONFIDENCE, type Finding } from "./finding.js";
import { checkNdc } from "./ndc.js";
import { checkWaste } from "./waste.js";
import { isDrugCode, sumCharges, workLineOf, type WorkLine } from "./work-line.js";

export interface ScrubOptions {
  /** Prices for lines the scrubber adds or recodes (`defaultChargeMaster` by default). */
  chargeMaster?: ChargeMaster;
}

export interface ScrubResult {
  captured: Claim;
  corrected: Claim;
  findings: Finding[];
}

/** Scrubs one visit (a parsed `VisitRecord`). */
export function scrubVisit(record: VisitRecord, tables: CodingTables, options: ScrubOptions = {}): ScrubResult {
  const ctx: ScrubContext = {
    tables, chargeMaster: options.chargeMaster ?? defaultChargeMaster(tables), form: record.siteOfCare === "hospital-outpatient" ? "837I" : "837P",
    dateOfService: record.dateOfService, medicare: record.coverage.payerType === "medicare", rules: record.payerRules,
    administrations: record.administrations, orders: record.orders, authorizations: record.authorizations,
    diagnoses: record.diagnoses.map((d) => d.icd10), lines: record.charges.map(workLineOf), findings: [], hasMar: true,
  };
  const capturedAuth = firstAuthorization(ctx);
  const captured = buildClaim(claimHeaderFor(record, capturedAuth), ctx.diagnoses, ctx.lines, record.capturedTotalCharge);
  runChecks(ctx, captured.totalCharge);
  const corrected = buildClaim(claimHeaderFor(record, firstAuthorization(ctx)), ctx.diagnoses, ctx.lines);
  return { captured, corrected, findings: ctx.findings };
}

/**
 * Scrubs a claim that arrived without its visit (an 837): only what the claim alone supports —
 * duplicate lines, NDC format, crosswalk and quantity, NCCI and MUE edits, revenue codes (837I)
 * and the total. Units, waste, administration times, diagnoses against orders and
 * authorizations need the MAR and are not checked.
 */
export function scrubClaim(claim: Claim, tables: CodingTables, options: ScrubOptions = {}): ScrubResult {
  const lines: WorkLine[] = claim.lines.map((l, i) => ({
    id: l.lineControlNumber ?? `line-${i + 1}`, code: l.procedure.code, modifiers: [...l.procedure.modifiers], units: l.units, charge: l.charge,
    revenueCode: l.revenueCode, ndc: l.drug?.ndc11 ?? null, ndcQuantity: l.drug?.quantity ?? null, ndcUnit: l.drug?.unit ?? null,
    diagnosisCodes: l.diagnosisPointers.map((p) => claim.diagnoses[p - 1]).filter((d): d is string => d !== undefined),
    administrationIds: [], serviceDate: l.serviceDate, origin: "captured", removed: false,
  }));
  const ctx: ScrubContext = {
    tables, chargeMaster: options.chargeMaster ?? defaultChargeMaster(tables), form: claim.form,
    dateOfService: claim.lines[0]?.serviceDate ?? claim.statementFrom ?? "", medicare: claim.subscriber.filingIndicator === "MB", rules: [],
    administrations: [], orders: [], authorizations: [], diagnoses: [...claim.diagnoses], lines, findings: [], hasMar: false,
  };
  const { lines: _lines, totalCharge: _total, diagnoses: _dx, ...header } = claim;
  const captured = buildClaim(header as ClaimHeader, ctx.diagnoses, lines, claim.totalCharge);
  runChecks(ctx, claim.totalCharge);
  return { captured, corrected: buildClaim(header as ClaimHeader, ctx.diagnoses, ctx.lines), findings: ctx.findings };
}

function runChecks(ctx: ScrubContext, capturedTotal: string): void {
  const capturedLineTotal = sumCharges(activeLines(ctx).map((l) => l.charge));
  const mue = capturedMueViolations(ctx);
  checkDuplicates(ctx);
  if (ctx.hasMar) {
    checkDrugUnits(ctx);
    checkWaste(ctx);
    check340b(ctx);
  }
  checkNdc(ctx);
  if (ctx.hasMar) checkAdministration(ctx);
  checkEdits(ctx, mue);
  checkDiagnosisLinks(ctx);
  checkRevenueCodes(ctx);
  checkAuthorizations(ctx);
  checkBalance(ctx, capturedTotal, capturedLineTotal);
}

/** CLAIM_BALANCE: CLM02 must be the sum of the lines (X12 837 2300 CLM02) after the corrections. */
function checkBalance(ctx: ScrubContext, capturedTotal: string, capturedLineTotal: string): void {
  const lines = activeLines(ctx);
  const total = sumCharges(lines.map((l) => l.charge));
  if (total === capturedTotal) return;
  const added = ctx.lines.filter((l) => l.origin === "added" && !l.removed).length;
  const removed = ctx.lines.filter((l) => l.origin === "captured" && l.removed).length;
  const changes = [added > 0 ? `${added} line(s) added` : "", removed > 0 ? `${removed} removed` : ""].filter((s) => s !== "").join(", ");
  ctx.findings.push({
    code: "CLAIM_BALANCE", lineId: null, administrationId: null, before: { totalCharge: capturedTotal }, after: { totalCharge: total },
    confidence: CONFIDENCE.EXACT, autoCorrectable: true, rule: { source: "X12 005010X222A1/X223A2 2300 CLM02 (sum of the line charges)", detail: null },
    rationale: `Captured total ${capturedTotal}${capturedTotal !== capturedLineTotal ? ` while the captured lines sum to ${capturedLineTotal}` : ""}; the corrected lines${changes === "" ? "" : ` (${changes})`} sum to ${total}: total set to ${total}`,
  });
}

/** The approved authorization number covering the claim's first drug, for REF*G1. */
function firstAuthorization(ctx: ScrubContext): string | null {
  for (const l of activeLines(ctx)) {
    if (!isDrugCode(l.code)) continue;
    const a = authorizationFor(ctx, l.code);
    if (a !== null) return a.number;
  }
  return null;
}
