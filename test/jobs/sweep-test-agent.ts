/**
 * A tiny pre-service test agent (not a product agent) for the sweep tests: for an appointment it
 * records a check (an exception for some appointments, with an estimate for others) and, when it
 * found an exception, proposes one action — which an advisory agent sends to review, so its run
 * waits; a clean appointment's run completes. Its checks are effects written with the run's end,
 * as the product agents' are. It can be told to fail for some appointments, to crash (a bug)
 * after checking, or to hold there (a process killed mid-run).
 */
import { END, START, StateGraph, StateSchema } from "@langchain/langgraph";
import { createHash } from "node:crypto";
import { z } from "zod";
import type { ExceptionReason } from "../../agents/shared/pre-service-checks.js";
import { checkEffect, writePreServiceEffects } from "../../agents/shared/pre-service-effects.js";
import type { EhrClient } from "../../tools/ehr/ehr-client.js";
import type { ActionTypeDefinition, AgentDefinition } from "../../src/orchestration/agent-definition.js";
import { ProposedAction } from "../../src/orchestration/decision.js";
import { forEachVisit, startVisits } from "../../agents/shared/appointment-work-item.js";
import { UpstreamError } from "../../tools/errors.js";

/** What the test agent reads and how it misbehaves. */
export interface SweepTestDeps {
  ehr: Pick<EhrClient, "appointment">;
  /** Appointments whose check always throws. */
  failing: Set<string>;
  /** Appointments whose check throws this many more times. */
  flaky: Map<string, number>;
  /** Milliseconds each check takes (to stop a sweep half-way). */
  delayMs: number;
  /** Appointment ids in the order their checks ran. */
  checked: string[];
  /** `agent:appointment` keys: that agent's run of a batch with the appointment throws a plain Error (a bug) this many more times, after the check and before the run ends. */
  crashAfterCheck?: Map<string, number>;
  /** While set, runs wait here after their check, before they end (as if the process were killed there). */
  hold?: Promise<void> | null;
}

type EstimateKind = "priced" | "stale" | "unpriced";

/**
 * The test's deterministic verdict for an appointment: an exception for about a third, an
 * estimate for about half — priced, priced from an earlier quarter (stale), or with no priced line.
 */
export function verdictFor(appointmentId: string): { reasons: ExceptionReason[]; estimate: EstimateKind | null } {
  const [byte = 0, other = 0] = createHash("sha256").update(appointmentId).digest();
  const kinds: EstimateKind[] = ["priced", "stale", "unpriced"];
  return { reasons: byte % 3 === 0 ? ["coverage-inactive"] : byte % 3 === 1 && byte % 2 === 0 ? ["benefit-ambiguous"] : [], estimate: byte % 2 === 1 ? (kinds[other % 3] as EstimateKind) : null };
}

/** An estimate of a kind, shaped as the eligibility agent records it. */
function estimateOf(kind: EstimateKind): Record<string, unknown> {
  const line = { hcpcs: "J9271", units: 200, allowed: "11945.20" };
  return kind === "unpriced"
    ? { patientShare: "0.00", lines: [], unpriced: [{ hcpcs: "J9271", reason: "not priced" }], stale: false }
    : { patientShare: "2535.44", lines: [line], unpriced: [], stale: kind === "stale" };
}

const Visit = z.object({ appointmentId: z.string(), error: z.string().nullish(), proposals: z.array(ProposedAction).default(() => []) });

const State = new StateSchema({
  runId: z.string(),
  workItem: z.record(z.string(), z.unknown()),
  visits: z.array(Visit).default(() => []),
  proposals: z.array(ProposedAction).default(() => []),
  effects: z.array(z.unknown()).default(() => []),
});

/** The agent, registered as `eligibility` (or `id`) for appointments. */
export function sweepTestAgent(id: "eligibility" | "prior-auth" = "eligibility"): AgentDefinition<SweepTestDeps> {
  const note: ActionTypeDefinition<{ note: string }, SweepTestDeps> = {
    type: "file-note", description: "Leave a note for staff", humanOnly: false, threshold: 0.9,
    payloadSchema: z.object({ note: z.string() }), editSchema: z.strictObject({}), execute: async () => ({ ok: true }),
  };
  return {
    id,
    title: "Sweep test agent",
    description: "Records a pre-service check; used by the sweep tests.",
    handles: ["appointment"],
    actionTypes: [note] as never,
    writeEffects: writePreServiceEffects,
    build: (services, deps) => {
      const check = async (state: typeof State.State) => {
        const effects: unknown[] = [];
        const update = await forEachVisit<z.infer<typeof Visit>>(id, "check", services, async (v) => {
          const appointmentId = v.appointmentId;
          if (deps.delayMs > 0) await new Promise((r) => setTimeout(r, deps.delayMs));
          const remaining = deps.flaky.get(appointmentId) ?? 0;
          if (remaining > 0) deps.flaky.set(appointmentId, remaining - 1);
          if (deps.failing.has(appointmentId) || remaining > 0) throw new UpstreamError(`payer timed out for ${appointmentId}`);
          const appointment = await deps.ehr.appointment(appointmentId);
          if (appointment === null) throw new Error(`no appointment ${appointmentId}`);
          deps.checked.push(`${id === "eligibility" ? "" : `${id}:`}${appointmentId}`);
          const { reasons, estimate } = verdictFor(appointmentId);
          effects.push(checkEffect({
            agent: id, runId: v.runId, sweepId: v.workItem.sweepId,
            appointmentId, patientId: appointment.patientId, dateOfService: appointment.dateOfService, checkedAt: services.now(),
            reasons, facts: { coverageActive: reasons.length === 0 }, estimate: estimate === null ? null : estimateOf(estimate),
          }));
          const proposals: ProposedAction[] = reasons.length === 0 ? [] : [{
            actionType: "file-note", idempotencyKey: `note-${id}-${v.workItem.sweepId ?? v.runId}-${appointmentId}`, payload: { note: reasons.join(", ") }, summary: `Check ${reasons.join(", ")}`,
            confidence: 0.95, rationale: "test", evidence: [{ kind: "rule", ref: "test" }], subject: { type: "appointment", id: appointmentId },
            dueBy: null, humanOnlyReason: null, modelProvider: "none",
          }];
          return { proposals };
        })(state);
        return { ...update, effects };
      };
      // After the check, before the run ends: where a bug throws or a killed process stops.
      const afterCheck = async (state: typeof State.State) => {
        if (deps.hold != null) await deps.hold;
        for (const v of state.visits) {
          const key = `${id}:${v.appointmentId}`;
          const remaining = deps.crashAfterCheck?.get(key) ?? 0;
          if (remaining === 0) continue;
          deps.crashAfterCheck?.set(key, remaining - 1);
          throw new Error(`the test agent crashed after checking ${v.appointmentId}`);
        }
        return {};
      };
      return new StateGraph(State)
        .addNode("start", startVisits)
        .addNode("check", check)
        .addNode("after-check", afterCheck)
        .addEdge(START, "start").addEdge("start", "check").addEdge("check", "after-check").addEdge("after-check", END)
        .compile();
    },
  };
}
