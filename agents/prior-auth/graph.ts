/**
 * The authorization agent: for each drug of a scheduled infusion, is an authorization required,
 * and is one on file that covers this dose and the next cycle? Missing ones are requested (278
 * with the equivalent PAS bundle), pended ones followed until decided, problems handed to staff.
 *
 * Works on one appointment or a sweep batch of them; each node covers every visit.
 *
 *   start → load-chart → follow-up-pended → check-authorizations → extract-justification
 *     → draft-requests → record-check → propose-actions
 *
 * extract-justification has the model read the note and the verifier check what it read; only
 * verified text goes into a 278, and unverified output holds the request for a person.
 */
import { END, START, StateGraph } from "@langchain/langgraph";
import type { AgentDefinition } from "../../src/orchestration/agent-definition.js";
import type { PreServiceDeps } from "../shared/pre-service-deps.js";
import { writePreServiceEffects } from "../shared/pre-service-effects.js";
import { authExceptionAction } from "./actions/auth-exception.js";
import { authVerifiedAction } from "./actions/auth-verified.js";
import { submitAuthRequestAction } from "./actions/submit-auth-request.js";
import { checkAuthorizations } from "./nodes/check-authorizations.js";
import { draftRequests } from "./nodes/draft-requests.js";
import { extractJustification } from "./nodes/extract-justification.js";
import { followUpPended } from "./nodes/follow-up-pended.js";
import { loadChart } from "./nodes/load-chart.js";
import { proposeActions } from "./nodes/propose-actions.js";
import { recordCheckNode } from "./nodes/record-check.js";
import { PriorAuthState, type PriorAuthVisit } from "./state.js";
import { forEachVisit, startVisits } from "../shared/appointment-work-item.js";
import { PRIOR_AUTH_AGENT } from "./work-item.js";

/** The prior-auth agent's definition (id "prior-auth"; handles appointments). */
export function priorAuthAgent(): AgentDefinition<PreServiceDeps> {
  return {
    id: PRIOR_AUTH_AGENT,
    title: "Prior authorization",
    description: "Checks every scheduled drug's authorization (required, on file, dates, units, diagnosis, next cycle), "
      + "requests missing ones with a 278 and PAS bundle, follows pended requests and scores approval likelihood.",
    handles: ["appointment"],
    actionTypes: [submitAuthRequestAction(), authExceptionAction(), authVerifiedAction()] as AgentDefinition<PreServiceDeps>["actionTypes"],
    // Its checks and ledger draws are written with the run's end (record-check puts them in the state).
    writeEffects: writePreServiceEffects,
    build(services, deps) {
      return new StateGraph(PriorAuthState)
        .addNode("start", startVisits)
        .addNode("load-chart", loadChart(services, deps))
        .addNode("follow-up-pended", followUpPended(services, deps))
        .addNode("check-authorizations", checkAuthorizations(services, deps))
        .addNode("extract-justification", extractJustification(services, deps))
        .addNode("draft-requests", forEachVisit<PriorAuthVisit>(PRIOR_AUTH_AGENT, "draft-requests", services, draftRequests(services, deps)))
        .addNode("record-check", recordCheckNode(services))
        .addNode("propose-actions", proposeActions(services))
        .addEdge(START, "start")
        .addEdge("start", "load-chart")
        .addEdge("load-chart", "follow-up-pended")
        .addEdge("follow-up-pended", "check-authorizations")
        .addEdge("check-authorizations", "extract-justification")
        .addEdge("extract-justification", "draft-requests")
        .addEdge("draft-requests", "record-check")
        .addEdge("record-check", "propose-actions")
        .addEdge("propose-actions", END)
        .compile({ name: PRIOR_AUTH_AGENT });
    },
  };
}
