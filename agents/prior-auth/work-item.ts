/** The prior-auth agent's id, its work item, and the audit context of its steps. */
import { z } from "zod";
import type { StepContext } from "../../src/orchestration/audit-recorder.js";

/** The agent id (audit log, autonomy, pre-service checks). */
export const PRIOR_AUTH_AGENT = "prior-auth";

/** The work item: one scheduled infusion, optionally as part of a sweep. */
export const PriorAuthWorkItem = z.object({
  id: z.string().min(1).describe("The appointment id"),
  sweepId: z.string().optional(),
});
export type PriorAuthWorkItem = z.infer<typeof PriorAuthWorkItem>;

/** Where a node's audit entries belong. */
export function stepContext(state: { runId: string; workItem: Record<string, unknown> }, node: string): StepContext {
  return { runId: state.runId, agent: PRIOR_AUTH_AGENT, node, subject: { type: "appointment", id: String(state.workItem.id) } };
}

/** The stable idempotency key of an action on one drug of one visit: a re-run never acts twice. */
export const actionKey = (appointmentId: string, hcpcs: string, action: "submit" | "exception" | "verified") => `prior-auth:${appointmentId}:${hcpcs}:${action}`;
