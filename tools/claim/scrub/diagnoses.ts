/**
 * DX_LINK — every line points at a diagnosis on the claim that supports it (DOMAIN "Diagnosis
 * linking"): a drug line at one of its order's diagnoses or its authorization's; an
 * administration line at a diagnosis of the drugs it administers. With no order diagnoses on
 * file only the pointer itself is checked (it must be one of the claim's diagnoses).
 */
import { activeLines, dx, report, type ScrubContext } from "./context.js";
import { CONFIDENCE } from "./finding.js";
import { ADMINISTRATION_CODES, isDrugCode, type WorkLine } from "./work-line.js";

/** Diagnoses (normalised) that support a line's code, from orders and authorizations; empty when none are on file. */
export function supportingDiagnoses(ctx: ScrubContext, code: string, administrationIds: string[]): Set<string> {
  const out = new Set<string>();
  if (isDrugCode(code)) {
    for (const o of ctx.orders) if (o.hcpcs === code) for (const d of o.diagnosisCodes) out.add(dx(d));
    for (const a of ctx.authorizations) if (a.status === "approved" && a.codes.includes(code)) for (const d of a.diagnosisCodes) out.add(dx(d));
    return out;
  }
  // Other lines (an E/M visit …): only the pointer itself is checked.
  if (!ADMINISTRATION_CODES.has(code)) return out;
  const ids = new Set(administrationIds);
  const entries = ctx.administrations.filter((a) => ids.size === 0 || ids.has(a.id));
  const orderIds = new Set(entries.map((a) => a.orderId));
  for (const o of ctx.orders) if (orderIds.has(o.id) || (ids.size === 0 && o.hcpcs !== null)) for (const d of o.diagnosisCodes) out.add(dx(d));
  return out;
}

/** The claim diagnoses (as the visit spells them) a new line should point at. */
export function diagnosesForNewLine(ctx: ScrubContext, code: string, administrationIds: string[]): string[] {
  const support = supportingDiagnoses(ctx, code, administrationIds);
  const onClaim = ctx.diagnoses.filter((d) => support.has(dx(d)));
  return onClaim.length > 0 ? [onClaim[0] as string] : ctx.diagnoses.slice(0, 1);
}

export function checkDiagnosisLinks(ctx: ScrubContext): void {
  const claimDx = new Map(ctx.diagnoses.map((d) => [dx(d), d]));
  for (const line of activeLines(ctx)) checkLine(ctx, line, claimDx);
}

function checkLine(ctx: ScrubContext, line: WorkLine, claimDx: Map<string, string>): void {
  const support = supportingDiagnoses(ctx, line.code, line.administrationIds);
  const pointed = line.diagnosisCodes.map(dx);
  const offClaim = pointed.filter((d) => !claimDx.has(d));
  const supported = pointed.filter((d) => claimDx.has(d) && (support.size === 0 || support.has(d)));
  if (pointed.length > 0 && offClaim.length === 0 && supported.length > 0) return;
  if (support.size === 0 && pointed.length > 0 && offClaim.length === 0) return;
  const candidates = [...claimDx.keys()].filter((d) => support.size === 0 || support.has(d));
  const source = support.size === 0 ? "DOMAIN: Diagnosis linking (pointer to a claim diagnosis)" : "DOMAIN: Diagnosis linking (order / authorization diagnoses)";
  const supportText = support.size === 0 ? "" : `; the order/authorization for ${line.code} supports ${[...support].join(", ")}`;
  const what = pointed.length === 0 ? "points at no diagnosis" : `points at ${line.diagnosisCodes.join(", ")}${offClaim.length > 0 ? ` (${offClaim.join(", ")} not on the claim)` : " (not a supporting diagnosis)"}`;
  if (supported.length > 0) {
    // Keep the supporting pointers, drop those that are not on the claim.
    report(ctx, {
      code: "DX_LINK", line, correction: { diagnosisCodes: supported.map((d) => claimDx.get(d) as string) }, confidence: CONFIDENCE.EXACT, autoCorrectable: true,
      rationale: `Line ${line.code} ${what}${supportText}; pointers off the claim removed`, rule: source,
    });
    return;
  }
  if (candidates.length === 0) {
    report(ctx, {
      code: "DX_LINK", line, correction: undefined, confidence: CONFIDENCE.EXACT, autoCorrectable: false,
      rationale: `Line ${line.code} ${what}${supportText}, and no supporting diagnosis is on the claim: a coder must add one or query the physician`, rule: source,
    });
    return;
  }
  const chosen = claimDx.get(candidates[0] as string) as string;
  report(ctx, {
    code: "DX_LINK", line, correction: { diagnosisCodes: [chosen] }, confidence: candidates.length === 1 ? CONFIDENCE.EXACT : CONFIDENCE.TABLE, autoCorrectable: true,
    rationale: `Line ${line.code} ${what}${supportText}; pointed at ${chosen}${candidates.length > 1 ? ` (the first of ${candidates.length} supporting diagnoses on the claim)` : ""}`, rule: source,
  });
}
