/**
 * Wraps an agent's compiled subgraph with what every agent gets for free:
 *
 *   START → agent (the agent's subgraph) → validate → [gate → (apply | review → apply)]* → END
 *
 * `gate` computes the autonomy verdict for one proposal; `review` only calls `interrupt()` (it is
 * re-run on resume, so it must have no side effects); `apply` executes through the idempotent
 * executor (after writing the run's buffered audit entries), or records why nothing was executed.
 */
import { END, ReducedValue, START, StateGraph, StateSchema, interrupt, type BaseCheckpointSaver } from "@langchain/langgraph";
import { z } from "zod";
import { BadInputError } from "../../tools/errors.js";
import { currentPhase, Phase } from "../governance/autonomy.js";
import { executeAction } from "../governance/executor.js";
import type { AgentDefinition, PlatformServices } from "./agent-definition.js";
import { ActionOutcome, ProposedAction } from "./decision.js";
import { effectiveConfidence, gateVerdict } from "./gate.js";
import { humanInterruptFor, ReviewDecision } from "./human-review.js";

/** The platform's state around an agent. */
export const PlatformState = new StateSchema({
  /** The run (= LangGraph thread) id. */
  runId: z.string(),
  /** The work item the agent was given. */
  workItem: z.record(z.string(), z.unknown()),
  /** What the agent proposes; set by its subgraph. */
  proposals: z.array(ProposedAction).default(() => []),
  /** Index of the proposal the gate is working on. */
  gateIndex: z.number().int().default(0),
  /** The gate's verdict for the current proposal. */
  pending: z
    .object({ verdict: z.enum(["execute", "review"]), reason: z.string(), confidence: z.number(), phase: Phase })
    .nullish(),
  /** Staff's answer for the current proposal, when it was reviewed. */
  decision: ReviewDecision.nullish(),
  /** What became of each proposal. */
  outcomes: new ReducedValue(z.array(ActionOutcome).default(() => []), {
    inputSchema: z.array(ActionOutcome),
    reducer: (current, next) => [...current, ...next],
  }),
});
type State = typeof PlatformState.State;

/** Settings of the platform the graph needs. */
export interface PlatformGraphOptions {
  offlineConfidenceCap: number;
}

/** Compiles the wrapped graph for one agent. */
export function buildPlatformGraph(
  definition: AgentDefinition<unknown>,
  deps: unknown,
  services: PlatformServices,
  checkpointer: BaseCheckpointSaver,
  options: PlatformGraphOptions,
) {
  const agent = definition.id;
  const subgraph = definition.build(services, deps);
  const actionTypes = new Map(definition.actionTypes.map((a) => [a.type, a]));
  const step = (state: State, node: string) => {
    const proposal = state.proposals[state.gateIndex];
    return { runId: state.runId, agent, node, subject: proposal?.subject };
  };

  const validate = async (state: State) => {
    for (const p of state.proposals) {
      if (!actionTypes.has(p.actionType)) throw new BadInputError(`Agent ${agent} proposed undeclared action type ${p.actionType}`);
      await services.audit.record({ runId: state.runId, agent, node: "validate", subject: p.subject }, "decision", {
        actionType: p.actionType, idempotencyKey: p.idempotencyKey, summary: p.summary, payload: p.payload,
        confidence: p.confidence, rationale: p.rationale, evidence: p.evidence, modelProvider: p.modelProvider,
        humanOnlyReason: p.humanOnlyReason,
      });
    }
    return {};
  };

  const gate = async (state: State) => {
    const p = state.proposals[state.gateIndex] as ProposedAction;
    const def = actionTypes.get(p.actionType);
    const phase = await currentPhase(services.pool, agent, p.actionType);
    const confidence = effectiveConfidence(p.confidence, p.modelProvider, options.offlineConfidenceCap);
    const humanOnly = (def?.humanOnly ?? true) || p.humanOnlyReason !== null;
    const v = gateVerdict({ phase, confidence, threshold: def?.threshold ?? 1, humanOnly });
    const reason = humanOnly && p.humanOnlyReason !== null ? `human-only: ${p.humanOnlyReason}` : v.reason;
    await services.audit.record(step(state, "gate"), "gate.verdict", {
      actionType: p.actionType, idempotencyKey: p.idempotencyKey, phase, confidence, threshold: def?.threshold, verdict: v.verdict, reason,
    });
    return { pending: { verdict: v.verdict, reason, confidence, phase }, decision: null };
  };

  // Re-run on resume: nothing here may write anywhere.
  const review = (state: State) => {
    const p = state.proposals[state.gateIndex] as ProposedAction;
    const pending = state.pending;
    const humanOnly = (actionTypes.get(p.actionType)?.humanOnly ?? true) || p.humanOnlyReason !== null;
    const answer = interrupt(humanInterruptFor(agent, p, { confidence: pending?.confidence ?? p.confidence, reason: pending?.reason ?? "", humanOnly }));
    return { decision: ReviewDecision.parse(answer) };
  };

  const apply = async (state: State) => {
    const p = state.proposals[state.gateIndex] as ProposedAction;
    const def = actionTypes.get(p.actionType);
    const decision = state.decision ?? null;
    const verdict = state.pending?.verdict ?? "review";
    const base = { idempotencyKey: p.idempotencyKey, actionType: p.actionType, verdict, reviewDecision: decision?.type ?? null };
    const next = { gateIndex: state.gateIndex + 1, pending: null, decision: null };
    if (verdict === "review" && (decision === null || decision.type === "ignore" || decision.type === "response")) {
      await services.audit.record(step(state, "apply"), "action.skipped", {
        actionType: p.actionType, idempotencyKey: p.idempotencyKey, decision: decision?.type ?? null,
        response: decision?.type === "response" ? decision.args : undefined,
      });
      return { ...next, outcomes: [{ ...base, status: "skipped" as const }] };
    }
    if (def === undefined) throw new BadInputError(`Unknown action type ${p.actionType}`);
    const payload = decision?.type === "edit" ? decision.args : p.payload;
    const executedBy = verdict === "execute" ? `agent:${agent}` : `review:${decision?.type ?? "accept"}`;
    // The run's buffered entries (its decision, gate verdict …) go into the log before the action
    // can have any effect outside; the executor then appends action.executed with the action's row.
    await services.audit.flush(state.runId);
    const result = await executeAction(
      services.pool, def, payload,
      { idempotencyKey: p.idempotencyKey, runId: state.runId, agent, executedBy, services },
      deps,
      { runId: state.runId, agent, node: "apply", subjectType: p.subject.type, subjectId: p.subject.id },
      services.now,
    );
    return { ...next, outcomes: [{ ...base, status: result.status, result: result.result }] };
  };

  const afterApply = (state: State) => (state.gateIndex < state.proposals.length ? "gate" : END);

  return new StateGraph(PlatformState)
    .addNode("agent", subgraph as never)
    .addNode("validate", validate)
    .addNode("gate", gate)
    .addNode("review", review)
    .addNode("apply", apply)
    .addEdge(START, "agent")
    .addEdge("agent", "validate")
    .addConditionalEdges("validate", (s: State) => (s.proposals.length > 0 ? "gate" : END), ["gate", END])
    .addConditionalEdges("gate", (s: State) => (s.pending?.verdict === "execute" ? "apply" : "review"), ["apply", "review"])
    .addEdge("review", "apply")
    .addConditionalEdges("apply", afterApply, ["gate", END])
    .compile({ checkpointer, name: agent });
}

/** The compiled platform graph type. */
export type PlatformGraph = ReturnType<typeof buildPlatformGraph>;
