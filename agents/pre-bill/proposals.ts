/**
 * The pre-bill agent's proposals for one scrubbed visit:
 *
 * - `correct-claim` when the tools can correct some lines: the corrections, each with its rule,
 *   at the lowest confidence among them;
 * - `query-documentation` (human-only), one per person to ask, when the record cannot support a line;
 * - `submit-claim`: the claim to send (the corrected one). A claim with any finding is held for a
 *   person (`humanOnlyReason`): it is never submitted automatically; a clean claim may be, at the
 *   agent's autonomy.
 *
 * No model: every fact and rationale here is the coding toolkit's.
 */
import type { Evidence, ProposalAbout, ProposedAction } from "../../src/orchestration/decision.js";
import type { VisitRecord } from "../../tools/claim/visit-record.js";
import type { ClaimDesk } from "./deps.js";
import { queryFor, questionText, type QueryRecipient } from "./questions.js";
import type { ScrubFinding } from "./scrub-result.js";
import type { PreBillVisit } from "./state.js";
import { claimActionKey } from "./work-item.js";

const DAY = 86_400_000;
/** Confidence of submitting a claim the scrubber found nothing on. */
export const CLEAN_CLAIM_CONFIDENCE = 0.99;

/** When a person should decide by: five days after the date of service at 17:00 UTC (so the claim goes out within the week), never in the past. */
export function billBy(dateOfService: string, now: Date): string {
  return new Date(Math.max(Date.parse(`${dateOfService}T17:00:00Z`) + 5 * DAY, now.getTime() + 4 * 3_600_000)).toISOString();
}

/** Who and what the visit is: patient, visit, payer. */
export function visitAboutRecord(r: VisitRecord): ProposalAbout {
  return {
    patient: { id: r.patient.id, name: `${r.patient.lastName}, ${r.patient.firstName}`, birthDate: r.patient.birthDate, mrn: r.patient.mrn },
    appointment: { id: r.visitId, dateOfService: r.dateOfService },
    payer: { id: r.coverage.payerId, name: r.coverage.payerName },
  };
}

/** What a finding rests on: the rule, the charge and the MAR entry. */
function evidenceOf(f: ScrubFinding): Evidence[] {
  const out: Evidence[] = [{ kind: "rule", ref: f.rule.source, note: `${f.code}: ${f.rationale}` }];
  if (f.lineId !== null) out.push({ kind: "fhir-resource", ref: `ChargeItem/${f.lineId}`, note: "The charge as captured" });
  if (f.administrationId != null) out.push({ kind: "fhir-resource", ref: `MedicationAdministration/${f.administrationId}`, note: "The MAR entry" });
  return out;
}

const minConfidence = (fs: readonly ScrubFinding[]) => fs.reduce((m, f) => Math.min(m, f.confidence), 1);

/** Builds a visit's proposals from its scrub. */
export function buildProposals(visit: PreBillVisit, claims: ClaimDesk, now: Date): ProposedAction[] {
  const record = visit.record;
  const scrub = visit.scrub;
  if (record == null || scrub == null) return [];
  const claimId = claims.claimIdFor(record.visitId);
  const base = { subject: { type: "claim", id: claimId }, dueBy: billBy(record.dateOfService, now), about: visitAboutRecord(record), modelProvider: "none" as const };
  const out: ProposedAction[] = [];
  const correctable = scrub.findings.filter((f) => f.autoCorrectable);
  if (correctable.length > 0) {
    out.push({
      ...base, actionType: "correct-claim", idempotencyKey: claimActionKey(record.visitId, "correct"), humanOnlyReason: null,
      payload: { visitId: record.visitId, claimId, findings: correctable.map(findingPayload), corrected: scrub.corrected },
      summary: `Correct ${correctable.length} line finding${correctable.length === 1 ? "" : "s"} (${[...new Set(correctable.map((f) => f.code))].join(", ")}) on the claim of ${record.dateOfService}`,
      confidence: minConfidence(correctable), rationale: correctable.map((f) => `${f.code}: ${f.rationale}`).join(" "), evidence: correctable.flatMap(evidenceOf),
    });
  }
  const byRecipient = new Map<QueryRecipient, ScrubFinding[]>();
  for (const f of scrub.findings) {
    const q = queryFor(f);
    if (q !== null) byRecipient.set(q.to, [...(byRecipient.get(q.to) ?? []), f]);
  }
  for (const [to, fs] of byRecipient) {
    out.push({
      ...base, actionType: "query-documentation", idempotencyKey: claimActionKey(record.visitId, "query", to),
      humanOnlyReason: "a documentation query goes to a person",
      payload: { visitId: record.visitId, claimId, patientId: record.patient.id, to, findings: fs.map(findingPayload), question: questionText(record.dateOfService, fs) },
      summary: `Ask the ${to}: ${[...new Set(fs.map((f) => f.code))].join(", ")} (visit ${record.dateOfService})`,
      confidence: minConfidence(fs), rationale: fs.map((f) => `${f.code}: ${f.rationale}`).join(" "), evidence: fs.flatMap(evidenceOf),
    });
  }
  const unresolved = scrub.findings;
  out.push({
    ...base, actionType: "submit-claim", idempotencyKey: claimActionKey(record.visitId, "submit"),
    humanOnlyReason: unresolved.length === 0 ? null : `the claim has ${unresolved.length} finding${unresolved.length === 1 ? "" : "s"} (${[...new Set(unresolved.map((f) => f.code))].join(", ")}): never submitted automatically`,
    payload: { visitId: record.visitId, claimId, form: scrub.corrected.form, totalCharge: scrub.corrected.totalCharge, claim: scrub.corrected, unresolved: unresolved.map((f) => f.code) },
    summary: `Submit the ${scrub.corrected.form} claim of ${record.dateOfService} to ${record.coverage.payerName ?? record.coverage.payerId ?? "the payer"}: ${scrub.corrected.lines.length} lines, $${scrub.corrected.totalCharge}`,
    confidence: unresolved.length === 0 ? CLEAN_CLAIM_CONFIDENCE : minConfidence(unresolved),
    rationale: unresolved.length === 0 ? "The scrubber found nothing to correct: every charge matches the MAR, units, NDC, waste, administration codes, edits, diagnosis links and authorizations."
      : `Held for a person until the findings are resolved: ${unresolved.map((f) => f.code).join(", ")}.`,
    evidence: [{ kind: "tool-result", ref: "coding.scrub-claim", note: `${unresolved.length} findings on ${scrub.captured.lines.length} captured lines` }],
  });
  return out;
}

/** A finding as an action's payload carries it. */
function findingPayload(f: ScrubFinding) {
  return { code: f.code, lineId: f.lineId, administrationId: f.administrationId ?? null, before: f.before ?? null, after: f.after ?? null, confidence: f.confidence, rationale: f.rationale, rule: f.rule.source };
}
