/** The eligibility agent's work item and the audit context of its steps. */
import { z } from "zod";
import { BadInputError } from "../../tools/errors.js";
import type { StepContext } from "../../src/orchestration/audit-recorder.js";

export const AGENT_ID = "eligibility";

/** An appointment to verify, optionally as part of a sweep. */
export const AppointmentWorkItem = z.object({ id: z.string().min(1), sweepId: z.string().nullish() });

/** The appointment id of a work item (a bad item is bad input, not a crash). */
export function appointmentIdOf(workItem: Record<string, unknown>): string {
  const parsed = AppointmentWorkItem.safeParse(workItem);
  if (!parsed.success) throw new BadInputError(`Work item is not an appointment: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  return parsed.data.id;
}

/** The sweep a work item belongs to, or null. */
export const sweepIdOf = (workItem: Record<string, unknown>): string | null => AppointmentWorkItem.safeParse(workItem).data?.sweepId ?? null;

/** Where a step writes in the audit log. */
export function stepContext(state: { runId: string; workItem: Record<string, unknown> }, node: string): StepContext {
  return { runId: state.runId, agent: AGENT_ID, node, subject: { type: "appointment", id: String(state.workItem.id) } };
}
