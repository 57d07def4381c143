/**
 * The prior-auth agent's proposals, built from its checks. Deterministic findings carry high
 * confidence and no model; a request whose justification the model read carries the model's
 * provider (offline drafts are capped by the platform, so they reach people) and the verifier's
 * result: its confidence is the verification's (0.93 only when everything the model read is
 * verified and the diagnosis is within the payer's rule), and a failed verification names each
 * failed field in the rationale and holds the request for a person.
 */
import type { Evidence, ModelOutputCheck, ProposedAction } from "../../src/orchestration/decision.js";
import { describeFailures, type ExtractionVerification } from "../../tools/verification/verify-extraction.js";
import { visitAbout, type VisitChart } from "../shared/chart.js";
import { dueBefore } from "../shared/due-by.js";
import type { ExceptionReason } from "../shared/pre-service-checks.js";
import type { AuthExceptionPayload } from "./actions/auth-exception.js";
import type { AuthVerifiedPayload } from "./actions/auth-verified.js";
import type { SubmitAuthRequestPayload } from "./actions/submit-auth-request.js";
import { justificationToSend } from "./justification-to-send.js";
import type { DraftedRequest, DrugAuthCheck, PriorAuthStateValue } from "./state.js";
import { actionKey } from "./work-item.js";

/** Reasons staff must act on (a missing or pended authorization is the agent's own work). */
const TASK_REASONS: ExceptionReason[] = ["auth-expired", "auth-units-exhausted", "auth-diagnosis-mismatch", "auth-denied", "auth-lapses-before-next-cycle"];
const LABEL: Record<string, string> = {
  "auth-missing": "no authorization on file", "auth-expired": "authorization expired", "auth-units-exhausted": "authorized units exhausted",
  "auth-diagnosis-mismatch": "diagnosis does not match", "auth-denied": "authorization denied", "auth-pended": "authorization pended",
  "auth-lapses-before-next-cycle": "authorization lapses before the next cycle",
};

function evidenceFor(chart: VisitChart, d: DrugAuthCheck): Evidence[] {
  const c = chart.coverage;
  const out: Evidence[] = [
    { kind: "fhir-resource", ref: `MedicationRequest/${d.orderId}`, note: `${d.drug} ${d.units ?? "?"} units, every ${d.cycleDays ?? "?"} days` },
    { kind: "rule", ref: `payer-rule:${c?.payerId ?? "?"}/${c?.planId ?? "?"}/${d.hcpcs}`, note: d.notes[0] },
  ];
  const a = d.authorization;
  if (a !== null) {
    out.push({ kind: "record", ref: `authorizations:${a.payerId}/${a.authNumber}`, note: `${a.start} to ${a.end}; ${a.unitsApproved} approved, ${a.unitsUsedPrior} used before, ${a.unitsUsedOtherVisits} by other visits; dx ${a.diagnosisCodes.join(", ")}` });
  }
  if (d.pendingRequest !== null) out.push({ kind: "record", ref: `authorization_requests:${d.pendingRequest.id}`, note: `trace ${d.pendingRequest.trace} ${d.pendingRequest.status}` });
  return out;
}

/** Builds every proposal of a run. */
export function buildProposals(state: PriorAuthStateValue, now: Date): ProposedAction[] {
  const chart = state.chart;
  if (chart == null) return [];
  const { appointment, patient } = chart;
  const subject = { type: "appointment", id: appointment.appointmentId };
  const dueBy = dueBefore(appointment.dateOfService, 2, now);
  const base = { subject, dueBy, humanOnlyReason: null, about: visitAbout(chart) };
  const out: ProposedAction[] = [];
  for (const d of state.drugs.filter((x) => x.authRequired)) {
    const evidence = evidenceFor(chart, d);
    const rationale = [...d.notes, ...(d.likelihood?.reasons ?? []).map((r) => `Likelihood: ${r}`)].join(". ");
    const drafted = state.requests.find((r) => r.hcpcs === d.hcpcs);
    if (drafted !== undefined && d.needsRequest !== null) out.push(submitProposal(state, d, drafted, evidence, rationale, base));
    const task = d.reasons.filter((r) => TASK_REASONS.includes(r) || (r === "auth-missing" && drafted === undefined));
    if (task.length > 0) {
      const payload: AuthExceptionPayload = {
        appointmentId: appointment.appointmentId, patientId: patient.id, hcpcs: d.hcpcs, drug: d.drug, reasons: task,
        description: `${d.drug} (${d.hcpcs}) on ${appointment.dateOfService}: ${task.map((r) => LABEL[r]).join("; ")}. ${d.notes.slice(1).join(". ")}.${drafted === undefined ? "" : ` A ${drafted.kind} request (278 ${drafted.request.trace}) was drafted.`}`,
        dueBy,
      };
      out.push({ ...base, actionType: "auth-exception", idempotencyKey: actionKey(appointment.appointmentId, d.hcpcs, "exception"), payload,
        summary: `${d.drug}: ${task.map((r) => LABEL[r]).join(", ")} (visit ${appointment.dateOfService})`, confidence: 0.97, rationale, evidence, modelProvider: "none" });
    }
    if (d.authValid === true && d.reasons.length === 0 && d.authNumber !== null && d.authorization !== null) {
      const payload: AuthVerifiedPayload = {
        appointmentId: appointment.appointmentId, patientId: patient.id, payerId: d.authorization.payerId, hcpcs: d.hcpcs, drug: d.drug,
        authNumber: d.authNumber, dateOfService: appointment.dateOfService, units: d.units, remainingAfterDose: d.remainingAfterDose,
      };
      out.push({ ...base, actionType: "auth-verified", idempotencyKey: actionKey(appointment.appointmentId, d.hcpcs, "verified"), payload,
        summary: `${d.drug}: authorization ${d.authNumber} covers ${appointment.dateOfService} (${d.remainingAfterDose ?? "?"} units left after this dose)`,
        confidence: 0.98, rationale, evidence, modelProvider: "none" });
    }
  }
  return out;
}

