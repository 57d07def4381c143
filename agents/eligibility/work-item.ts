/** The eligibility agent's id, and its work item and audit context (shared with the other pre-service agent). */
import type { StepContext } from "../../src/orchestration/audit-recorder.js";
import { AppointmentWorkItem, appointmentStep, parseAppointmentWorkItem } from "../shared/appointment-work-item.js";

export const AGENT_ID = "eligibility";

/** The appointment id of a work item. */
export const appointmentIdOf = (workItem: Record<string, unknown>): string => parseAppointmentWorkItem(workItem).id;

/** The sweep a work item belongs to, or null. */
export const sweepIdOf = (workItem: Record<string, unknown>): string | null => AppointmentWorkItem.safeParse(workItem).data?.sweepId ?? null;

/** Where a step writes in the audit log. */
export const stepContext = (state: { runId: string; workItem: Record<string, unknown> }, node: string): StepContext => appointmentStep(AGENT_ID, state, node);
