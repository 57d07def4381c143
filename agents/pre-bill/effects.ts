/**
 * What a pre-bill run writes when it ends: the visits it finished (`claim_runs`), in the
 * transaction that ends the run with its review items and audit entries (AgentDefinition.
 * writeEffects). The claim itself — captured, scrubbed, with its findings — is recorded by
 * record-claim in the claim store's own transaction with its `claim.status` entries, before the
 * run's actions may act on it; a crash in between leaves a claim scrubbed and the visit unfinished,
 * and the retry scrubs it again (one more history row) and drafts once, at its end.
 */
import type { AuditInput } from "../../src/governance/audit-log.js";
import type { RunEffectsContext } from "../../src/orchestration/agent-definition.js";
import type { ClaimDesk } from "./deps.js";

/** One effect of a pre-bill run: a visit it finished. */
export interface VisitFinishedEffect {
  type: "visit-finished";
  visitId: string;
  sweepId: string | null;
}

/** Marks the run's finished visits on the run's end transaction. */
export function writePreBillEffects(claims: ClaimDesk) {
  return async (effects: unknown[], context: RunEffectsContext): Promise<AuditInput[]> => {
    const visits = (effects as VisitFinishedEffect[]).filter((e) => e.type === "visit-finished").map((e) => ({ visitId: e.visitId, sweepId: e.sweepId }));
    await claims.markFinished(context.client, { runId: context.runId, visits, at: context.now });
    return [];
  };
}
