/**
 * The eligibility & benefits agent: for each scheduled infusion of its work item (one, or a sweep
 * batch), reads the chart, asks the payer (270/271) for the date of service, estimates the
 * patient's share, and proposes the verification and any exception.
 *
 *   START → start → load-chart → verify-eligibility → estimate-patient-share → decide → END
 */
import { END, START, StateGraph } from "@langchain/langgraph";
import type { AgentDefinition } from "../../src/orchestration/agent-definition.js";
import { forEachVisit, startVisits } from "../shared/appointment-work-item.js";
import type { PreServiceDeps } from "../shared/pre-service-deps.js";
import { writePreServiceEffects } from "../shared/pre-service-effects.js";
import { eligibilityActions } from "./actions.js";
import { decide } from "./nodes/decide.js";
import { estimateShare } from "./nodes/estimate-patient-share.js";
import { loadChart } from "./nodes/load-chart.js";
import { verifyEligibility } from "./nodes/verify-eligibility.js";
import { EligibilityState, type EligibilityVisit } from "./state.js";
import { AGENT_ID } from "./work-item.js";

export function eligibilityAgent(): AgentDefinition<PreServiceDeps> {
  return {
    id: AGENT_ID,
    title: "Eligibility & benefits",
    description: "Verifies coverage and benefits for each scheduled infusion's date of service (270/271), routes each drug to the medical or pharmacy benefit, estimates the patient's share, and raises exceptions.",
    handles: ["appointment"],
    actionTypes: eligibilityActions,
    // Its checks are written with the run's end (decide puts them in the state).
    writeEffects: writePreServiceEffects,
    build: (services, deps) => new StateGraph(EligibilityState)
      .addNode("start", startVisits)
      .addNode("load-chart", loadChart(services, deps))
      .addNode("verify-eligibility", verifyEligibility(services, deps))
      .addNode("estimate-patient-share", forEachVisit<EligibilityVisit>(AGENT_ID, "estimate-patient-share", services, estimateShare(services, deps)))
      .addNode("decide", decide(services, deps))
      .addEdge(START, "start")
      .addEdge("start", "load-chart")
      .addEdge("load-chart", "verify-eligibility")
      .addEdge("verify-eligibility", "estimate-patient-share")
      .addEdge("estimate-patient-share", "decide")
      .addEdge("decide", END)
      .compile({ name: AGENT_ID }),
  };
}