function submitProposal(
  state: PriorAuthStateValue, d: DrugAuthCheck, drafted: DraftedRequest, evidence: Evidence[], rationale: string,
  base: Pick<ProposedAction, "subject" | "dueBy" | "humanOnlyReason" | "about">,
): ProposedAction {
  const chart = state.chart as VisitChart;
  const source = state.justificationSource ?? null;
  const verification = state.verification ?? null;
  const justification = justificationToSend(state, drafted.justification) ?? {
    diagnosis: null, stage: null, biomarkers: [], ecog: null, priorTherapy: null, plan: null, summary: drafted.justification || "See attached records",
  };
  const payload: SubmitAuthRequestPayload = {
    appointmentId: chart.appointment.appointmentId, patientId: chart.patient.id, payerId: drafted.request.payer.id ?? "", memberId: drafted.request.subscriber.memberId ?? "",
    hcpcs: d.hcpcs, drug: d.drug, dateOfService: chart.appointment.dateOfService, doseUnits: d.units ?? 0, kind: drafted.kind,
    requestedAt: drafted.requestedAt, request: { ...drafted.request, trace: drafted.request.trace ?? "" }, pasBundle: drafted.pasBundle, justification,
  };
  // Confidence comes from verification, not from how many fields are filled in; a diagnosis outside the payer's rule stays below the threshold.
  const confidence = verification === null ? 0.5 : Math.min(verification.confidence, d.diagnosisMatchesRule === true ? 1 : 0.8);
  const failed = verification !== null && !verification.verified;
  const why = failed
    ? `Model output failed verification: ${describeFailures(verification)}. The 278 carries the chart's facts instead of the model's text; complete the justification before sending`
    : "";
  const sourceEvidence: Evidence[] = [
    { kind: "x12-segment", ref: `278 TRN*1*${drafted.request.trace ?? ""}`, note: `${drafted.units} units ${drafted.request.services[0]?.from ?? ""} to ${drafted.request.services[0]?.to ?? ""}` },
    ...(source?.noteId == null ? [] : [{ kind: "document" as const, ref: `DocumentReference/${source.noteId}`, note: "Progress note the justification was read from" }]),
    ...(source === null ? [] : [{ kind: "model-call" as const, ref: source.promptRef, note: `${source.provider} extraction${source.ok ? "" : " failed"}` }]),
    ...(verification === null ? [] : [{ kind: "tool-result" as const, ref: "verification.clinical-justification", note: verificationNote(verification) }]),
  ];
  const modelProvider = source === null || source.noteId === null ? "none" : source.provider;
  return {
    ...base, actionType: "submit-auth-request", idempotencyKey: actionKey(chart.appointment.appointmentId, d.hcpcs, "submit"), payload,
    summary: `Request ${drafted.kind === "initial" ? "authorization" : "reauthorization"} for ${d.drug} (${d.hcpcs}): ${drafted.units} units from ${drafted.request.services[0]?.from ?? "?"} (likelihood ${d.likelihood?.score ?? "?"})`,
    confidence, rationale: [why, rationale].filter((x) => x !== "").join(". "), evidence: [...evidence, ...sourceEvidence],
    modelProvider, verification: modelProvider === "none" ? null : modelOutputCheck(verification),
  };
}

/** One line for the evidence list: how many fields were verified. */
function verificationNote(v: ExtractionVerification): string {
  const ok = v.verdicts.filter((x) => x.verdict === "supported").length;
  return `${ok} of ${v.verdicts.length} fields verified against the note and the chart${v.verified ? "" : `; failed: ${v.verdicts.filter((x) => x.verdict !== "supported").map((x) => x.field).join(", ")}`}`;
}

/** The verifier's result as the platform's gate reads it. */
function modelOutputCheck(v: ExtractionVerification | null): ModelOutputCheck {
  if (v === null) return { verified: false, failures: [{ field: "justification", verdict: "unsupported", why: "the model's output was not verified" }] };
  return { verified: v.verified, failures: v.verdicts.flatMap((x) => (x.verdict === "supported" ? [] : [{ field: x.field, verdict: x.verdict, why: x.why }])) };
}
