/**
 * The pre-service agents' work item — one scheduled infusion, or a batch of them (a sweep sends
 * its appointments in batches, so the graph's fixed cost is paid once per batch) — where their
 * steps write in the audit log, and how a node that works on one visit runs over a batch.
 */
import { StateSchema } from "@langchain/langgraph";
import { z } from "zod";
import type { PlatformServices } from "../../src/orchestration/agent-definition.js";
import type { StepContext } from "../../src/orchestration/audit-recorder.js";
import { ProposedAction } from "../../src/orchestration/decision.js";
import { AppError, BadInputError } from "../../tools/errors.js";

/** Most appointments one run takes. */
export const MAX_BATCH = 500;
/** The longest id a work item may carry (as the HTTP API's ids). */
const MAX_ID_CHARS = 128;

export const AppointmentWorkItem = z.object({
  id: z.string().min(1).max(MAX_ID_CHARS).describe("The appointment id; for a batch, the batch's id"),
  appointments: z.array(z.string().min(1).max(MAX_ID_CHARS)).min(1).max(MAX_BATCH).nullish().describe("A batch's appointment ids (absent: just `id`)"),
  sweepId: z.string().max(MAX_ID_CHARS).nullish().describe("The sweep that sent it, if any"),
});
export type AppointmentWorkItem = z.infer<typeof AppointmentWorkItem>;

/** Reads a work item into its appointments; one that is not an appointment is bad input, not a crash. */
export function parseAppointmentWorkItem(workItem: Record<string, unknown>): { appointmentIds: string[]; sweepId: string | null } {
  const parsed = AppointmentWorkItem.safeParse(workItem);
  if (!parsed.success) throw new BadInputError(`Work item is not an appointment: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  return { appointmentIds: [...new Set(parsed.data.appointments ?? [parsed.data.id])], sweepId: parsed.data.sweepId ?? null };
}

/** Where an agent's step on one appointment writes in the audit log. */
export function appointmentStep(agent: string, state: { runId: string; workItem: { id: string } }, node: string): StepContext {
  return { runId: state.runId, agent, node, subject: { type: "appointment", id: state.workItem.id } };
}

/** What every visit of a batch carries: its appointment, why it failed (if it did) and what it proposes. */
export interface VisitBase {
  appointmentId: string;
  error?: string | null;
  proposals?: ProposedAction[];
}

/** What a per-visit step sees: the visit, the run id and the visit as a one-appointment work item. */
export type VisitStep<V> = V & { runId: string; workItem: { id: string; sweepId: string | null } };

/** The graph state of a batch agent. */
export interface BatchState<V> {
  runId: string;
  workItem: Record<string, unknown>;
  visits: V[];
}

/** The LangGraph state schema of a batch agent whose visits have the schema `visit`. */
export function batchStateSchema<T extends z.ZodType>(visit: T) {
  return new StateSchema({
    /** The run (thread) id, from the platform. */
    runId: z.string(),
    /** The work item: `{ id, appointments?, sweepId? }`. */
    workItem: z.record(z.string(), z.unknown()),
    /** One entry per appointment of the work item. */
    visits: z.array(visit).default(() => []),
    /** What the agent proposes, all visits together; the platform gates and executes. */
    proposals: z.array(ProposedAction).default(() => []),
    /** What the run writes to the database (PreServiceEffect), written by the runtime with the run's end. */
    effects: z.array(z.unknown()).default(() => []),
  });
}


/**
 * Runs a one-visit step over every visit of the batch that has not failed — one visit at a time,
 * or up to `concurrency` at once (a step that waits on a model) with the visits kept in order. A
 * visit whose step fails on bad input or an unreachable system (an AppError) is set aside with
 * its error, in the audit log, and the rest go on; a run of one appointment fails instead, as it
 * always has. Any other error (a bug) fails the run, once every started step has settled. Also
 * hands the visits' proposals to the platform.
 */
export function forEachVisit<V extends VisitBase>(
  agent: string, node: string, services: PlatformServices, step: (visit: VisitStep<V>) => Promise<Partial<V>>, options: { concurrency?: number } = {},
) {
  return async (state: BatchState<V>) => {
    const { sweepId } = parseAppointmentWorkItem(state.workItem);
    const visits: V[] = [...state.visits];
    const failures: { index: number; error: unknown }[] = [];
    const runOne = async (index: number) => {
      const visit = state.visits[index] as V;
      if (visit.error != null) return;
      const view: VisitStep<V> = { ...visit, runId: state.runId, workItem: { id: visit.appointmentId, sweepId } };
      try {
        visits[index] = { ...visit, ...(await step(view)) };
      } catch (error) {
        if (!(error instanceof AppError) || state.visits.length === 1) {
          failures.push({ index, error });
          return;
        }
        const message = `${error.code}: ${error.message}`;
        await services.audit.record(appointmentStep(agent, view, node), "subject.failed", { error: message });
        visits[index] = { ...visit, error: message };
      }
    };
    let next = 0;
    const worker = async () => {
      while (next < state.visits.length && failures.length === 0) await runOne(next++);
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 1, state.visits.length)) }, worker));
    if (failures.length > 0) throw failures.sort((a, b) => a.index - b.index)[0]?.error;
    return batchUpdate(visits);
  };
}

/** A batch node's update: the visits and every proposal they make. */
export function batchUpdate<V extends VisitBase>(visits: V[]): { visits: V[]; proposals: ProposedAction[] } {
  return { visits, proposals: visits.flatMap((v) => (v.error == null ? v.proposals ?? [] : [])) };
}

/** The first step of a batch agent: one visit per appointment of the work item. */
export function startVisits(state: { workItem: Record<string, unknown> }): { visits: VisitBase[] } {
  return { visits: parseAppointmentWorkItem(state.workItem).appointmentIds.map((appointmentId) => ({ appointmentId })) };
}
