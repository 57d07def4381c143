/**
 * What the scrubber hands the agent for one visit: the claim as captured, the claim with every
 * correction a tool can make applied, and the findings — each with its code, line, before →
 * after, confidence, rationale and the rule it rests on.
 */
import type { Claim } from "../../tools/claim/claim.js";
import type { FindingCode, VisitRecord } from "../../tools/claim/visit-record.js";

/** The rule a finding rests on (CMS file and row, payer rule, DOMAIN rule). */
export interface FindingRule {
  source: string;
  [detail: string]: unknown;
}

/** One finding of the scrubber. */
export interface ScrubFinding {
  code: FindingCode;
  /** The captured charge it is about; null for a claim-level finding or a line to add. */
  lineId: string | null;
  administrationId?: string | null;
  before: unknown;
  after: unknown;
  confidence: number;
  rationale: string;
  rule: FindingRule;
  /** Whether the tools can correct it; false when a person must decide (the record cannot support the line). */
  autoCorrectable: boolean;
}

/** The scrubber's result for one visit. */
export interface ScrubResult {
  captured: Claim;
  corrected: Claim;
  findings: ScrubFinding[];
}

/** The scrubber as the agent calls it (injected: the coding tables are bound in). */
export type Scrubber = (record: VisitRecord) => ScrubResult;
