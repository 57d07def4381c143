/**
 * The autonomy gate: decides whether a proposed action executes or goes to a person.
 * Pure, so the whole matrix is testable without a database.
 *
 *   advisory → every action is a draft for review
 *   partial  → executes when confidence ≥ threshold and not human-only; else review
 *   full     → executes unless human-only
 *
 * And at every phase: a decision that model output contributed to executes only when the
 * verifier supported that output (DESIGN: tools gather facts → model drafts → tools verify →
 * gate). Unverified output goes to a person, with the failed fields named, its confidence capped
 * below every threshold.
 */
import { UNVERIFIED_CONFIDENCE } from "../../tools/verification/verify-extraction.js";
import type { Phase } from "../governance/autonomy.js";
import type { ModelOutputCheck } from "./decision.js";

/** Inputs to the gate. */
export interface GateInput {
  phase: Phase;
  confidence: number;
  threshold: number;
  humanOnly: boolean;
  /** Why the model output the decision rests on is not verified; null when it is, or no model contributed. */
  unverifiedModelOutput?: string | null;
}

/** The gate's verdict with its reason (recorded in the audit log). */
export interface GateVerdict {
  verdict: "execute" | "review";
  reason: string;
}

/** The confidence of a decision resting on unverified model output: below every action type's threshold. */
export const UNVERIFIED_MODEL_OUTPUT_CAP = UNVERIFIED_CONFIDENCE;

/** Applies the autonomy matrix. */
export function gateVerdict(input: GateInput): GateVerdict {
  if (input.humanOnly) return { verdict: "review", reason: "human-only decision" };
  if (input.unverifiedModelOutput != null) return { verdict: "review", reason: `model output not verified: ${input.unverifiedModelOutput}` };
  switch (input.phase) {
    case "advisory":
      return { verdict: "review", reason: "agent is advisory: every action is a draft" };
    case "partial":
      return input.confidence >= input.threshold
        ? { verdict: "execute", reason: `partial autonomy: confidence ${input.confidence.toFixed(2)} ≥ threshold ${input.threshold}` }
        : { verdict: "review", reason: `confidence ${input.confidence.toFixed(2)} < threshold ${input.threshold}` };
    case "full":
      return { verdict: "execute", reason: "full autonomy" };
  }
}

/**
 * Why a proposal's model output is not verified, or null: a model contributed (`modelProvider`
 * not "none") and the verifier's result is missing or names failed fields.
 */
export function unverifiedModelOutput(p: { modelProvider: string; verification?: ModelOutputCheck | null }): string | null {
  if (p.modelProvider === "none") return null;
  if (p.verification == null) return "no verification of the model's output was recorded";
  if (p.verification.verified) return null;
  return p.verification.failures.map((f) => `${f.field} ${f.verdict}: ${f.why}`).join("; ") || "the verifier did not support it";
}

/**
 * Caps the confidence of a decision drafted by the offline provider, so its drafts reach people
 * (DESIGN: "confidence capped so that its drafts go to people"), and of one resting on model
 * output that failed verification.
 */
export function effectiveConfidence(confidence: number, modelProvider: string, offlineCap: number, verification?: ModelOutputCheck | null): number {
  const capped = modelProvider === "offline" ? Math.min(confidence, offlineCap) : confidence;
  return verification?.verified === false && modelProvider !== "none" ? Math.min(capped, UNVERIFIED_MODEL_OUTPUT_CAP) : capped;
}
