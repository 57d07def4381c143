/**
 * `correct-claim`: applies the scrubber's corrections — the claim to send becomes the corrected
 * claim. Nothing is editable: each correction is a tool's computation with its rule, and a
 * reviewer who disagrees ignores the draft (with a reason) rather than sending numbers no tool
 * checked.
 */
import { z } from "zod";
import type { ActionTypeDefinition } from "../../../src/orchestration/agent-definition.js";
import { Claim } from "../../../tools/claim/claim.js";
import type { PreBillDeps } from "../deps.js";
import { FindingPayload } from "./finding-payload.js";

export const CorrectClaimPayload = z.object({
  visitId: z.string(),
  claimId: z.string(),
  findings: z.array(FindingPayload).min(1),
  corrected: Claim,
});
export type CorrectClaimPayload = z.infer<typeof CorrectClaimPayload>;

export function correctClaimAction(): ActionTypeDefinition<CorrectClaimPayload, PreBillDeps> {
  return {
    type: "correct-claim",
    description: "Apply the scrubber's corrections (units, NDC, modifiers, administration codes, revenue codes, edits) to a visit's claim",
    humanOnly: false,
    threshold: 0.95,
    payloadSchema: CorrectClaimPayload,
    editSchema: z.strictObject({}),
    async execute(payload, ctx, deps) {
      await deps.claims.applyCorrections(payload.claimId, payload.corrected, {
        by: ctx.executedBy, idempotencyKey: ctx.idempotencyKey, findings: payload.findings.map((f) => f.code),
      });
      return { claimId: payload.claimId, corrections: payload.findings.length, totalCharge: payload.corrected.totalCharge };
    },
  };
}
