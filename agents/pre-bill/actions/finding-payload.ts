/** A scrubber finding as an action's payload carries it (the rule by its source). */
import { z } from "zod";
import { FindingCode } from "../../../tools/claim/visit-record.js";

export const FindingPayload = z.object({
  code: FindingCode,
  lineId: z.string().nullable(),
  administrationId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  confidence: z.number().min(0).max(1),
  rationale: z.string(),
  rule: z.string().describe("The rule it rests on: CMS file, quarter and row, payer rule id, DOMAIN rule"),
});
export type FindingPayload = z.infer<typeof FindingPayload>;
