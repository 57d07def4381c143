/**
 * The top-level graph: routes a work item (an appointment, a claim, a remittance) to every agent
 * that handles its type, fanning out with `Send`, and starts one run (thread) per agent. Each
 * agent run is its own checkpointed thread, so a pause for a person in one agent does not hold
 * the others. The graph only decides the targets; runs start after it returns, outside its
 * context — started inside a node, an agent's graph would inherit the router's run config and its
 * interrupts would surface as the router's.
 */
import { END, ReducedValue, START, Send, StateGraph, StateSchema } from "@langchain/langgraph";
import { z } from "zod";
import type { AgentRuntime } from "./runtime.js";

/** A unit of work for the agents. */
export const WorkItem = z.object({
  type: z.enum(["appointment", "claim", "remittance", "test"]).describe("What the item is"),
  id: z.string().min(1).describe("Its id in the source system"),
  data: z.record(z.string(), z.unknown()).default({}).describe("What the agents need to start (ids, dates …)"),
});
export type WorkItem = z.infer<typeof WorkItem>;

/** An agent the router sends an item to. */
const Target = z.object({ agent: z.string() });

/** A run the router started. */
export const DispatchedRun = z.object({ agent: z.string(), runId: z.string(), status: z.string() });
export type DispatchedRun = z.infer<typeof DispatchedRun>;

const RouterState = new StateSchema({
  /** The item being routed. */
  item: WorkItem,
  /** Agents it goes to. */
  targets: new ReducedValue(z.array(Target).default(() => []), {
    inputSchema: z.array(Target),
    reducer: (a, b) => [...a, ...b],
  }),
});

/** Builds the router over a runtime's registry. */
export function buildWorkRouter(runtime: AgentRuntime) {
  const dispatch = async (input: { item: WorkItem; agent: string }) => ({ targets: [{ agent: input.agent }] });
  const route = (state: typeof RouterState.State) => {
    const agents = runtime.registry.handling(state.item.type);
    return agents.length === 0 ? END : agents.map((a) => new Send("dispatch", { item: state.item, agent: a.id }));
  };
  return new StateGraph(RouterState)
    .addNode("dispatch", dispatch as never)
    .addConditionalEdges(START, route, ["dispatch", END])
    .addEdge("dispatch", END)
    .compile({ name: "work-router" });
}

/**
 * Routes one item, starts a run per target agent — side by side, as they are independent threads
 * (while one waits on the database or a payer, another computes) — and returns the runs in the
 * targets' order. `narrow` gives a target the part of the item still its to do (a retried sweep
 * batch: the appointments it has not checked yet), or null for none: no run for it.
 */
export async function routeWorkItem(runtime: AgentRuntime, item: WorkItem, narrow?: (agent: string) => WorkItem | null): Promise<DispatchedRun[]> {
  const { targets } = await buildWorkRouter(runtime).invoke({ item });
  const own = targets.flatMap(({ agent }) => {
    const part = narrow === undefined ? item : narrow(agent);
    return part === null ? [] : [{ agent, part }];
  });
  const settled = await Promise.allSettled(own.map(async ({ agent, part }) => {
    const run = await runtime.start(agent, { type: part.type, id: part.id }, { ...part.data, id: part.id });
    return { agent, runId: run.id, status: run.status };
  }));
  // Every run has finished or paused before a failure to start one is reported.
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed !== undefined) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<DispatchedRun>).value);
}
