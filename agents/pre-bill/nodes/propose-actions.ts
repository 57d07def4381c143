/** propose-actions: every visit's proposals (corrections, documentation queries, the submission). */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import { forEachVisit } from "../../shared/appointment-work-item.js";
import type { PreBillDeps } from "../deps.js";
import { buildProposals } from "../proposals.js";
import type { PreBillVisit } from "../state.js";
import { PRE_BILL_AGENT } from "../work-item.js";

export function proposeActions(services: PlatformServices, deps: PreBillDeps) {
  return forEachVisit<PreBillVisit>(PRE_BILL_AGENT, "propose-actions", services, async (visit) => ({ proposals: buildProposals(visit, deps.claims, services.now()) }));
}
