/**
 * follow-up-pended: the patient's pended 278 requests whose next check is due are re-sent
 * (same trace: the payer answers with its current decision); a certified one joins the ledger
 * before the authorizations are checked.
 */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import { pendedRequestsDue } from "../../../tools/payer/authorization-ledger.js";
import type { PreServiceDeps } from "../../shared/pre-service-deps.js";
import { sendAuthorizationRequest } from "../auth-response.js";
import type { PriorAuthStateValue } from "../state.js";
import { stepContext } from "../work-item.js";

export function followUpPended(services: PlatformServices, deps: PreServiceDeps) {
  return async (state: PriorAuthStateValue) => {
    const chart = state.chart;
    if (chart == null) return {};
    const ctx = stepContext(state, "follow-up-pended");
    const now = services.now();
    const today = now.toISOString().slice(0, 10);
    const due = await pendedRequestsDue(services.pool, today, chart.patient.id);
    // Recorded without the stored X12 and PAS bundle: the trace identifies them.
    await services.audit.toolCall(ctx, "authorization-ledger.pended-requests-due", { patientId: chart.patient.id, today },
      () => due.map((r) => ({ id: r.id, trace: r.trace, hcpcs: r.hcpcs, status: r.status, nextCheckOn: r.nextCheckOn })));
    const followUps = [];
    for (const request of due) {
      const result = await services.audit.toolCall(ctx, "clearinghouse.follow-up-278", { requestId: request.id, trace: request.trace, hcpcs: request.hcpcs },
        () => sendAuthorizationRequest(services.pool, deps.clearinghouse, request, null, now));
      followUps.push({ requestId: request.id, hcpcs: request.hcpcs, trace: request.trace, status: result.status, authNumber: result.authNumber });
    }
    return { followUps };
  };
}
