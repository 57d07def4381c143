/**
 * verify-eligibility: a 270 for the date of service (with the visit's drugs asked about by
 * HCPCS), the 271 back through the clearinghouse, and its facts read by the benefits tool.
 * No coverage on file means no inquiry; a payer that fails or answers nonsense is an exception,
 * never a guess.
 */
import { createHash } from "node:crypto";
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import type { Eligibility271 } from "../../../tools/edi/readers/eligibility-271.js";
import { write270 } from "../../../tools/edi/writers/eligibility.js";
import { AppError } from "../../../tools/errors.js";
import { interpretEligibility } from "../../../tools/payer/benefits.js";
import type { ClearinghouseReply } from "../../../tools/payer/clearinghouse.js";
import type { PreServiceDeps } from "../../shared/pre-service-deps.js";
import { forEachVisit } from "../../shared/appointment-work-item.js";
import type { EligibilityStateValue, EligibilityVisit } from "../state.js";
import { AGENT_ID, stepContext } from "../work-item.js";

/** Service types asked about: health benefit plan coverage, medical care, chemotherapy, hospital outpatient. */
const SERVICE_TYPES = ["30", "1", "78", "50"];

/** A deterministic trace (TRN02) and interchange control number per run and appointment. */
function traceFor(runId: string, appointmentId: string): { trace: string; control: number } {
  const digest = createHash("sha256").update(`${runId}|${appointmentId}`).digest();
  return { trace: `E${digest.toString("hex").slice(0, 19).toUpperCase()}`, control: (digest.readUInt32BE(0) % 999_999_999) + 1 };
}

/** The verify-eligibility node over every visit of the batch. */
export function verifyEligibility(services: PlatformServices, deps: PreServiceDeps) {
  return forEachVisit<EligibilityVisit>(AGENT_ID, "verify-eligibility", services, verifyOne(services, deps));
}

function verifyOne(services: PlatformServices, deps: PreServiceDeps) {
  return async (state: EligibilityStateValue) => {
    const chart = state.chart;
    if (chart == null) throw new Error("verify-eligibility ran without a chart");
    const coverage = chart.coverage;
    if (coverage === null || coverage.payerId === null || coverage.memberId === null) return { benefits: null, exchange: null };
    const ctx = stepContext(state, "verify-eligibility");
    const { trace, control } = traceFor(state.runId, chart.appointment.appointmentId);
    const drugs = [...new Set(chart.orders.map((o) => o.hcpcs).filter((h): h is string => h !== null))];
    const x12 = write270({
      trace,
      payer: { name: coverage.payerName, id: coverage.payerId },
      provider: { name: deps.clinic.name, npi: deps.clinic.npi },
      subscriber: { lastName: chart.patient.lastName, firstName: chart.patient.firstName, memberId: coverage.memberId, birthDate: chart.patient.birthDate },
      dateOfService: chart.appointment.dateOfService,
      serviceTypes: SERVICE_TYPES,
      procedures: drugs,
    }, { senderId: deps.clinic.npi, receiverId: coverage.payerId, interchangeControl: control, groupControl: control, now: services.now() });

    let response: { control: string; data: Eligibility271 } | null = null;
    let failure: string | null = null;
    try {
      // The audit entry keeps the X12 as sent and as received; the typed reading stays in state.
      let reply = undefined as ClearinghouseReply | undefined;
      await services.audit.toolCall(ctx, "clearinghouse.270", { x12 }, async () => {
        reply = await deps.clearinghouse.submitEligibility(x12);
        return { raw: reply.raw, issues: reply.issues };
      });
      if (reply === undefined) throw new Error("clearinghouse returned nothing");
      const tx = reply.transactions.find((t) => t.type === "271");
      if (tx === undefined) failure = `the reply held no 271 (${reply.issues.map((i) => i.code).join(", ") || "no transactions"})`;
      else response = { control: tx.controlNumber, data: tx.data as Eligibility271 };
    } catch (error) {
      // Only the payer's failures are an exception for staff; our own bugs still fail the run.
      if (!(error instanceof AppError)) throw error;
      failure = `${error.code}: ${error.message}`;
    }
    if (response === null) return { benefits: null, exchange: { trace, responseControl: null, failure } };
    const benefits = await services.audit.toolCall(ctx, "benefits.interpret-271", { control: response.control, drugs, dateOfService: chart.appointment.dateOfService },
      () => interpretEligibility(response.data, drugs, chart.appointment.dateOfService));
    return { benefits, exchange: { trace, responseControl: response.control, failure: null } };
  };
}
