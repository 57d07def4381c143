/** propose-actions: the run's proposals (requests to submit, staff tasks, verified authorizations). */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import { buildProposals } from "../proposals.js";
import type { PriorAuthStateValue } from "../state.js";

export function proposeActions(services: PlatformServices) {
  return async (state: PriorAuthStateValue) => ({ proposals: buildProposals(state, services.now()) });
}
