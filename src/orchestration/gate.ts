/**
 * The autonomy gate: decides whether a proposed action executes or goes to a person.
 * Pure, so the whole matrix is testable without a database.
 *
 *   advisory → every action is a draft for review
 *   partial  → executes when confidence ≥ threshold and not human-only; else review
 *   full     → executes unless human-only
 */
import type { Phase } from "../governance/autonomy.js";

/** Inputs to the gate. */
export interface GateInput {
  phase: Phase;
  confidence: number;
  threshold: number;
  humanOnly: boolean;
}

/** The gate's verdict with its reason (recorded in the audit log). */
export interface GateVerdict {
  verdict: "execute" | "review";
  reason: string;
}

/** Applies the autonomy matrix. */
export function gateVerdict(input: GateInput): GateVerdict {
  if (input.humanOnly) return { verdict: "review", reason: "human-only decision" };
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
 * Caps the confidence of a decision drafted by the offline provider, so its drafts reach people
 * (DESIGN: "confidence capped so that its drafts go to people").
 */
export function effectiveConfidence(confidence: number, modelProvider: string, offlineCap: number): number {
  return modelProvider === "offline" ? Math.min(confidence, offlineCap) : confidence;
}
