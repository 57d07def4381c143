/**
 * What agents hand to the platform: proposed actions, each a decision with a confidence in
 * [0, 1], a rationale, and the evidence it used. The platform gates, escalates, executes and audits.
 */
import { z } from "zod";

/** A piece of evidence a decision rests on. */
export const Evidence = z.object({
  kind: z.enum(["tool-result", "document", "x12-segment", "fhir-resource", "model-call", "rule", "record"])
    .describe("What sort of source"),
  ref: z.string().describe("Id of the source: tool result id, document id, X12 segment position, FHIR reference …"),
  note: z.string().optional().describe("What the source shows, in a sentence"),
});
export type Evidence = z.infer<typeof Evidence>;

/** The work item a run is about. */
export const Subject = z.object({
  type: z.string().describe("appointment | claim | remittance | …"),
  id: z.string(),
});
export type Subject = z.infer<typeof Subject>;

/**
 * What the verifier found of the model output a decision rests on. The gate never lets a
 * decision with a model provider act unless this says verified (DESIGN: tools verify → gate).
 */
export const ModelOutputCheck = z.object({
  verified: z.boolean().describe("Every field and the free text of the model's output supported by the source and the tools"),
  failures: z.array(z.object({
    field: z.string(),
    verdict: z.enum(["unsupported", "contradicts"]),
    why: z.string(),
  })).describe("Each field that failed, and why (staff read it in the review item)"),
});
export type ModelOutputCheck = z.infer<typeof ModelOutputCheck>;

/** An action an agent proposes; it executes only through the gate and the executor. */
export const ProposedAction = z.object({
  actionType: z.string().describe("One of the agent's declared action types"),
  idempotencyKey: z.string().min(1).describe("Same key = same action: executed at most once"),
  payload: z.record(z.string(), z.unknown()).describe("What to do, validated by the action type's schema"),
  summary: z.string().describe("One line a person reads in the review queue"),
  confidence: z.number().min(0).max(1),
  rationale: z.string(),
  evidence: z.array(Evidence),
  subject: Subject,
  dueBy: z.string().nullable().describe("ISO time a person must decide by (e.g. before the date of service)"),
  humanOnlyReason: z.string().nullable().describe("Set when a rule reserves this decision for a person"),
  modelProvider: z.enum(["openai", "offline", "none"]).describe("Which model provider contributed, if any"),
  verification: ModelOutputCheck.nullish().describe("The verifier's result on the model output the decision rests on (required when a model contributed)"),
});
export type ProposedAction = z.infer<typeof ProposedAction>;

/** What became of one proposed action. */
export const ActionOutcome = z.object({
  idempotencyKey: z.string(),
  actionType: z.string(),
  verdict: z.enum(["execute", "review"]),
  reviewDecision: z.enum(["accept", "edit", "response", "ignore"]).nullable(),
  status: z.enum(["executed", "duplicate", "skipped", "failed"]),
  result: z.unknown().optional(),
  note: z.string().optional().describe("The reviewer's response, or why they ignored the draft"),
});
export type ActionOutcome = z.infer<typeof ActionOutcome>;
