/** The pre-bill agent's state: per visit, its record as read and what the scrubber found. */
import { z } from "zod";
import { ProposedAction } from "../../src/orchestration/decision.js";
import { batchStateSchema, type VisitStep } from "../shared/appointment-work-item.js";
import type { VisitRecord } from "../../tools/claim/visit-record.js";
import type { ScrubResult } from "./scrub-result.js";

/** One visit of the run (checkpointed as JSON: the record and scrub are validated where they are made). */
export const PreBillVisitSchema = z.object({
  appointmentId: z.string(),
  error: z.string().nullish(),
  proposals: z.array(ProposedAction).optional(),
  record: z.unknown().nullish(),
  scrub: z.unknown().nullish(),
});

export interface PreBillVisit {
  appointmentId: string;
  error?: string | null;
  proposals?: ProposedAction[];
  record?: VisitRecord | null;
  scrub?: ScrubResult | null;
}
export type PreBillVisitStep = VisitStep<PreBillVisit>;

export const PreBillState = batchStateSchema(PreBillVisitSchema);
