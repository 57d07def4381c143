/**
 * The Agent Inbox payload a paused run carries (`HumanInterrupt`) and the answer staff give
 * (`HumanResponse`), as exported by `@langchain/langgraph/prebuilt`.
 */
import type { HumanInterrupt } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import type { ProposedAction } from "./decision.js";

/** The longest note a reviewer may write (a response, or why a draft is ignored). */
export const REVIEW_NOTE_MAX = 2000;
const note = z.string().trim().min(1).max(REVIEW_NOTE_MAX);

/**
 * Staff's answer to a review item. For `edit`, `args` holds only the fields to change (the item's
 * `editable`); for `response`, a note kept with the draft; for `ignore`, optionally why. An accept
 * or an edit may carry a `reason` too (why the person agreed, or changed what they changed).
 */
const reason = note.nullish().describe("Why (optional); kept with the decision and in the audit trail");
export const ReviewDecision = z.discriminatedUnion("type", [
  z.object({ type: z.literal("accept"), args: z.null().optional(), reason }),
  z.object({
    type: z.literal("edit"),
    args: z.record(z.string(), z.unknown()).describe("Only the fields to change, from the item's `editable.fields`; who and what the action is about is never editable"),
    reason,
  }),
  z.object({ type: z.literal("response"), args: note.describe("A note to the draft, kept with it and in the audit trail; the action is not executed") }),
  z.object({ type: z.literal("ignore"), args: note.nullish().describe("Why the draft is rejected (optional); kept with it and in the audit trail") }),
]);
export type ReviewDecision = z.infer<typeof ReviewDecision>;

/** Metadata the platform keeps with the interrupt so the review item can be built from it. */
export interface ReviewMetadata {
  proposal: ProposedAction;
  confidence: number;
  reason: string;
  humanOnly: boolean;
}

/** The interrupt value: the Agent Inbox schema plus our metadata. */
export type PlatformInterrupt = HumanInterrupt & { review: ReviewMetadata };

/** What the Agent Inbox description of a draft is written from (all of it kept on the review item). */
export interface ReviewDescriptionParts {
  agent: string;
  summary: string;
  confidence: number;
  reason: string;
  rationale: string;
  evidence: { kind: string; ref: string; note?: string }[];
  /** The "Model output not verified" section (empty when the model's output was verified, or there was none). */
  unverified: string;
}

/** The part of a description that lists the model output the verifier did not support, each with why ("" when none). */
export function unverifiedSection(proposal: Pick<ProposedAction, "verification">): string {
  const failures = proposal.verification?.verified === false ? proposal.verification.failures : [];
  return failures.length === 0 ? "" : `\n\nModel output not verified:\n${failures.map((f) => `- ${f.field} ${f.verdict}: ${f.why}`).join("\n")}`;
}

/**
 * The Agent Inbox description of a draft: its summary, confidence and why it needs a person, the
 * rationale, what the verifier did not support, and the evidence. Written from parts the review
 * item keeps anyway, so the item stores them once and builds this when it is read.
 */
export function reviewDescription(parts: ReviewDescriptionParts): string {
  const evidence = parts.evidence.map((e) => `- ${e.kind} \`${e.ref}\`${e.note === undefined ? "" : `: ${e.note}`}`).join("\n");
  return `**${parts.summary}**\n\n${parts.agent} · confidence ${parts.confidence.toFixed(2)} · ${parts.reason}\n\n` +
    `${parts.rationale}${parts.unverified}\n\nEvidence:\n${evidence === "" ? "- none" : evidence}`;
}

/** Builds the interrupt for a proposal that needs a person; `editable` false when its action type has no editable field. */
export function humanInterruptFor(agent: string, proposal: ProposedAction, meta: Omit<ReviewMetadata, "proposal">, editable = true): PlatformInterrupt {
  return {
    action_request: { action: proposal.actionType, args: proposal.payload },
    config: { allow_accept: true, allow_edit: editable, allow_respond: true, allow_ignore: true },
    description: reviewDescription({
      agent, summary: proposal.summary, confidence: meta.confidence, reason: meta.reason, rationale: proposal.rationale,
      evidence: proposal.evidence, unverified: unverifiedSection(proposal),
    }),
    review: { proposal, ...meta },
  };
}
