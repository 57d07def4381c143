/**
 * What the scrubber hands the agent for one visit (tools/claim/scrub): the claim as captured, the
 * claim with every correction a tool can make applied, and the findings — each with its code,
 * line, before → after, confidence, rationale and the rule it rests on.
 */
import type { VisitRecord } from "../../tools/claim/visit-record.js";
import type { Finding, FindingRule } from "../../tools/claim/scrub/finding.js";
import type { ScrubResult } from "../../tools/claim/scrub/index.js";

export type { Finding as ScrubFinding, FindingRule, ScrubResult };

/** The scrubber as the agent calls it (injected: the coding tables are bound in). */
export type Scrubber = (record: VisitRecord) => ScrubResult;
