/**
 * What a 271 says about one person on one date of service, as the eligibility agent and
 * `infusion-rcm eligibility interpret` both report it: the status, the staff message, the dates
 * and amounts the answer rests on, the rejections in plain words, and the segments used.
 */
import { z } from "zod";
import { AaaLoop } from "../../edi/readers/eligibility-271.js";

/** The coarse status (the command's `status`). */
export const EligibilityStatus = z.enum(["active", "inactive", "undetermined", "rejected"]);
export type EligibilityStatus = z.infer<typeof EligibilityStatus>;

/**
 * The finding behind the status: `not-verified-for-date` (the answer covers other dates) and
 * `pending-investigation` (EB01 5) are undetermined for the visit, each with its own next step.
 */
export const EligibilityFinding = z.enum(["active", "inactive-on-date", "not-verified-for-date", "pending-investigation", "undetermined", "rejected"]);
export type EligibilityFinding = z.infer<typeof EligibilityFinding>;

/** Where a request failed: the level of the loop its AAA stood in (benefit = 2110, the member was found). */
export const RejectionLevel = z.enum(["payer", "provider", "subscriber", "dependent", "benefit"]);
export type RejectionLevel = z.infer<typeof RejectionLevel>;

/**
 * A segment's place: in the file (index among its segments, 0 = ISA, and byte offset — as `x12
 * validate` counts) and in the 271 transaction set (position with ST = 1, as a 999's IK3 counts,
 * and bytes from the ST — what the agent's audit trail keeps of each 271).
 */
export const SegmentPosition = z.object({ index: z.number().int(), offset: z.number().int(), setPosition: z.number().int(), setOffset: z.number().int() });

/** One segment the interpretation rests on. */
export const EvidenceSegment = z.object({
  segment: z.string().describe("The segment's text, e.g. EB*C*IND*30***29*1200"),
  position: SegmentPosition.nullable().describe("Null for an answer built in memory (never read from a file)"),
  use: z.string().describe("What it was used for"),
});
export type EvidenceSegment = z.infer<typeof EvidenceSegment>;

/** An AAA, in plain words. */
export const InterpretedRejection = z.object({
  loop: AaaLoop,
  level: RejectionLevel,
  code: z.string(),
  meaning: z.string(),
  nextStep: z.string(),
  followUp: z.object({ code: z.string(), meaning: z.string() }).nullable(),
});
export type InterpretedRejection = z.infer<typeof InterpretedRejection>;

/** A period the answer covers (DTP 291 plan / 307 eligibility at the subject level). */
export const Period = z.object({ start: z.string(), end: z.string() });

export const EligibilityInterpretation = z.object({
  controlNumber: z.string().describe("ST02 of the 271"),
  trace: z.string().nullable().describe("The TRN trace of the subject (ours, echoed)"),
  subject: z.enum(["subscriber", "dependent"]).nullable().describe("Whose loop the answer is in; null when the request failed before any"),
  matchedBy: z.enum(["trace", "member"]).nullable().describe("How the subject was found for an inquiry"),
  status: EligibilityStatus,
  finding: EligibilityFinding,
  rejectedAt: RejectionLevel.nullable(),
  reason: z.string().describe("What the payer said and did not say, and what staff do next"),
  planName: z.string().nullable(),
  planBegin: z.string().nullable(),
  planEnd: z.string().nullable(),
  answerPeriod: Period.nullable().describe("The dates the answer covers (291/307), when the payer said"),
  deductibleRemaining: z.string().nullable(),
  /** `calendar-year` when the payer sent only the year's deductible (EB06 23), not what remains. */
  deductibleBasis: z.enum(["remaining", "calendar-year"]).nullable(),
  outOfPocketRemaining: z.string().nullable(),
  outOfPocketBasis: z.enum(["remaining", "calendar-year"]).nullable(),
  coinsurancePercent: z.string().nullable(),
  rejections: z.array(InterpretedRejection),
  evidence: z.array(EvidenceSegment),
});
export type EligibilityInterpretation = z.infer<typeof EligibilityInterpretation>;

/** EB01 names (X12 element 1390), for messages that say what the payer sent. */
export const EB01_NAMES: Readonly<Record<string, string>> = {
  "1": "active coverage", "2": "active, full risk capitation", "3": "active, services capitated", "4": "active, services capitated to primary care physician",
  "5": "active, pending investigation", "6": "inactive", "7": "inactive, pending eligibility update", "8": "inactive, pending investigation",
  A: "co-insurance", B: "co-payment", C: "deductible", CB: "coverage basis", D: "benefit description", E: "exclusions", F: "limitations",
  G: "out of pocket (stop loss)", H: "unlimited", I: "non-covered", J: "cost containment", K: "reserve", L: "primary care provider",
  M: "pre-existing condition", MC: "managed care coordinator", N: "services restricted to following provider", O: "not deemed a medical necessity",
  P: "benefit disclaimer", Q: "second surgical opinion required", R: "other or additional payor", S: "prior year(s) history",
  T: "card(s) reported lost/stolen", U: "contact following entity for eligibility or benefit information", V: "cannot process",
  W: "other source of data", X: "health care facility", Y: "spend down",
};

/** The coarse status of a finding. */
export function statusOf(finding: EligibilityFinding): EligibilityStatus {
  if (finding === "active") return "active";
  if (finding === "inactive-on-date") return "inactive";
  if (finding === "rejected") return "rejected";
  return "undetermined";
}
