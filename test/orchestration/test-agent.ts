/**
 * A test agent (not a product agent): gathers a fact with a recorded tool call and proposes the
 * actions its work item asks for, so tests can drive every path of the platform.
 */
import { END, START, StateGraph, StateSchema } from "@langchain/langgraph";
import { z } from "zod";
import type { ActionTypeDefinition, AgentDefinition } from "../../src/orchestration/agent-definition.js";
import { ProposedAction } from "../../src/orchestration/decision.js";

/** Side effects of executed actions, as an outside system (a payer) would see them. */
export class SubmissionLog {
  readonly submitted: { idempotencyKey: string; note: string }[] = [];
  failNext = 0;
}

/** What a test asks the agent to propose. */
export const TestWorkItem = z.object({
  proposals: z.array(z.object({
    actionType: z.enum(["file-note", "appeal-medical-necessity"]),
    key: z.string(),
    note: z.string(),
    confidence: z.number(),
    modelProvider: z.enum(["openai", "offline", "none"]).default("none"),
  })),
});

const State = new StateSchema({
  runId: z.string(),
  workItem: z.record(z.string(), z.unknown()),
  /** Facts the gather node found. */
  facts: z.array(z.string()).default(() => []),
  proposals: z.array(ProposedAction).default(() => []),
});

export function testAgent(): AgentDefinition<{ log: SubmissionLog }> {
  const note = z.object({ note: z.string().min(1) });
  const editSchema = z.strictObject({ note: z.string().min(1) }).partial();
  type Deps = { log: SubmissionLog };
  const submit: ActionTypeDefinition<{ note: string }, Deps>["execute"] = async (payload, ctx, { log }) => {
    if (log.failNext > 0) {
      log.failNext -= 1;
      throw new Error("payer timed out");
    }
    log.submitted.push({ idempotencyKey: ctx.idempotencyKey, note: payload.note });
    return { confirmation: `CONF-${log.submitted.length}` };
  };
  const actionTypes: ActionTypeDefinition<{ note: string }, Deps>[] = [
    { type: "file-note", description: "File a note with the payer", humanOnly: false, threshold: 0.9, payloadSchema: note, editSchema, execute: submit },
    { type: "appeal-medical-necessity", description: "Medical-necessity appeal", humanOnly: true, threshold: 0.9, payloadSchema: note, editSchema, execute: submit },
  ];
  return {
    id: "test-escalator",
    title: "Test escalator",
    description: "Proposes what its work item says; used by the platform's tests.",
    handles: ["test"],
    actionTypes: actionTypes as never,
    build: (services) => {
      return new StateGraph(State)
        .addNode("gather", async (s) => {
          const facts = await services.audit.toolCall({ runId: s.runId, agent: "test-escalator", node: "gather" }, "count-proposals",
            { n: (s.workItem.proposals as unknown[]).length }, (i) => [`${i.n} proposals requested`]);
          return { facts };
        })
        .addNode("draft", async (s) => {
          const item = TestWorkItem.parse(s.workItem);
          return {
            proposals: item.proposals.map((p) => ({
              actionType: p.actionType, idempotencyKey: p.key, payload: { note: p.note }, summary: `File ${p.note}`,
              confidence: p.confidence, rationale: s.facts.join("; "), evidence: [{ kind: "rule" as const, ref: "test" }],
              subject: { type: "test", id: p.key }, dueBy: "2026-12-01T00:00:00.000Z",
              humanOnlyReason: null, modelProvider: p.modelProvider,
            })),
          };
        })
        .addEdge(START, "gather").addEdge("gather", "draft").addEdge("draft", END)
        .compile();
    },
  };
}
