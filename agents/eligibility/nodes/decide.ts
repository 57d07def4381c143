/**
 * decide: the exceptions of the visit, the record of the check, and the proposals — the
 * verification to file in the chart (whenever the payer answered) and, with any exception, a
 * human-only exception for staff with the fields that need attention. No model: every fact here
 * came from a tool, so confidence is the tools'.
 */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import type { Evidence, ProposedAction } from "../../../src/orchestration/decision.js";
import type { PatientEstimate } from "../../../tools/coding/patient-estimate.js";
import { quarterLabel } from "../../../tools/coding/quarters.js";
import type { VerificationWriteBack } from "../../../tools/ehr/ehr-types.js";
import { visitAbout } from "../../shared/chart.js";
import { dueBefore } from "../../shared/due-by.js";
import { forEachVisit, type BatchState } from "../../shared/appointment-work-item.js";
import type { ExceptionReason, PreServiceCheck } from "../../shared/pre-service-checks.js";
import { checkEffect } from "../../shared/pre-service-effects.js";
import type { PreServiceDeps } from "../../shared/pre-service-deps.js";
import { ELIGIBILITY_EXCEPTION, FILE_VERIFICATION, type EligibilityException } from "../actions.js";
import { eligibilityExceptions } from "../exceptions.js";
import type { EligibilityStateValue, EligibilityVisit } from "../state.js";
import { AGENT_ID } from "../work-item.js";

/**
 * A clean verification from deterministic tools; one whose patient estimate a person must check
 * (priced from an earlier quarter's ASP file, or with lines not priced) — under the
 * file-verification threshold (0.95), so at partial autonomy it is a draft for staff; an
 * exception found by rules.
 */
const CONFIDENCE = { verification: 0.98, verificationWithEstimateToCheck: 0.9, exception: 0.97 } as const;

/**
 * The decide node: every visit decided; their checks go into the run's effects, written with the
 * run's end (agents/shared/pre-service-effects.ts).
 */
export function decide(services: PlatformServices, _deps: PreServiceDeps) {
  return async (state: BatchState<EligibilityVisit>) => {
    const checks: PreServiceCheck[] = [];
    const update = await forEachVisit<EligibilityVisit>(AGENT_ID, "decide", services, async (visit) => {
      const { check, ...decided } = decideVisit(visit, services.now());
      checks.push(check);
      return decided;
    })(state);
    return { ...update, effects: checks.map(checkEffect) };
  };
}

/** One visit's exceptions, the record of its check, and its proposals. */
function decideVisit(state: EligibilityStateValue, now: Date): { reasons: ExceptionReason[]; proposals: ProposedAction[]; check: PreServiceCheck } {
  const chart = state.chart;
  if (chart == null) throw new Error("decide ran without a chart");
  const benefits = state.benefits ?? null;
  const exchange = state.exchange ?? null;
  const { appointment, patient, coverage } = chart;
  const { reasons, fields } = eligibilityExceptions(chart, benefits, exchange);
  const sweepId = state.workItem.sweepId;
  const keyBase = `${AGENT_ID}:${appointment.appointmentId}:${sweepId ?? state.runId}`;
  const subject = { type: "appointment", id: appointment.appointmentId };
  const check: PreServiceCheck = {
    agent: AGENT_ID, runId: state.runId, sweepId, appointmentId: appointment.appointmentId, patientId: patient.id,
    dateOfService: appointment.dateOfService, checkedAt: now, reasons,
    facts: {
      coverageActive: benefits?.active === true, status: benefits?.status ?? null, finding: benefits?.finding ?? null, subject: benefits?.subject ?? null,
      payerId: coverage?.payerId ?? null, planId: coverage?.planId ?? null,
      payerType: coverage?.payerType ?? null, planName: benefits?.planName ?? null, routes: benefits?.routes ?? {},
      deductibleRemaining: benefits?.deductibleRemaining ?? null, outOfPocketRemaining: benefits?.outOfPocketRemaining ?? null,
      coinsurancePercent: benefits?.coinsurancePercent ?? null,
      rejections: (benefits?.rejections ?? []).map((r) => ({ loop: r.loop, code: r.code, followUp: r.followUp?.code ?? null })), trace: exchange?.trace ?? null,
    },
    estimate: state.estimate ?? null,
  };

  const evidence: Evidence[] = [{ kind: "fhir-resource", ref: `Appointment/${appointment.appointmentId}`, note: `visit on ${appointment.dateOfService}` }];
  if (coverage !== null) evidence.push({ kind: "fhir-resource", ref: `Coverage/${coverage.id}`, note: `${coverage.payerName ?? coverage.payerId ?? "payer"} member ${coverage.memberId ?? "?"}` });
  if (exchange !== null) evidence.push({ kind: "x12-segment", ref: `270 TRN*1*${exchange.trace}${exchange.responseControl === null ? "" : ` → 271 ST*271*${exchange.responseControl}`}`, note: exchange.failure ?? "271 read" });
  // The 271 segments the interpretation rests on, each where it is in the 271 kept in the trail (ST = segment 1, byte 0).
  for (const e of benefits?.evidence ?? []) {
    evidence.push({ kind: "x12-segment", ref: `271 ST*271*${exchange?.responseControl ?? "?"} ${e.segment}${e.position === null ? "" : ` at segment ${e.position.setPosition} (byte ${e.position.setOffset})`}`, note: e.use });
  }
  const proposals: ProposedAction[] = [];
  const base = { subject, evidence, humanOnlyReason: null, modelProvider: "none" as const, about: visitAbout(chart) };

  if (benefits !== null && coverage !== null) {
    const finding = benefits.finding;
    const verification: VerificationWriteBack = {
      patientId: patient.id, coverageId: coverage.id, appointmentId: appointment.appointmentId, dateOfService: appointment.dateOfService,
      outcome: finding === "rejected" ? "error" : finding === "active" || finding === "inactive-on-date" ? "complete" : "partial",
      // In force only as the rule finds it: active → true, inactive on the date → false, anything else → not stated.
      inforce: finding === "active" ? true : finding === "inactive-on-date" ? false : null,
      disposition: disposition(benefits, appointment.dateOfService, reasons),
      benefits: benefitLines(benefits, state.estimate ?? null),
      requestorRef: `agent:${AGENT_ID}/run:${state.runId}`,
    };
    const toCheck = estimateConcerns(state.estimate ?? null);
    proposals.push({
      ...base, actionType: FILE_VERIFICATION, idempotencyKey: `${keyBase}:verification`, payload: verification,
      summary: verification.disposition, confidence: toCheck.length === 0 ? CONFIDENCE.verification : CONFIDENCE.verificationWithEstimateToCheck,
      dueBy: dueBefore(appointment.dateOfService, 1, now),
      rationale: `270 for ${appointment.dateOfService} answered by the payer's 271. ${benefits.reason} ${verification.benefits.map((b) => `${b.category}: ${b.description}`).join("; ")}.` +
        (toCheck.length === 0 ? "" : ` Check the patient estimate: ${toCheck.join("; ")}.`),
    });
  }
  if (reasons.length > 0) {
    const exception: EligibilityException = {
      appointmentId: appointment.appointmentId, patientId: patient.id, dateOfService: appointment.dateOfService, reasons, fields,
      description: `Resolve before the infusion on ${appointment.dateOfService}: ${reasons.join(", ")}`,
    };
    proposals.push({
      ...base, actionType: ELIGIBILITY_EXCEPTION, idempotencyKey: `${keyBase}:exception`, payload: exception,
      summary: `Eligibility exception for ${appointment.dateOfService}: ${reasons.join(", ")}`, confidence: CONFIDENCE.exception,
      dueBy: dueBefore(appointment.dateOfService, 2, now), rationale: fields.map((f) => `${f.field}: ${f.found}; needs ${f.expected}`).join(". "),
    });
  }
  return { reasons, proposals, check };
}

