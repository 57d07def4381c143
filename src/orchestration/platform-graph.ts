/**
 * Wraps an agent's compiled subgraph with what every agent gets for free:
 *
 *   START → agent (the agent's subgraph) → validate → gate → execute ─┬─ Send → review (one per draft) → END
 *                                                                      └─ END
 *
 * `gate` gives every proposal its autonomy verdict; `execute` carries out the ones the gate lets
 * through, through the idempotent executor (after writing the run's buffered audit entries);
 * each proposal that needs a person gets its own `review` task, fanned out with `Send`, so a run
 * that proposes for many appointments (a sweep batch) waits on each draft independently: staff
 * decide them in any order and each decision is applied as it comes. A `review` task calls
 * `interrupt()` first — it is re-run on resume, so nothing before the interrupt may write — then
 * applies the decision (execute, or record why nothing was executed). The interrupt carries only
 * which proposal it waits on (`ReviewPending`); the runtime builds the Agent Inbox item from the
 * run's state (`reviewInterruptFor`), so a batch's drafts are not copied into every interrupt.
 */
import { END, ReducedValue, START, Send, StateGraph, StateSchema, interrupt, type BaseCheckpointSaver } from "@langchain/langgraph";
import { z } from "zod";
import { BadInputError, UpstreamError } from "../../tools/errors.js";
import { currentPhases, Phase } from "../governance/autonomy.js";
import { executeAction, executeActions, type ExecutionItem } from "../governance/executor.js";
import type { ActionTypeDefinition, AgentDefinition, PlatformServices } from "./agent-definition.js";
import { ActionOutcome, ProposedAction } from "./decision.js";
import { applyEdit } from "./edits.js";
import { effectiveConfidence, gateVerdict, unverifiedModelOutput } from "./gate.js";
import { humanInterruptFor, ReviewDecision, type PlatformInterrupt } from "./human-review.js";

/** The gate's verdict on one proposal. */
export const GateResult = z.object({ verdict: z.enum(["execute", "review"]), reason: z.string(), confidence: z.number(), phase: Phase, humanOnly: z.boolean() });
export type GateResult = z.infer<typeof GateResult>;

/** The platform's state around an agent. */
export const PlatformState = new StateSchema({
  /** The run (= LangGraph thread) id. */
  runId: z.string(),
  /** The work item the agent was given. */
  workItem: z.record(z.string(), z.unknown()),
  /** What the agent proposes; set by its subgraph. */
  proposals: z.array(ProposedAction).default(() => []),
  /**
   * The run's database effects, set by its subgraph, that the runtime writes when the run ends
   * (AgentDefinition.writeEffects): nothing a node finds is in the database before the run's end.
   */
  effects: z.array(z.unknown()).default(() => []),
  /** The gate's verdict per proposal (same order). */
  verdicts: z.array(GateResult).default(() => []),
  /** What became of each proposal. */
  outcomes: new ReducedValue(z.array(ActionOutcome).default(() => []), {
    inputSchema: z.array(ActionOutcome),
    reducer: (current, next) => [...current, ...next],
  }),
});
type State = typeof PlatformState.State;

/**
 * What a `review` task is sent: its place in the run's proposals and what applying a decision
 * needs of the proposal. The checkpoint keeps every pending task's argument beside the run's
 * proposals, so the rest of the proposal (rationale, evidence, summary …, read from the state when
 * the item is built) is not copied into it. A task sent by an earlier version carries the whole
 * proposal and its verdict, which this reads the same way.
 */
interface ReviewTask {
  runId: string;
  index: number;
  proposal: Pick<ProposedAction, "actionType" | "idempotencyKey" | "subject" | "payload">;
}

/** The value of a review task's interrupt: which of the run's proposals waits on a person. */
export const ReviewPending = z.object({ proposal: z.number().int().nonnegative(), idempotencyKey: z.string() });
export type ReviewPending = z.infer<typeof ReviewPending>;

