/**
 * record-check: writes the run's pre-service check (what the scorecard and evaluations read)
 * and draws this visit's units from each valid authorization in the per-cycle ledger.
 */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import { recordUsage } from "../../../tools/payer/authorization-ledger.js";
import { recordCheck } from "../../shared/pre-service-checks.js";
import type { PriorAuthStateValue } from "../state.js";
import { parseAppointmentWorkItem } from "../../shared/appointment-work-item.js";
import { PRIOR_AUTH_AGENT, stepContext } from "../work-item.js";

export function recordCheckNode(services: PlatformServices) {
  return async (state: PriorAuthStateValue) => {
    const chart = state.chart;
    if (chart == null) return {};
    const item = parseAppointmentWorkItem(state.workItem);
    const ctx = stepContext(state, "record-check");
    const now = services.now();
    const { appointment, coverage } = chart;
    for (const d of state.drugs) {
      if (d.authValid !== true || d.authorization === null || d.units === null) continue;
      const usage = { payerId: d.authorization.payerId, authNumber: d.authorization.authNumber, appointmentId: appointment.appointmentId, dateOfService: appointment.dateOfService, units: d.units };
      await services.audit.toolCall(ctx, "authorization-ledger.record-usage", usage, (u) => recordUsage(services.pool, u, now));
    }
    const facts = {
      coverage: { payerId: coverage?.payerId ?? null, planId: coverage?.planId ?? null, memberId: coverage?.memberId ?? null },
      drugs: state.drugs.map((d) => ({
        hcpcs: d.hcpcs, drug: d.drug, orderId: d.orderId, units: d.units, authRequired: d.authRequired, authValid: d.authValid,
        authNumber: d.authNumber, remainingAfterDose: d.remainingAfterDose, reasons: d.reasons,
        likelihood: d.likelihood ?? { score: 1, reasons: [] }, notes: d.notes, nextCycleDate: d.nextCycleDate, needsRequest: d.needsRequest,
        authorization: d.authorization, pendingRequest: d.pendingRequest,
      })),
      followUps: state.followUps,
      justification: state.justificationSource ?? null,
    };
    await recordCheck(services.pool, {
      agent: PRIOR_AUTH_AGENT, runId: state.runId, sweepId: item.sweepId ?? null, appointmentId: appointment.appointmentId,
      patientId: chart.patient.id, dateOfService: appointment.dateOfService, checkedAt: now,
      reasons: state.drugs.flatMap((d) => d.reasons), facts, estimate: null,
    });
    return {};
  };
}
