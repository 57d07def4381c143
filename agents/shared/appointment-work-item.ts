/** The pre-service agents' work item — one scheduled infusion, optionally part of a sweep — and where their steps write in the audit log. */
import { z } from "zod";
import type { StepContext } from "../../src/orchestration/audit-recorder.js";
import { BadInputError } from "../../tools/errors.js";

export const AppointmentWorkItem = z.object({
  id: z.string().min(1).describe("The appointment id"),
  sweepId: z.string().nullish().describe("The sweep that sent it, if any"),
});
export type AppointmentWorkItem = z.infer<typeof AppointmentWorkItem>;

/** Reads a work item; one that is not an appointment is bad input, not a crash. */
export function parseAppointmentWorkItem(workItem: Record<string, unknown>): AppointmentWorkItem {
  const parsed = AppointmentWorkItem.safeParse(workItem);
  if (!parsed.success) throw new BadInputError(`Work item is not an appointment: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** Where an agent's step on an appointment writes in the audit log. */
export function appointmentStep(agent: string, state: { runId: string; workItem: Record<string, unknown> }, node: string): StepContext {
  return { runId: state.runId, agent, node, subject: { type: "appointment", id: String(state.workItem.id) } };
}
