/**
 * What a pre-bill run writes to the database: each visit's claim as captured, its scrub and its
 * findings, carried in the run's state (`effects`) and written by the runtime in the transaction
 * that ends the run with its review items and audit entries (AgentDefinition.writeEffects) — so a
 * crash leaves a scrubbed claim with its drafts and trail, or neither.
 */
import type { AuditInput } from "../../src/governance/audit-log.js";
import type { RunEffectsContext } from "../../src/orchestration/agent-definition.js";
import type { VisitRecord } from "../../tools/claim/visit-record.js";
import type { ClaimDesk } from "./deps.js";
import type { ScrubResult } from "./scrub-result.js";

/** One effect of a pre-bill run. */
export interface ClaimScrubbedEffect {
  type: "claim-scrubbed";
  visitId: string;
  sweepId: string | null;
  record: VisitRecord;
  scrub: ScrubResult;
}

/**
 * Writes the run's scrubbed claims on the run's end transaction; the claim desk records each
 * status it enters (captured, scrubbed) with its `claim.status` entry in that transaction.
 */
export function writePreBillEffects(claims: ClaimDesk) {
  return async (effects: unknown[], context: RunEffectsContext): Promise<AuditInput[]> => {
    for (const e of effects as ClaimScrubbedEffect[]) {
      if (e.type !== "claim-scrubbed") continue;
      await claims.recordScrub(context.client, { visitId: e.visitId, sweepId: e.sweepId, record: e.record, scrub: e.scrub, runId: context.runId, at: context.now });
    }
    return [];
  };
}
