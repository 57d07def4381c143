/** scrub: the coding toolkit's findings and corrected claim for every visit (no model: every fact is a tool's). */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import { forEachVisit } from "../../shared/appointment-work-item.js";
import type { PreBillDeps } from "../deps.js";
import type { PreBillVisit } from "../state.js";
import { PRE_BILL_AGENT, claimStep } from "../work-item.js";

export function scrub(services: PlatformServices, deps: PreBillDeps) {
  return forEachVisit<PreBillVisit>(PRE_BILL_AGENT, "scrub", services, async (visit) => {
    const record = visit.record;
    if (record == null) return {};
    const result = await services.audit.toolCall(claimStep(visit, "scrub"), "coding.scrub-claim", { visitId: record.visitId, charges: record.charges.length },
      () => deps.scrub(record));
    return { scrub: result };
  });
}
