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
  record: VisitRecord;
  scrub: ScrubResult;
}

/** Writes the run's scrubbed claims on the run's end transaction; one `claim.scrubbed` entry each. */
export function writePreBillEffects(claims: ClaimDesk) {
  return async (effects: unknown[], context: RunEffectsContext): Promise<AuditInput[]> => {
    const out: AuditInput[] = [];
    for (const e of effects as ClaimScrubbedEffect[]) {
      if (e.type !== "claim-scrubbed") continue;
      await claims.recordScrub(context.client, { visitId: e.visitId, record: e.record, scrub: e.scrub, runId: context.runId, at: context.now });
      out.push({
        kind: "claim.scrubbed", actor: `agent:${context.agent}`, runId: context.runId, agent: context.agent, node: "record-claim",
        subjectType: "claim", subjectId: claims.claimIdFor(e.visitId), at: context.now,
        payload: { visitId: e.visitId, findings: e.scrub.findings.map((f) => ({ code: f.code, lineId: f.lineId, autoCorrectable: f.autoCorrectable })) },
      });
    }
    return out;
  };
}
