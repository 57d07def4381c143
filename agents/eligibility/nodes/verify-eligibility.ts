/**
 * verify-eligibility: a 270 for each visit's date of service (with its drugs asked about by HCPCS;
 * a patient covered as a dependent in the 270's 2000D loop), all of a batch's inquiries sent
 * together — one batch interchange per payer, each 271 matched back to its visit by the TRN trace
 * it echoes — and each 271 read by the benefits tool for the patient asked about, on the clinic's
 * network with the payer. No coverage on file means no inquiry; a payer that fails, or answers
 * without a 271 for a visit, is an exception for that visit, never a guess.
 */
import { createHash } from "node:crypto";
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import { interpretEligibility } from "../../../tools/payer/benefits.js";
import { infusionServiceTypes } from "../../../tools/payer/eligibility/accumulators.js";
import { exchangeEligibilityBatch, type EligibilityBatchItem, type EligibilityExchange } from "../../../tools/payer/eligibility-batch.js";
import type { PreServiceDeps } from "../../shared/pre-service-deps.js";
import { forEachVisit, type BatchState } from "../../shared/appointment-work-item.js";
import { insuredParties } from "../../shared/chart.js";
import type { EligibilityStateValue, EligibilityVisit } from "../state.js";
import { AGENT_ID, stepContext } from "../work-item.js";

/** Service types asked about: health benefit plan coverage, medical care, chemotherapy, hospital outpatient. */
const SERVICE_TYPES = ["30", "1", "78", "50"];

const digest = (text: string) => createHash("sha256").update(text).digest();

/** A deterministic trace (TRN02) per run and appointment. */
const traceFor = (runId: string, appointmentId: string) => `E${digest(`${runId}|${appointmentId}`).toString("hex").slice(0, 19).toUpperCase()}`;

/** A deterministic interchange control number (ISA13/GS06) per run and payer. */
const controlFor = (runId: string, payerId: string) => (digest(`${runId}|${payerId}`).readUInt32BE(0) % 999_999_999) + 1;

/** A visit's inquiry, or null when its chart has no coverage to ask about. */
function inquiryFor(visit: EligibilityVisit, runId: string, deps: PreServiceDeps): (EligibilityBatchItem & { drugs: string[] }) | null {
  const chart = visit.chart;
  if (chart == null) throw new Error("verify-eligibility ran without a chart");
  const coverage = chart.coverage;
  const parties = insuredParties(chart);
  if (coverage === null || coverage.payerId === null || parties === null) return null;
  const drugs = [...new Set(chart.orders.map((o) => o.hcpcs).filter((h): h is string => h !== null))];
  return {
    trace: traceFor(runId, visit.appointmentId),
    drugs,
    request: {
      payer: { name: coverage.payerName, id: coverage.payerId },
      provider: { name: deps.clinic.name, npi: deps.clinic.npi },
      subscriber: { ...parties.subscriber, memberId: parties.memberId },
      // A patient who is not the subscriber and has no member id of their own is asked about in 2000D.
      ...(parties.dependent === null ? {} : { dependent: parties.dependent }),
      dateOfService: chart.appointment.dateOfService,
      serviceTypes: SERVICE_TYPES,
      procedures: drugs,
    },
  };
}

/** The verify-eligibility node over every visit of the batch. */
export function verifyEligibility(services: PlatformServices, deps: PreServiceDeps) {
  return async (state: BatchState<EligibilityVisit>) => {
    const inquiries = new Map<string, EligibilityBatchItem & { drugs: string[] }>();
    for (const visit of state.visits) {
      if (visit.error != null) continue;
      const inquiry = inquiryFor(visit, state.runId, deps);
      if (inquiry !== null) inquiries.set(visit.appointmentId, inquiry);
    }
    // Every 270 is on record before it leaves (DESIGN: Audit — before the call for an external
    // effect): a request entry per inquiry, written with one flush for the whole batch.
    if (inquiries.size > 0) {
      await services.audit.add([...inquiries].map(([appointmentId, { trace, request }]) => services.audit.entry(
        stepContext({ runId: state.runId, workItem: { id: appointmentId } }, "verify-eligibility"), "tool.request",
        { tool: "clearinghouse.270", trace, payerId: request.payer.id, interchangeControl: request.payer.id === null ? null : controlFor(state.runId, request.payer.id), dateOfService: request.dateOfService },
      )));
      await services.audit.flush(state.runId);
    }
    const exchanges = inquiries.size === 0
      ? new Map<string, EligibilityExchange>()
      : await exchangeEligibilityBatch(deps.clearinghouse, [...inquiries.values()].map(({ trace, request }) => ({ trace, request })), {
        senderId: deps.clinic.npi, now: services.now(), control: (payerId) => controlFor(state.runId, payerId),
      });
    return forEachVisit<EligibilityVisit>(AGENT_ID, "verify-eligibility", services, (visit) => readAnswer(services, deps, visit, inquiries.get(visit.appointmentId), exchanges))(state);
  };
}

/** One visit's part of the exchange: its 270 and 271 in the audit trail, its 271 read. */
async function readAnswer(services: PlatformServices, deps: PreServiceDeps, visit: EligibilityStateValue, inquiry: { trace: string; drugs: string[] } | undefined, exchanges: Map<string, EligibilityExchange>) {
  if (inquiry === undefined) return { benefits: null, exchange: null };
  const { trace, drugs } = inquiry;
  const ex = exchanges.get(trace);
  if (ex === undefined) throw new Error(`the eligibility batch lost trace ${trace}`);
  const ctx = stepContext(visit, "verify-eligibility");
  // The audit entry keeps this visit's 270 as sent and its 271 as received (or why there is none).
  await services.audit.toolCall(ctx, "clearinghouse.270", { x12: ex.sent }, () => ({ x12: ex.received, failure: ex.failure }));
  const data = ex.data;
  if (data === null || ex.control === null) return { benefits: null, exchange: { trace, responseControl: null, failure: ex.failure ?? "no 271" } };
  const chart = visit.chart!;
  const dateOfService = chart.appointment.dateOfService;
  const parties = insuredParties(chart);
  const network = deps.payerRules.networkStatus(chart.coverage?.payerId ?? null);
  const visitFacts = {
    dateOfService, network, serviceTypes: infusionServiceTypes(chart.appointment.siteOfCare), drugs,
    inquiry: { trace, memberId: parties?.memberId ?? null, ...(parties?.subscriber ?? { lastName: null, firstName: null, birthDate: null }), dependent: parties?.dependent ?? null },
  };
  // The same interpretation `infusion-rcm eligibility interpret` prints (tools/payer/eligibility/).
  const benefits = await services.audit.toolCall(ctx, "benefits.interpret-271", { control: ex.control, drugs, dateOfService, network, asked: parties?.dependent === null ? "subscriber" : "dependent" },
    () => interpretEligibility(data, ex.control as string, visitFacts));
  return { benefits, exchange: { trace, responseControl: ex.control, failure: null } };
}
