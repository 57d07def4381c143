/** The eligibility agent's id and the audit context of its steps. */
import type { StepContext } from "../../src/orchestration/audit-recorder.js";
import { appointmentStep } from "../shared/appointment-work-item.js";

export const AGENT_ID = "eligibility";

/** Where a step on one visit writes in the audit log. */
export const stepContext = (state: { runId: string; workItem: { id: string } }, node: string): StepContext => appointmentStep(AGENT_ID, state, node);
