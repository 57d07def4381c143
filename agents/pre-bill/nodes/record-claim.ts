/**
 * record-claim: every visit's claim as captured and its scrub (the findings), in the claim store —
 * before propose-actions, so an action the gate executes at once (a clean claim's submission at
 * full autonomy) finds the claim; and the run's effects, the visits it finished (effects.ts).
 */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import { forEachVisit, parseAppointmentWorkItem, type BatchState } from "../../shared/appointment-work-item.js";
import type { PreBillDeps } from "../deps.js";
import type { VisitFinishedEffect } from "../effects.js";
import type { PreBillVisit } from "../state.js";
import { PRE_BILL_AGENT, claimStep } from "../work-item.js";

export function recordClaim(services: PlatformServices, deps: PreBillDeps) {
  return async (state: BatchState<PreBillVisit>) => {
    const { sweepId } = parseAppointmentWorkItem(state.workItem);
    const update = await forEachVisit<PreBillVisit>(PRE_BILL_AGENT, "record-claim", services, async (visit) => {
      const { record, scrub } = visit;
      if (record == null || scrub == null) return {};
      await services.audit.toolCall(claimStep(visit, "record-claim"), "claims.record-scrub", { visitId: record.visitId, claimId: deps.claims.claimIdFor(record.visitId), findings: scrub.findings.length },
        () => deps.claims.recordScrub({ visitId: record.visitId, record, scrub, runId: state.runId, sweepId, at: services.now() }));
      return {};
    })(state);
    const effects: VisitFinishedEffect[] = update.visits.flatMap((v) => (v.error == null && v.scrub != null ? [{ type: "visit-finished" as const, visitId: v.appointmentId, sweepId }] : []));
    return { ...update, effects };
  };
}
