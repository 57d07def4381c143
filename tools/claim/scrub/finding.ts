/**
 * A pre-bill finding: what is wrong with one line (or the claim), the line before and after the
 * correction, how sure the scrubber is, a sentence a coder can check, and the rule it rests on.
 * The codes are the stable contract of `FINDING_CODES` (README "Pre-bill scrubber").
 */
import { z } from "zod";
import { FindingCode } from "../visit-record.js";

const Money = z.string().regex(/^-?\d+\.\d{2}$/);

/** A claim line as the finding shows it (before or after). */
export const LineSnapshot = z.object({
  code: z.string(),
  modifiers: z.array(z.string()),
  units: z.number(),
  charge: Money,
  revenueCode: z.string().nullable(),
  ndc: z.string().nullable().describe("As captured before an NDC correction; 11 digits after"),
  ndcQuantity: z.number().nullable(),
  ndcUnit: z.string().nullable(),
  diagnosisCodes: z.array(z.string()),
});
export type LineSnapshot = z.infer<typeof LineSnapshot>;

/** A claim-level value (CLAIM_BALANCE). */
export const ClaimTotal = z.object({ totalCharge: Money });
export type ClaimTotal = z.infer<typeof ClaimTotal>;

/** The published rule a finding rests on. */
export const FindingRule = z.object({
  source: z.string().describe('e.g. "CMS ASP 2026Q1 row J9271", "CMS NCCI PTP sample row 96413/96360", "DOMAIN: Drug units", "payer rule <id>"'),
  detail: z.string().nullable().describe("The row or rule text, when there is one"),
});
export type FindingRule = z.infer<typeof FindingRule>;

export const Finding = z.object({
  code: FindingCode,
  lineId: z.string().nullable().describe("The charge id (or the id of a line the scrubber adds); null for a claim-level finding"),
  administrationId: z.string().nullable().describe("The MAR entry the finding is about, when there is one"),
  before: z.union([LineSnapshot, ClaimTotal]).nullable().describe("The line (or total) before this correction; null when the line is missing"),
  after: z.union([LineSnapshot, ClaimTotal]).nullable().describe("The line as corrected (or as proposed, when not auto-correctable); null when the line should be removed"),
  confidence: z.number().min(0).max(1),
  rationale: z.string(),
  rule: FindingRule,
  autoCorrectable: z.boolean().describe("false: a person must decide; the corrected claim keeps the line as captured"),
});
export type Finding = z.infer<typeof Finding>;

/**
 * How confidence is set — deterministic, from what the data left open:
 * - EXACT: computed from complete documented data and the loaded tables;
 * - TABLE: one input was taken from a table rather than the record (vial size from the only
 *   crosswalk package, the opened amount not documented, the first of several supporting diagnoses);
 * - MATCHED: a captured line tied to the MAR by its code family, not by the MAR id it names;
 * - AMBIGUOUS: several readings remain; never auto-corrected.
 */
export const CONFIDENCE = { EXACT: 1, TABLE: 0.9, MATCHED: 0.8, AMBIGUOUS: 0.5 } as const;
