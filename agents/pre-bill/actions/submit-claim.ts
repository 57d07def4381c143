/**
 * `submit-claim`: writes the 837 of the visit's claim, sends it through the clearinghouse and
 * reads its acknowledgments (999, 277CA). Proposed with a hold (`humanOnlyReason`) whenever the
 * scrubber found anything, so a claim with an unresolved finding is never submitted automatically.
 * Sends at most once per idempotency key (the claim desk records the intent before it sends).
 */
import { z } from "zod";
import type { ActionTypeDefinition } from "../../../src/orchestration/agent-definition.js";
import { Claim } from "../../../tools/claim/claim.js";
import { FindingCode } from "../../../tools/claim/visit-record.js";
import type { PreBillDeps } from "../deps.js";

export const SubmitClaimPayload = z.object({
  visitId: z.string(),
  claimId: z.string(),
  form: z.enum(["837P", "837I"]),
  totalCharge: z.string(),
  claim: Claim,
  unresolved: z.array(FindingCode).describe("Findings the claim had when it was drafted (a person decided them)"),
});
export type SubmitClaimPayload = z.infer<typeof SubmitClaimPayload>;

export function submitClaimAction(): ActionTypeDefinition<SubmitClaimPayload, PreBillDeps> {
  return {
    type: "submit-claim",
    description: "Send a visit's claim (837P or 837I) to the payer and read its acknowledgments",
    humanOnly: false,
    threshold: 0.98,
    payloadSchema: SubmitClaimPayload,
    editSchema: z.strictObject({}),
    async execute(payload, ctx, deps) {
      const outcome = await deps.claims.submit(payload.claimId, payload.claim, { by: ctx.executedBy, idempotencyKey: ctx.idempotencyKey });
      return { claimId: outcome.claimId, status: outcome.status, reasons: outcome.reasons };
    },
  };
}
