/**
 * The eligibility & benefits agent: for a scheduled infusion, reads the chart, asks the payer
 * (270/271) for the date of service, estimates the patient's share, and proposes the verification
 * and any exception.
 *
 *   START → load-chart → verify-eligibility → estimate-patient-share → decide → END
 */
import { END, START, StateGraph } from "@langchain/langgraph";
import type { AgentDefinition } from "../../src/orchestration/agent-definition.js";
import type { PreServiceDeps } from "../shared/pre-service-deps.js";
import { eligibilityActions } from "./actions.js";
import { decide } from "./nodes/decide.js";
import { estimateShare } from "./nodes/estimate-patient-share.js";
import { loadChart } from "./nodes/load-chart.js";
import { verifyEligibility } from "./nodes/verify-eligibility.js";
import { EligibilityState } from "./state.js";
import { AGENT_ID } from "./work-item.js";

export function eligibilityAgent(): AgentDefinition<PreServiceDeps> {
  return {
    id: AGENT_ID,
    title: "Eligibility & benefits",
    description: "Verifies coverage and benefits for each scheduled infusion's date of service (270/271), routes each drug to the medical or pharmacy benefit, estimates the patient's share, and raises exceptions.",
    handles: ["appointment"],
    actionTypes: eligibilityActions,
    build: (services, deps) => new StateGraph(EligibilityState)
      .addNode("load-chart", loadChart(services, deps))
      .addNode("verify-eligibility", verifyEligibility(services, deps))
      .addNode("estimate-patient-share", estimateShare(services, deps))
      .addNode("decide", decide(services, deps))
      .addEdge(START, "load-chart")
      .addEdge("load-chart", "verify-eligibility")
      .addEdge("verify-eligibility", "estimate-patient-share")
      .addEdge("estimate-patient-share", "decide")
      .addEdge("decide", END)
      .compile({ name: AGENT_ID }),
  };
}
