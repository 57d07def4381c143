/**
 * check-authorizations: per scheduled drug, the payer's rule (by the coverage's payer and plan),
 * the units of this dose, the ledger (authorizations, the units other visits drew, requests
 * sent) and the payer's history on the drug; then the deterministic dose check.
 */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import { unitsForOrder } from "../../../tools/coding/order-units.js";
import type { MedicationOrder } from "../../../tools/ehr/ehr-types.js";
import { loadLedgerSnapshot, type AuthorizationUsage, type LedgerSnapshot } from "../../../tools/payer/authorization-ledger.js";
import { forEachVisit, type BatchState } from "../../shared/appointment-work-item.js";
import type { PreServiceDeps } from "../../shared/pre-service-deps.js";
import { checkDose } from "../authorization-check.js";
import type { DrugAuthCheck, PriorAuthStateValue, PriorAuthVisit } from "../state.js";
import { PRIOR_AUTH_AGENT, stepContext } from "../work-item.js";

/**
 * The ledger of every patient in the batch is read at once; visits are checked in order, each
 * drawing its units from the snapshot, so a later visit of the same patient sees what an earlier
 * one will use (record-check writes the draws).
 */
export function checkAuthorizations(services: PlatformServices, deps: PreServiceDeps) {
  return async (state: BatchState<PriorAuthVisit>) => {
    const patientIds = [...new Set(state.visits.flatMap((v) => (v.chart == null || v.error != null ? [] : [v.chart.patient.id])))];
    const snapshot = await loadLedgerSnapshot(services.pool, { patientIds, today: services.now().toISOString().slice(0, 10) });
    return forEachVisit<PriorAuthVisit>(PRIOR_AUTH_AGENT, "check-authorizations", services, (visit) => checkVisit(visit, snapshot))(state);
  };

  async function checkVisit(state: PriorAuthStateValue, snapshot: LedgerSnapshot): Promise<Partial<PriorAuthVisit>> {
    const chart = state.chart;
    if (chart == null) return {};
    const ctx = stepContext(state, "check-authorizations");
    const { appointment, coverage } = chart;
    const payerId = coverage?.payerId ?? null;
    const planId = coverage?.planId ?? null;
    const planKnown = deps.payerRules.plan(payerId, planId) !== undefined;

    const ledgerFor = async (order: MedicationOrder, hcpcs: string, needed: boolean) => {
      if (!needed || payerId === null) return { authorizations: [], requests: [], history: { approved: 0, denied: 0 } };
      return services.audit.toolCall(ctx, "authorization-ledger.lookup", { patientId: order.patientId, payerId, hcpcs, appointmentId: appointment.appointmentId }, (i) => {
        const authorizations = snapshot.authorizations({ patientId: i.patientId, hcpcs: i.hcpcs, payerId: i.payerId }).map((a) => {
          const other = snapshot.usage(a.payerId, a.authNumber).filter((u) => u.appointmentId !== i.appointmentId).reduce((sum, u) => sum + u.units, 0);
          return { ...a, unitsUsedOtherVisits: other };
        });
        const requests = snapshot.requests(i.patientId, i.hcpcs).filter((r) => r.payerId === i.payerId)
          .map((r) => ({ id: r.id, trace: r.trace, status: r.status, nextCheckOn: r.nextCheckOn, authNumber: r.authNumber }));
        return { authorizations, requests, history: snapshot.history(i.payerId, i.hcpcs) };
      });
    };

    const drugs: DrugAuthCheck[] = [];
    for (const order of chart.orders) {
      const units = await services.audit.toolCall(ctx, "coding.units-for-order", { drugName: order.drugName, hcpcs: order.hcpcs, dose: order.dose },
        (i) => unitsForOrder(deps.tables.drugs, i));
      const hcpcs = order.hcpcs ?? units.hcpcs ?? "";
      const rule = deps.payerRules.authRule(payerId, planId, hcpcs);
      const ledger = await ledgerFor(order, hcpcs, rule?.required === true && order.supply !== "white-bag");
      const diagnosisCodes = order.diagnosisCodes.length > 0 ? order.diagnosisCodes : chart.diagnoses.map((d) => d.icd10);
      const check = await services.audit.toolCall(ctx, "check-dose-authorization", {
        order, hcpcs, dateOfService: appointment.dateOfService, units: units.ok ? units.units.billingUnits : null,
        unitsNote: units.ok ? null : `Units of this dose cannot be computed: ${units.reason}`, diagnosisCodes,
        planKnown, rule, ...ledger,
      }, checkDose);
      drugs.push(check);
      const draw = usageDrawn(check, appointment);
      if (draw !== null) snapshot.recordUsage(draw);
    }
    return { drugs };
  }
}

/** The units a checked dose draws from its authorization, when one covers it. */
export function usageDrawn(d: DrugAuthCheck, appointment: { appointmentId: string; dateOfService: string }): AuthorizationUsage | null {
  if (d.authValid !== true || d.authorization === null || d.units === null) return null;
  return { payerId: d.authorization.payerId, authNumber: d.authorization.authNumber, appointmentId: appointment.appointmentId, dateOfService: appointment.dateOfService, units: d.units };
}
