/** load-chart: the appointment, patient, ordered drugs, primary coverage and diagnoses of every visit, read from the EHR together. */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import { loadCharts } from "../../shared/chart.js";
import type { PreServiceDeps } from "../../shared/pre-service-deps.js";
import { AGENT_ID } from "../work-item.js";

export const loadChart = (services: PlatformServices, deps: PreServiceDeps) => loadCharts(AGENT_ID, services, deps);
