/**
 * The verifier: checks what a model read from a note against the note itself and the tools'
 * facts (the order, the chart's ICD-10-CM codes, the drug catalogue) before anything can act on
 * it — DESIGN's "tools gather facts → model drafts → tools verify → gate".
 *
 * Every extracted field carries the span of the note it came from; a field is `supported` only
 * when that span really is in the note, the value says nothing the span does not, and the value
 * agrees with the facts (a diagnosis among the order's codes and sites, a plan naming ordered
 * drugs at ordered doses and intervals). The summary may only assert what verified fields and the
 * facts assert. Text that reads as instructions, or is not prose, fails. Confidence comes from
 * this, not from how many fields are filled in. Deterministic, dependency-free, linear time.
 */
import { z } from "zod";
import { checkField, checkSummary, factsContext } from "./field-checks.js";

/** The rule a verdict rests on (stable codes; the README lists them). */
export const VerificationRule = z.enum([
  "supported", "missing-quote", "quote-not-in-source", "value-not-in-quote", "instruction", "not-prose", "not-a-stage",
  "no-code", "code-not-on-order", "different-cancer", "denies-cancer", "drug-not-ordered", "dose-mismatch",
  "interval-mismatch", "date-unsupported", "stage-mismatch", "ecog-mismatch", "number-unsupported", "summary-unsupported",
  "model-call-failed",
]);
export type VerificationRule = z.infer<typeof VerificationRule>;

/** One field's verdict, with why (staff read it in the review item). */
export const FieldVerdict = z.object({
  field: z.string().describe("The field, as staff read it: diagnosis, stage, biomarkers[0], ecog, priorTherapy, plan, summary"),
  verdict: z.enum(["supported", "unsupported", "contradicts"]).describe("contradicts: the tools' facts say otherwise; unsupported: the source does not say it"),
  rule: VerificationRule,
  why: z.string(),
});
export type FieldVerdict = z.infer<typeof FieldVerdict>;

/** The verifier's result. */
export const ExtractionVerification = z.object({
  verified: z.boolean().describe("Every field and the summary supported"),
  confidence: z.number().min(0).max(1).describe("What a decision resting on this output may claim"),
  verdicts: z.array(FieldVerdict),
});
export type ExtractionVerification = z.infer<typeof ExtractionVerification>;

/** A value the model extracted, with the span of the source it says it came from. */
export const ExtractedField = z.object({
  field: z.string().min(1).describe("Name staff read"),
  kind: z.enum(["diagnosis", "stage", "ecog", "finding", "prior-therapy", "plan"]).describe("Which fact checks apply"),
  value: z.string().describe("The value as text (an ECOG score as its digit)"),
  quote: z.string().nullable().describe("The span of the source the value came from"),
  codes: z.array(z.string()).default([]).describe("ICD-10-CM codes the model gave for a diagnosis"),
});
export type ExtractedField = z.input<typeof ExtractedField>;

const DrugName = z.object({ name: z.string(), brand: z.string().nullable() });

/** What the tools know, against which the output is checked. */
export const VerificationFacts = z.object({
  diagnoses: z.array(z.object({ code: z.string(), display: z.string().nullable() })).describe("The ICD-10-CM diagnoses of the order(s) the request is for"),
  orderedDrugs: z.array(DrugName).describe("Every drug ordered for the visit"),
  knownDrugs: z.array(DrugName).describe("The drug catalogue: names to look for in text"),
  doses: z.array(z.object({ value: z.string(), unit: z.string() })).describe("The ordered doses"),
  cycleDays: z.array(z.number().int()).describe("The orders' cycle lengths in days"),
  dates: z.array(z.string()).describe("Dates the tools know: date of service, requested period"),
  units: z.array(z.number()).describe("Billing units the tools computed (dose, request)"),
});
export type VerificationFacts = z.infer<typeof VerificationFacts>;

/** The verifier's input. */
export const VerificationInput = z.object({
  source: z.string().describe("The text the model read (a progress note)"),
  fields: z.array(ExtractedField),
  summary: z.string().nullable().describe("The model's free text, checked against the verified fields"),
  required: z.array(z.string()).describe("Fields a decision rests on: absent, the confidence stays below the thresholds"),
  facts: VerificationFacts,
});
export type VerificationInput = z.input<typeof VerificationInput>;

/** Every field and the summary verified, and the fields the decision rests on present. */
export const VERIFIED_CONFIDENCE = 0.93;
/** Verified, but a field the decision rests on is absent: a person completes it. */
export const PARTLY_VERIFIED_CONFIDENCE = 0.8;
/** Anything unsupported or contradicting: below every action type's threshold (the lowest is 0.9). */
export const UNVERIFIED_CONFIDENCE = 0.5;

/** Verifies a model's extraction. */
export function verifyExtraction(raw: VerificationInput): ExtractionVerification {
  const input = VerificationInput.parse(raw);
  const ctx = factsContext(input.source, input.facts);
  const verdicts = input.fields.map((f) => checkField(f, ctx));
  const supported = input.fields.filter((_f, i) => verdicts[i]?.verdict === "supported");
  if (input.summary !== null) verdicts.push(checkSummary(input.summary, supported, ctx));
  const failed = verdicts.some((v) => v.verdict !== "supported");
  const complete = input.required.every((name) => verdicts.some((v) => v.field === name && v.verdict === "supported"));
  return { verified: !failed, confidence: failed ? UNVERIFIED_CONFIDENCE : complete ? VERIFIED_CONFIDENCE : PARTLY_VERIFIED_CONFIDENCE, verdicts };
}

/** A result for output that could not be verified at all (the model call failed). */
export function unverifiable(field: string, why: string): ExtractionVerification {
  return { verified: false, confidence: UNVERIFIED_CONFIDENCE, verdicts: [{ field, verdict: "unsupported", rule: "model-call-failed", why }] };
}

/** The failed verdicts as one line staff read: "diagnosis contradicts: …; summary unsupported: …". */
export function describeFailures(v: ExtractionVerification): string {
  return v.verdicts.filter((x) => x.verdict !== "supported").map((x) => `${x.field} ${x.verdict}: ${x.why}`).join("; ");
}
