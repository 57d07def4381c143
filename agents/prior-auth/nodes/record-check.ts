/**
 * record-check: every visit's pre-service check (what the scorecard and evaluations read) and the
 * units each visit draws from its valid authorizations in the per-cycle ledger, as the run's
 * effects: the runtime writes them — all visits' rows in one statement each, each draw in its
 * visit's trail — in the transaction that ends the run (agents/shared/pre-service-effects.ts).
 */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import type { AuthorizationUsage } from "../../../tools/payer/authorization-ledger.js";
import { forEachVisit, type BatchState } from "../../shared/appointment-work-item.js";
import type { PreServiceCheck } from "../../shared/pre-service-checks.js";
import { checkEffect, usageEffect } from "../../shared/pre-service-effects.js";
import type { PriorAuthVisit } from "../state.js";
import { PRIOR_AUTH_AGENT } from "../work-item.js";
import { usageDrawn } from "./check-authorizations.js";

export function recordCheckNode(services: PlatformServices) {
  return async (state: BatchState<PriorAuthVisit>) => {
    const now = services.now();
    const checks: PreServiceCheck[] = [];
    const draws: AuthorizationUsage[] = [];
    const update = await forEachVisit<PriorAuthVisit>(PRIOR_AUTH_AGENT, "record-check", services, async (visit) => {
      const chart = visit.chart;
      if (chart == null) return {};
      const { appointment, coverage } = chart;
      for (const d of visit.drugs) {
        const usage = usageDrawn(d, appointment);
        if (usage !== null) draws.push(usage);
      }
      checks.push({
        agent: PRIOR_AUTH_AGENT, runId: visit.runId, sweepId: visit.workItem.sweepId, appointmentId: appointment.appointmentId,
        patientId: chart.patient.id, dateOfService: appointment.dateOfService, checkedAt: now,
        reasons: visit.drugs.flatMap((d) => d.reasons), estimate: null,
        facts: {
          coverage: { payerId: coverage?.payerId ?? null, planId: coverage?.planId ?? null, memberId: coverage?.memberId ?? null },
          drugs: visit.drugs.map((d) => ({
            hcpcs: d.hcpcs, drug: d.drug, orderId: d.orderId, units: d.units, authRequired: d.authRequired, authValid: d.authValid,
            authNumber: d.authNumber, remainingAfterDose: d.remainingAfterDose, reasons: d.reasons,
            likelihood: d.likelihood ?? { score: 1, reasons: [] }, notes: d.notes, nextCycleDate: d.nextCycleDate, needsRequest: d.needsRequest,
            authorization: d.authorization, pendingRequest: d.pendingRequest,
          })),
          followUps: visit.followUps,
          justification: visit.justificationSource ?? null,
        },
      });
      return {};
    })(state);
    return { ...update, effects: [...draws.map((u) => usageEffect(u, "record-check")), ...checks.map(checkEffect)] };
  };
}
