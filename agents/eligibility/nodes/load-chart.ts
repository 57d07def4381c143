/** load-chart: the appointment, patient, ordered drugs, primary coverage and diagnoses from the EHR. */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import { loadVisitChart } from "../../shared/chart.js";
import type { PreServiceDeps } from "../../shared/pre-service-deps.js";
import type { EligibilityStateValue } from "../state.js";
import { appointmentIdOf, stepContext } from "../work-item.js";

export function loadChart(services: PlatformServices, deps: PreServiceDeps) {
  return async (state: EligibilityStateValue) => {
    const appointmentId = appointmentIdOf(state.workItem);
    const chart = await services.audit.toolCall(stepContext(state, "load-chart"), "ehr.visit-chart", { appointmentId }, () => loadVisitChart(deps.ehr, appointmentId));
    return { chart };
  };
}
