/** The eligibility agent's state. */
import { z } from "zod";
import { ProposedAction } from "../../src/orchestration/decision.js";
import { EligibilityInterpretation } from "../../tools/payer/eligibility/interpretation.js";
import { VisitChart } from "../shared/chart.js";
import { batchStateSchema, type VisitStep } from "../shared/appointment-work-item.js";
import { ExceptionReason } from "../shared/pre-service-checks.js";

/**
 * The 271's facts for the date of service: the interpretation of the answer about the patient
 * (status, finding, staff message, dates, amounts, rejections, the segments used — see
 * tools/payer/eligibility/) and each drug's benefit route and authorization flag.
 */
export const BenefitFactsState = EligibilityInterpretation.extend({
  /** The payer answered about the patient (found, not rejected). */
  found: z.boolean(),
  /** Coverage is active on the date of service — the interpretation's status, nothing else. */
  active: z.boolean(),
  routes: z.record(z.string(), z.enum(["medical", "pharmacy", "ambiguous"])),
  authorizationRequired: z.record(z.string(), z.boolean().nullable()),
});

/** The exchange with the payer, kept as evidence. */
export const PayerExchange = z.object({
  /** Trace number (TRN02) the 270 carried and the 271 echoed. */
  trace: z.string(),
  /** ST02 of the 271 read, when one came back. */
  responseControl: z.string().nullable(),
  /** Why no usable 271 came back, when none did. */
  failure: z.string().nullable(),
});

/** One visit of the batch: what the agent found for one scheduled infusion. */
export const EligibilityVisit = z.object({
  appointmentId: z.string(),
  /** Why the visit could not be checked (its job is retried), when it could not. */
  error: z.string().nullish(),
  /** The visit's chart: appointment, patient, orders, primary coverage, diagnoses. */
  chart: VisitChart.nullish(),
  /** The 271's facts, when the payer answered. */
  benefits: BenefitFactsState.nullish(),
  /** The 270/271 exchange. */
  exchange: PayerExchange.nullish(),
  /** The patient's estimated share of this visit (decimal strings), when coverage is active. */
  estimate: z.record(z.string(), z.unknown()).nullish(),
  /** Exception reasons found. */
  reasons: z.array(ExceptionReason).default(() => []),
  /** What the agent proposes for this visit. */
  proposals: z.array(ProposedAction).default(() => []),
});
export type EligibilityVisit = z.infer<typeof EligibilityVisit>;

export const EligibilityState = batchStateSchema(EligibilityVisit);

/** What a step on one visit sees. */
export type EligibilityStateValue = VisitStep<EligibilityVisit>;
