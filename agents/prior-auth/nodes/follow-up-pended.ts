/**
 * follow-up-pended: the patient's pended 278 requests whose next check is due are re-sent
 * (same trace: the payer answers with its current decision); a certified one joins the ledger
 * before the authorizations are checked. Each re-send is on record before it leaves, and what
 * its answer changes in the ledger commits with the entry recording the answer.
 */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import { pendedRequestsDue, type AuthorizationRequestRecord } from "../../../tools/payer/authorization-ledger.js";
import { forEachVisit, type BatchState } from "../../shared/appointment-work-item.js";
import type { PreServiceDeps } from "../../shared/pre-service-deps.js";
import { applyAuthorizationReply } from "../auth-response.js";
import type { PriorAuthStateValue, PriorAuthVisit } from "../state.js";
import { PRIOR_AUTH_AGENT, stepContext } from "../work-item.js";

/**
 * Every visit's patient's pended requests that are due, read in one query, followed up visit by
 * visit; each re-sent 278 is on record before any is sent (DESIGN: Audit — before the call for an
 * external effect): a request entry each, written with one flush for the batch.
 */
export function followUpPended(services: PlatformServices, deps: PreServiceDeps) {
  return async (state: BatchState<PriorAuthVisit>) => {
    const now = services.now();
    const today = now.toISOString().slice(0, 10);
    // All pended requests due (a handful at any time), matched to the batch's patients here.
    const allDue = await pendedRequestsDue(services.pool, today);
    // A request is followed up once, for the first visit of its patient in the batch (that forEachVisit steps).
    const followed = new Set<string>();
    const dueFor = new Map<string, AuthorizationRequestRecord[]>();
    for (const visit of state.visits) {
      if (visit.error != null || visit.chart == null) continue;
      dueFor.set(visit.appointmentId, allDue.filter((r) => {
        if (r.patientId !== visit.chart?.patient.id || followed.has(r.id)) return false;
        followed.add(r.id);
        return true;
      }));
    }
    const requests = [...dueFor].flatMap(([appointmentId, due]) => due.map((r) => services.audit.entry(
      stepContext({ runId: state.runId, workItem: { id: appointmentId } }, "follow-up-pended"), "tool.request",
      { tool: "clearinghouse.follow-up-278", requestId: r.id, trace: r.trace, hcpcs: r.hcpcs },
    )));
    if (requests.length > 0) {
      await services.audit.add(requests);
      await services.audit.flush(state.runId);
    }
    return forEachVisit<PriorAuthVisit>(PRIOR_AUTH_AGENT, "follow-up-pended", services, (visit) => followUpVisit(visit, dueFor.get(visit.appointmentId) ?? [], today, now))(state);
  };

  async function followUpVisit(state: PriorAuthStateValue, due: AuthorizationRequestRecord[], today: string, now: Date): Promise<Partial<PriorAuthVisit>> {
    const chart = state.chart;
    if (chart == null) return {};
    const ctx = stepContext(state, "follow-up-pended");
    // Recorded without the stored X12 and PAS bundle: the trace identifies them.
    await services.audit.toolCall(ctx, "authorization-ledger.pended-requests-due", { patientId: chart.patient.id, today },
      () => due.map((r) => ({ id: r.id, trace: r.trace, hcpcs: r.hcpcs, status: r.status, nextCheckOn: r.nextCheckOn })));
    const followUps = [];
    for (const request of due) {
      const tool = "clearinghouse.follow-up-278";
      const input = { requestId: request.id, trace: request.trace, hcpcs: request.hcpcs };
      const started = performance.now();
      try {
        const reply = await deps.clearinghouse.submitAuthorization(request.x12Request);
        // The answer's effects (the request's status, a certified authorization) commit with the entry recording them.
        const result = await services.audit.commit(state.runId, async (client) => {
          const output = await applyAuthorizationReply(client, request, reply, null, now);
          return { value: output, entries: [services.audit.entry(ctx, "tool.call", { tool, input, output, ms: Math.round(performance.now() - started) })] };
        });
        followUps.push({ requestId: request.id, hcpcs: request.hcpcs, trace: request.trace, status: result.status, authNumber: result.authNumber });
      } catch (error) {
        await services.audit.record(ctx, "tool.call", { tool, input, error: { name: (error as Error).name, message: (error as Error).message }, ms: Math.round(performance.now() - started) });
        throw error;
      }
    }
    return { followUps };
  }
}
