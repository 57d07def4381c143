/** load-visit: every visit's record — encounter, MAR, orders, diagnoses, captured charges, authorizations and payer rules — each read recorded in the visit's trail. */
import type { PlatformServices } from "../../../src/orchestration/agent-definition.js";
import { VisitRecord } from "../../../tools/claim/visit-record.js";
import { BadInputError } from "../../../tools/errors.js";
import { forEachVisit } from "../../shared/appointment-work-item.js";
import type { PreBillDeps } from "../deps.js";
import type { PreBillVisit } from "../state.js";
import { PRE_BILL_AGENT, claimStep } from "../work-item.js";

export function loadVisit(services: PlatformServices, deps: PreBillDeps) {
  return forEachVisit<PreBillVisit>(PRE_BILL_AGENT, "load-visit", services, async (visit) => {
    const record = await services.audit.toolCall(claimStep(visit, "load-visit"), "ehr.visit-record", { visitId: visit.appointmentId }, async (i) => {
      // What the EHR sent is checked against the visit record's schema before anything reads it.
      const parsed = VisitRecord.safeParse(await deps.visits.loadVisit(i.visitId));
      if (!parsed.success) {
        throw new BadInputError(`Visit ${i.visitId} cannot be billed as read: ${parsed.error.issues.slice(0, 5).map((x) => `${x.path.join(".")} ${x.message}`).join("; ")}`);
      }
      return parsed.data;
    });
    return { record };
  }, { concurrency: READ_CONCURRENCY });
}

/** Visits read at once: each read waits on the EHR and the database, not on this process. */
const READ_CONCURRENCY = 8;