/**
 * The line staff read in the chart. It says "active" only when the interpretation found coverage
 * active on the date of service; every other finding says what the payer did not confirm.
 */
function disposition(b: NonNullable<EligibilityStateValue["benefits"]>, dos: string, reasons: ExceptionReason[]): string {
  const headline: Record<typeof b.finding, string> = {
    active: `Verified for ${dos}: ${b.planName ?? "plan"} active${b.subject === "dependent" ? " (patient covered as a dependent)" : ""}`,
    "inactive-on-date": `Coverage inactive on ${dos}`,
    "not-verified-for-date": `Not verified for ${dos}: the payer's answer covers other dates`,
    "pending-investigation": `Not verified for ${dos}: the payer is investigating the coverage`,
    undetermined: `Not verified for ${dos}: the payer stated no coverage status`,
    rejected: `Not verified for ${dos}: the payer rejected the inquiry at the ${b.rejectedAt ?? "payer"} level`,
  };
  return reasons.length === 0 ? headline[b.finding] : `${headline[b.finding]} — ${reasons.join(", ")}`;
}

/** The benefit lines written to the chart. */
function benefitLines(b: NonNullable<EligibilityStateValue["benefits"]>, estimate: Record<string, unknown> | null): VerificationWriteBack["benefits"] {
  const lines: VerificationWriteBack["benefits"] = [];
  const basis = (kind: "remaining" | "calendar-year" | null) => (kind === "calendar-year" ? " (calendar-year amount; the payer sent no remaining amount)" : "");
  if (b.deductibleRemaining !== null) lines.push({ category: "deductible-remaining", description: `${b.deductibleRemaining}${basis(b.deductibleBasis)}` });
  if (b.outOfPocketRemaining !== null) lines.push({ category: "out-of-pocket-remaining", description: `${b.outOfPocketRemaining}${basis(b.outOfPocketBasis)}` });
  if (b.coinsurancePercent !== null) lines.push({ category: "coinsurance-percent", description: b.coinsurancePercent });
  for (const [hcpcs, route] of Object.entries(b.routes)) lines.push({ category: `benefit-route ${hcpcs}`, description: route });
  if (estimate !== null && typeof estimate.patientShare === "string") {
    const e = estimate as Partial<PatientEstimate>;
    const notPriced = (e.lines ?? []).length === 0 && (e.unpriced ?? []).length > 0;
    lines.push({
      category: "patient-estimate",
      description: notPriced ? `not estimated: ${(e.unpriced ?? []).map((u) => `${u.hcpcs} ${u.reason}`).join("; ")}` : `${estimate.patientShare} (${String(estimate.basis)})`,
    });
  }
  return lines;
}

/**
 * What a person must check in a patient estimate before it goes into the chart: prices from an
 * earlier quarter's ASP file (the quarter in force is not loaded), or drug lines not priced.
 */
export function estimateConcerns(estimate: Record<string, unknown> | null): string[] {
  if (estimate === null) return [];
  const e = estimate as Partial<PatientEstimate>;
  const concerns: string[] = [];
  if (e.stale === true && e.priceQuarter != null && e.quarterInForce !== undefined) {
    concerns.push(`priced from the ${quarterLabel(e.priceQuarter)} ASP file because the ${quarterLabel(e.quarterInForce)} file is not loaded`);
  }
  const unpriced = e.unpriced ?? [];
  if (unpriced.length > 0) concerns.push(`not priced: ${unpriced.map((u) => `${u.hcpcs} (${u.reason})`).join("; ")}`);
  return concerns;
}
