/** The prior-auth agent's id, the audit context of its steps, and its idempotency keys. */
import type { StepContext } from "../../src/orchestration/audit-recorder.js";
import { appointmentStep } from "../shared/appointment-work-item.js";

/** The agent id (audit log, autonomy, pre-service checks). */
export const PRIOR_AUTH_AGENT = "prior-auth";

/** Where a node's audit entries belong. */
export const stepContext = (state: { runId: string; workItem: { id: string } }, node: string): StepContext => appointmentStep(PRIOR_AUTH_AGENT, state, node);

/** The stable idempotency key of an action on one drug of one visit: a re-run never acts twice. */
export const actionKey = (appointmentId: string, hcpcs: string, action: "submit" | "exception" | "verified") => `prior-auth:${appointmentId}:${hcpcs}:${action}`;
