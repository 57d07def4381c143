/** The eligibility agent's state. */
import { z } from "zod";
import { ProposedAction } from "../../src/orchestration/decision.js";
import { VisitChart } from "../shared/chart.js";
import { batchStateSchema, type VisitStep } from "../shared/appointment-work-item.js";
import { ExceptionReason } from "../shared/pre-service-checks.js";

/** The 271's facts for the date of service (see tools/payer/benefits.ts). */
export const BenefitFactsState = z.object({
  found: z.boolean(),
  active: z.boolean(),
  rejections: z.array(z.object({ code: z.string(), followUp: z.string().nullable() })),
  planName: z.string().nullable(),
  coverageEnd: z.string().nullable(),
  deductibleRemaining: z.string().nullable(),
  outOfPocketRemaining: z.string().nullable(),
  coinsurancePercent: z.string().nullable(),
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
