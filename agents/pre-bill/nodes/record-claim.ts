/**
 * record-claim: every visit's captured claim and its scrub, as the run's effects — the runtime
 * writes them in the transaction that ends the run (effects.ts).
 */
import { parseAppointmentWorkItem, type BatchState } from "../../shared/appointment-work-item.js";
import type { ClaimScrubbedEffect } from "../effects.js";
import type { PreBillVisit } from "../state.js";

export function recordClaim() {
  return async (state: BatchState<PreBillVisit>) => {
    const { sweepId } = parseAppointmentWorkItem(state.workItem);
    const effects: ClaimScrubbedEffect[] = state.visits.flatMap((v) =>
      v.error == null && v.record != null && v.scrub != null ? [{ type: "claim-scrubbed" as const, visitId: v.appointmentId, sweepId, record: v.record, scrub: v.scrub }] : []);
    return { effects };
  };
}
