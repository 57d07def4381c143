/** load-chart: the appointment, patient, the orders it administers, primary coverage, diagnoses. */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import { loadVisitChart } from "../../shared/chart.js";
import type { PreServiceDeps } from "../../shared/pre-service-deps.js";
import type { PriorAuthStateValue } from "../state.js";
import { parseAppointmentWorkItem } from "../../shared/appointment-work-item.js";
import { stepContext } from "../work-item.js";

export function loadChart(services: PlatformServices, deps: PreServiceDeps) {
  return async (state: PriorAuthStateValue) => {
    const item = parseAppointmentWorkItem(state.workItem);
    const chart = await services.audit.toolCall(stepContext(state, "load-chart"), "ehr.visit-chart", { appointmentId: item.id },
      (i) => loadVisitChart(deps.ehr, i.appointmentId));
    return { chart };
  };
}
