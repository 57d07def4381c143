/** The prior-auth agent's state and the per-drug facts its nodes hand on. */
import { z } from "zod";
import { ProposedAction } from "../../src/orchestration/decision.js";
import { AuthRequest278 } from "../../tools/edi/readers/request-278.js";
import { ExtractionVerification } from "../../tools/verification/verify-extraction.js";
import { batchStateSchema, type VisitStep } from "../shared/appointment-work-item.js";
import { VisitChart } from "../shared/chart.js";
import { ExceptionReason } from "../shared/pre-service-checks.js";
import { ClinicalJustification } from "./note-extraction.js";

/** The authorization a dose was checked against, with its per-cycle ledger. */
export const CheckedAuthorization = z.object({
  authNumber: z.string(),
  payerId: z.string(),
  start: z.string(),
  end: z.string(),
  unitsApproved: z.number().int(),
  unitsUsedPrior: z.number().int(),
  /** Units other visits drew from it (authorization_usage). */
  unitsUsedOtherVisits: z.number().int(),
  diagnosisCodes: z.array(z.string()),
});
export type CheckedAuthorization = z.infer<typeof CheckedAuthorization>;

/** A new request the dose needs: the first authorization, or a reauthorization for the next cycles. */
export const NeededRequest = z.object({
  kind: z.enum(["initial", "reauthorization"]),
  from: z.string(),
  to: z.string(),
  units: z.number().int().positive(),
});
export type NeededRequest = z.infer<typeof NeededRequest>;

/** What the agent found for one scheduled drug. */
export const DrugAuthCheck = z.object({
  orderId: z.string(),
  hcpcs: z.string(),
  drug: z.string(),
  /** Billing units of this dose, or null when they cannot be computed (see `notes`). */
  units: z.number().int().nullable(),
  cycleDays: z.number().int().nullable(),
  supply: z.string().nullable(),
  diagnosisCodes: z.array(z.string()),
  authRequired: z.boolean(),
  /** Whether an approved authorization covers this dose; null when none is required. */
  authValid: z.boolean().nullable(),
  authNumber: z.string().nullable(),
  remainingAfterDose: z.number().int().nullable(),
  nextCycleDate: z.string().nullable(),
  reasons: z.array(ExceptionReason),
  /** What was checked, in sentences staff read. */
  notes: z.array(z.string()),
  diagnosisMatchesRule: z.boolean().nullable(),
  /** The payer denies outside the rule's diagnoses (AuthRule.denyWhenDiagnosisMismatch). */
  deniedOutsideDiagnoses: z.boolean(),
  authorization: CheckedAuthorization.nullable(),
  /** A request already with the payer for this drug (submitted or pended). */
  pendingRequest: z.object({ id: z.string(), trace: z.string(), status: z.string(), nextCheckOn: z.string().nullable() }).nullable(),
  needsRequest: NeededRequest.nullable(),
  history: z.object({ approved: z.number().int(), denied: z.number().int() }),
  likelihood: z.object({ score: z.number().min(0).max(1), reasons: z.array(z.string()) }).nullable(),
});
export type DrugAuthCheck = z.infer<typeof DrugAuthCheck>;

/** A pended request followed up in this run. */
export const FollowUp = z.object({
  requestId: z.string(),
  hcpcs: z.string(),
  trace: z.string(),
  status: z.string(),
  authNumber: z.string().nullable(),
});

/** A drafted 278 with its PAS bundle, ready to propose. */
export const DraftedRequest = z.object({
  hcpcs: z.string(),
  request: AuthRequest278,
  pasBundle: z.record(z.string(), z.unknown()),
  kind: NeededRequest.shape.kind,
  units: z.number().int(),
  /** When it was drafted (ISO); stamps the 278. */
  requestedAt: z.string(),
  /** The justification text the 278 MSG and the PAS bundle carry (verified model text, or the tools' facts). */
  justification: z.string().default(""),
});
export type DraftedRequest = z.infer<typeof DraftedRequest>;

/** One visit of the batch: what the agent found for one scheduled infusion. */
export const PriorAuthVisit = z.object({
  appointmentId: z.string(),
  /** Why the visit could not be checked (its job is retried), when it could not. */
  error: z.string().nullish(),
  /** The visit's chart: appointment, patient, orders, primary coverage, diagnoses. */
  chart: VisitChart.nullish(),
  /** Pended requests re-sent in this run and what the payer answered. */
  followUps: z.array(FollowUp).default(() => []),
  /** One check per scheduled drug. */
  drugs: z.array(DrugAuthCheck).default(() => []),
  /** The clinical justification read from the latest note, when a drug needs an authorization (as the model gave it). */
  justification: ClinicalJustification.nullish(),
  /** The verifier's verdicts on it (or on a failed model call); only verified text reaches a payer. */
  verification: ExtractionVerification.nullish(),
  /** The note it was read from and which model provider read it. */
  justificationSource: z.object({ noteId: z.string().nullable(), provider: z.enum(["openai", "offline"]), ok: z.boolean(), promptRef: z.string() }).nullish(),
  /** 278 requests (and PAS bundles) drafted for drugs lacking a valid authorization. */
  requests: z.array(DraftedRequest).default(() => []),
  /** What the agent proposes for this visit. */
  proposals: z.array(ProposedAction).default(() => []),
});
export type PriorAuthVisit = z.infer<typeof PriorAuthVisit>;

export const PriorAuthState = batchStateSchema(PriorAuthVisit);

/** What a step on one visit sees. */
export type PriorAuthStateValue = VisitStep<PriorAuthVisit>;
