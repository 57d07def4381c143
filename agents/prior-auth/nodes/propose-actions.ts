/** propose-actions: every visit's proposals (requests to submit, staff tasks, verified authorizations). */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import { forEachVisit } from "../../shared/appointment-work-item.js";
import { buildProposals } from "../proposals.js";
import type { PriorAuthVisit } from "../state.js";
import { PRIOR_AUTH_AGENT } from "../work-item.js";

export function proposeActions(services: PlatformServices) {
  return forEachVisit<PriorAuthVisit>(PRIOR_AUTH_AGENT, "propose-actions", services, async (visit) => ({ proposals: buildProposals(visit, services.now()) }));
}
