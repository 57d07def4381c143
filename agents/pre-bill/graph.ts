/**
 * The pre-bill revenue integrity agent: for each visit whose charges are captured, reconcile the
 * charges with the MAR and scrub them line by line (units, NDC, waste, administration codes,
 * edits, diagnosis links, revenue codes, authorizations), propose the corrections, ask the nurse
 * or physician what the record cannot support, and propose the submission.
 *
 *   start → load-visit → scrub → record-claim → propose-actions
 *
 * Every fact is the coding toolkit's (the scrubber); no model decides a unit, a code or an amount.
 */
import { END, START, StateGraph } from "@langchain/langgraph";
import type { AgentDefinition } from "../../src/orchestration/agent-definition.js";
import { startVisits } from "../shared/appointment-work-item.js";
import { correctClaimAction } from "./actions/correct-claim.js";
import { queryDocumentationAction } from "./actions/query-documentation.js";
import { submitClaimAction } from "./actions/submit-claim.js";
import type { PreBillDeps } from "./deps.js";
import { writePreBillEffects } from "./effects.js";
import { loadVisit } from "./nodes/load-visit.js";
import { proposeActions } from "./nodes/propose-actions.js";
import { recordClaim } from "./nodes/record-claim.js";
import { scrub } from "./nodes/scrub.js";
import { PreBillState } from "./state.js";
import { PRE_BILL_AGENT } from "./work-item.js";

/** The pre-bill agent's definition (id "pre-bill"; handles claim work items: one visit or a batch). */
export function preBillAgent(deps: Pick<PreBillDeps, "claims">): AgentDefinition<PreBillDeps> {
  return {
    id: PRE_BILL_AGENT,
    title: "Pre-bill revenue integrity",
    description: "Reconciles each visit's captured charges with the MAR, scrubs every line (units, NDC, JW/JZ, administration codes, "
      + "NCCI/MUE, diagnosis links, revenue codes, authorizations), proposes corrections and documentation queries, and submits the claim.",
    handles: ["claim"],
    actionTypes: [correctClaimAction(), queryDocumentationAction(), submitClaimAction()] as AgentDefinition<PreBillDeps>["actionTypes"],
    writeEffects: writePreBillEffects(deps.claims),
    build(services, d) {
      return new StateGraph(PreBillState)
        .addNode("start", startVisits)
        .addNode("load-visit", loadVisit(services, d))
        .addNode("scrub", scrub(services, d))
        .addNode("record-claim", recordClaim(services, d))
        .addNode("propose-actions", proposeActions(services, d))
        .addEdge(START, "start")
        .addEdge("start", "load-visit")
        .addEdge("load-visit", "scrub")
        .addEdge("scrub", "record-claim")
        .addEdge("record-claim", "propose-actions")
        .addEdge("propose-actions", END)
        .compile({ name: PRE_BILL_AGENT });
    },
  };
}
