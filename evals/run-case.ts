/**
 * Runs one agent on one case in the evaluation world (agents advisory: nothing executes, so one
 * case cannot change another's truth) and reads back what it decided: the check it recorded and
 * every proposal, with what the gate would do with it at partial and at full autonomy.
 */
import { queryAudit } from "../src/governance/audit-log.js";
import type { ModelOutputCheck } from "../src/orchestration/decision.js";
import { effectiveConfidence, gateVerdict, unverifiedModelOutput } from "../src/orchestration/gate.js";
import type { EvalWorld } from "./world.js";

/** A proposal as the gate would see it. */
export interface EvaluatedProposal {
  actionType: string;
  payload: Record<string, unknown>;
  confidence: number;
  /** Would execute without a person at partial autonomy (≥ threshold, not human-only). */
  automaticAtPartial: boolean;
  /** Would execute without a person at full autonomy (not human-only). */
  automaticAtFull: boolean;
}

/** What an agent did with a case. */
export interface CaseOutcome {
  runStatus: string;
  reasons: string[];
  facts: Record<string, unknown>;
  estimate: Record<string, unknown> | null;
  proposals: EvaluatedProposal[];
  modelCalls: number;
}

interface DecisionPayload {
  actionType: string;
  payload: Record<string, unknown>;
  confidence: number;
  modelProvider: string;
  humanOnlyReason: string | null;
  verification?: ModelOutputCheck | null;
}

/** Runs `agent` on the case's appointment. */
export async function runCase(world: EvalWorld, agent: string, appointmentId: string): Promise<CaseOutcome> {
  const run = await world.harness.runtime.start(agent, { type: "appointment", id: appointmentId }, { id: appointmentId });
  const q = world.db.pool;
  const [check, audit] = await Promise.all([
    q.query("SELECT reasons, facts, estimate FROM pre_service_checks WHERE run_id = $1 AND agent = $2", [run.id, agent]),
    queryAudit(q, { runId: run.id, limit: 10_000 }),
  ]);
  const row = check.rows[0] as { reasons: string[]; facts: Record<string, unknown>; estimate: Record<string, unknown> | null } | undefined;
  const entries = audit.filter((e) => e.kind === "decision" || e.kind === "model.call") as { kind: string; payload: DecisionPayload }[];
  const proposals = entries.filter((e) => e.kind === "decision").map(({ payload: d }) => {
    const def = world.harness.registry.actionType(agent, d.actionType);
    const confidence = effectiveConfidence(d.confidence, d.modelProvider, world.offlineCap, d.verification);
    // The platform's gate, at each phase.
    const gate = { confidence, threshold: def.threshold, humanOnly: def.humanOnly || d.humanOnlyReason !== null, unverifiedModelOutput: unverifiedModelOutput(d) };
    return {
      actionType: d.actionType, payload: d.payload, confidence,
      automaticAtPartial: gateVerdict({ ...gate, phase: "partial" }).verdict === "execute", automaticAtFull: gateVerdict({ ...gate, phase: "full" }).verdict === "execute",
    };
  });
  return {
    runStatus: run.status, reasons: row?.reasons ?? [], facts: row?.facts ?? {}, estimate: row?.estimate ?? null,
    proposals, modelCalls: entries.filter((e) => e.kind === "model.call").length,
  };
}