/**
 * The Agent Inbox item for a pending review, from the run's state (its proposals and verdicts);
 * `editable` says whether an action type has fields a person may edit (`allow_edit`).
 */
export function reviewInterruptFor(
  agent: string, values: { proposals?: unknown; verdicts?: unknown }, pending: unknown, editable: (actionType: string) => boolean = () => true,
): PlatformInterrupt {
  // A run paused by an earlier version carries the whole item in its interrupt.
  if (typeof pending === "object" && pending !== null && "action_request" in pending && "review" in pending) return pending as PlatformInterrupt;
  const { proposal: index, idempotencyKey } = ReviewPending.parse(pending);
  const proposal = (values.proposals as ProposedAction[] | undefined)?.[index];
  const verdict = (values.verdicts as GateResult[] | undefined)?.[index];
  if (proposal?.idempotencyKey !== idempotencyKey || verdict === undefined) {
    throw new Error(`Run state has no proposal ${index} (${idempotencyKey}) with a verdict to review`);
  }
  return humanInterruptFor(agent, proposal, { confidence: verdict.confidence, reason: verdict.reason, humanOnly: verdict.humanOnly }, editable(proposal.actionType));
}

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
  const step = (runId: string, node: string, p: Pick<ProposedAction, "subject">) => ({ runId, agent, node, subject: p.subject });
  const isHumanOnly = (p: ProposedAction) => (actionTypes.get(p.actionType)?.humanOnly ?? true) || p.humanOnlyReason !== null;

  const validate = async (state: State) => {
    for (const p of state.proposals) {
      if (!actionTypes.has(p.actionType)) throw new BadInputError(`Agent ${agent} proposed undeclared action type ${p.actionType}`);
      await services.audit.record(step(state.runId, "validate", p), "decision", {
        actionType: p.actionType, idempotencyKey: p.idempotencyKey, summary: p.summary, payload: p.payload,
        confidence: p.confidence, rationale: p.rationale, evidence: p.evidence, modelProvider: p.modelProvider,
        humanOnlyReason: p.humanOnlyReason, verification: p.verification ?? null,
      });
    }
    return {};
  };

  const gate = async (state: State) => {
    const phases = await currentPhases(services.pool, agent, [...new Set(state.proposals.map((p) => p.actionType))]);
    const verdicts: GateResult[] = [];
    for (const p of state.proposals) {
      const def = actionTypes.get(p.actionType);
      const phase = phases.get(p.actionType) ?? "advisory";
      const confidence = effectiveConfidence(p.confidence, p.modelProvider, options.offlineConfidenceCap, p.verification);
      const humanOnly = isHumanOnly(p);
      const v = gateVerdict({ phase, confidence, threshold: def?.threshold ?? 1, humanOnly, unverifiedModelOutput: unverifiedModelOutput(p) });
      const reason = humanOnly && p.humanOnlyReason !== null ? `human-only: ${p.humanOnlyReason}` : v.reason;
      await services.audit.record(step(state.runId, "gate", p), "gate.verdict", {
        actionType: p.actionType, idempotencyKey: p.idempotencyKey, phase, confidence, threshold: def?.threshold, verdict: v.verdict, reason,
      });
      verdicts.push({ verdict: v.verdict, reason, confidence, phase, humanOnly });
    }
    return { verdicts };
  };

  /** What the executor needs to carry out a proposal with a payload (the gate's or a person's). */
  const executionItem = (runId: string, p: Pick<ProposedAction, "actionType" | "idempotencyKey" | "subject">, payload: unknown, executedBy: string, node: "execute" | "review"): ExecutionItem => {
    const def = actionTypes.get(p.actionType);
    if (def === undefined) throw new BadInputError(`Unknown action type ${p.actionType}`);
    return {
      definition: def as ActionTypeDefinition<unknown>, payload, deps,
      context: { idempotencyKey: p.idempotencyKey, runId, agent, executedBy, services },
      audit: { runId, agent, node, subjectType: p.subject.type, subjectId: p.subject.id },
    };
  };

  const execute = async (state: State) => {
    const through = state.proposals.flatMap((p, i) => (state.verdicts[i]?.verdict === "execute" ? [p] : []));
    if (through.length === 0) return { outcomes: [] };
    const items = through.map((p) => executionItem(state.runId, p, p.payload, `agent:${agent}`, "execute"));
    // The run's buffered entries (decisions, gate verdicts …) go into the log before any action
    // can have an effect outside; the executor then appends action.executed with the actions' rows.
    await services.audit.flush(state.runId);
    const results = await executeActions(services.pool, items, services.now);
    // Every action was tried and recorded; one that failed fails the run (a retry skips the executed ones).
    const failed = results.findIndex((r) => r.status === "failed");
    if (failed !== -1) {
      const r = results[failed] as { error: string };
      throw new UpstreamError(`Action ${through[failed]!.actionType} failed: ${r.error}`);
    }
    const outcomes: ActionOutcome[] = through.map((p, i) => {
      const r = results[i] as Exclude<(typeof results)[number], { status: "failed" }>;
      return { idempotencyKey: p.idempotencyKey, actionType: p.actionType, verdict: "execute", reviewDecision: null, status: r.status, result: r.result };
    });
    return { outcomes };
  };

  const toReviews = (state: State) => {
    const sends = state.proposals.flatMap((proposal, i) => {
      const verdict = state.verdicts[i];
      if (verdict?.verdict !== "review") return [];
      const { actionType, idempotencyKey, subject, payload } = proposal;
      return [new Send("review", { runId: state.runId, index: i, proposal: { actionType, idempotencyKey, subject, payload } } satisfies ReviewTask)];
    });
    return sends.length === 0 ? END : sends;
  };

  const review = async (task: ReviewTask) => {
    const p = task.proposal;
    const answer = interrupt({ proposal: task.index, idempotencyKey: p.idempotencyKey } satisfies ReviewPending);
    // Only after a person answered: apply the decision.
    const decision = ReviewDecision.parse(answer);
    const base = { idempotencyKey: p.idempotencyKey, actionType: p.actionType, verdict: "review" as const, reviewDecision: decision.type };
    if (decision.type === "ignore" || decision.type === "response") {
      // A response is a note to the draft, not an instruction the agent acts on (README: Review).
      const note = decision.args ?? undefined;
      await services.audit.record(step(task.runId, "review", p), "action.skipped", {
        actionType: p.actionType, idempotencyKey: p.idempotencyKey, decision: decision.type,
        response: decision.type === "response" ? note : undefined, reason: decision.type === "ignore" ? note : undefined,
      });
      return { outcomes: [{ ...base, status: "skipped" as const, ...(note === undefined ? {} : { note }) }] };
    }
    // An edit names only the fields it changes: applied to the proposal here, the action rebuilding what derives from them.
    const def = actionTypes.get(p.actionType) as ActionTypeDefinition<unknown> | undefined;
    const payload = decision.type === "edit" && def !== undefined ? applyEdit(def, p.payload, decision.args).payload : p.payload;
    const item = executionItem(task.runId, p, payload, `review:${decision.type}`, "review");
    await services.audit.flush(task.runId);
    const done = await executeAction(services.pool, item, services.now);
    return { outcomes: [{ ...base, status: done.status, result: done.result }] };
  };

  return new StateGraph(PlatformState)
    .addNode("agent", subgraph as never)
    .addNode("validate", validate)
    .addNode("gate", gate)
    .addNode("execute", execute)
    .addNode("review", review as never)
    .addEdge(START, "agent")
    .addEdge("agent", "validate")
    .addConditionalEdges("validate", (s: State) => (s.proposals.length > 0 ? "gate" : END), ["gate", END])
    .addEdge("gate", "execute")
    .addConditionalEdges("execute", toReviews, ["review", END])
    .addEdge("review", END)
    .compile({ checkpointer, name: agent });
}

/** The compiled platform graph type. */
export type PlatformGraph = ReturnType<typeof buildPlatformGraph>;
