/**
 * The AAA rejections that concern one subject, in plain words: an AAA in 2000A/2100A (payer),
 * 2100B (provider), 2100C (subscriber) or 2100D (dependent) fails the request at that level; an
 * AAA in 2110C/2110D rejects only that benefit inquiry — the member was found (TR3 005010X279A1,
 * AAA in each loop).
 */
import type { AaaLoop, Eligibility271, EligibilitySubject, Rejection } from "../../edi/readers/eligibility-271.js";
import { AAA_FOLLOW_UPS, aaaReason } from "./aaa-reasons.js";
import { evidenceOf } from "./evidence.js";
import type { EvidenceSegment, InterpretedRejection, RejectionLevel } from "./interpretation.js";

const LEVEL: Record<AaaLoop, RejectionLevel> = {
  "2000A": "payer", "2100A": "payer", "2100B": "provider", "2100C": "subscriber", "2110C": "benefit", "2100D": "dependent", "2110D": "benefit",
};

/** The order in which levels fail a request: the first one that failed is where it failed. */
export const FAILING_LEVELS: readonly RejectionLevel[] = ["payer", "provider", "subscriber", "dependent"];

/** One AAA in plain words. */
export function interpretRejection(r: Rejection, loop: AaaLoop): InterpretedRejection {
  const reason = aaaReason(r.code);
  const followUp = r.followUp === null ? null : { code: r.followUp, meaning: AAA_FOLLOW_UPS[r.followUp]?.meaning ?? `follow-up action ${r.followUp}, which the TR3 does not list` };
  return { loop, level: LEVEL[loop], code: r.code, meaning: reason.meaning, nextStep: reason.nextStep, followUp };
}

/** The request-level AAAs (payer and provider), from the loop-tagged list or, for an answer built in memory, the parties. */
function requestLevel(response: Eligibility271): { r: Rejection; loop: AaaLoop }[] {
  const tagged = response.rejections.filter((r) => r.loop === "2000A" || r.loop === "2100A" || r.loop === "2100B").map(({ loop, ...r }) => ({ r, loop }));
  if (tagged.length > 0) return tagged;
  return [
    ...response.informationSource.rejections.map((r) => ({ r, loop: "2100A" as const })),
    ...response.receiver.rejections.map((r) => ({ r, loop: "2100B" as const })),
  ];
}

/** Every AAA on the subject's path: payer, provider, its subscriber, itself, its benefits. */
export function rejectionsFor(response: Eligibility271, subject: EligibilitySubject | null, subscriber: EligibilitySubject | null): { rejection: InterpretedRejection; evidence: EvidenceSegment | null }[] {
  const found: { r: Rejection; loop: AaaLoop }[] = [...requestLevel(response)];
  if (subscriber !== null && subscriber !== subject) found.push(...subscriber.rejections.map((r) => ({ r, loop: "2100C" as const })));
  if (subject !== null) {
    const dependent = subject.level === "dependent";
    found.push(...subject.rejections.map((r) => ({ r, loop: dependent ? "2100D" as const : "2100C" as const })));
    for (const b of subject.benefits) found.push(...b.rejections.map((r) => ({ r, loop: dependent ? "2110D" as const : "2110C" as const })));
  }
  return found.map(({ r, loop }) => {
    const rejection = interpretRejection(r, loop);
    return {
      rejection,
      evidence: evidenceOf(r.at, `AAA ${r.code} in ${loop}: ${rejection.meaning}`)[0] ?? null,
    };
  });
}

/** The level the request failed at, or null when only benefit inquiries (2110) were rejected. */
export function failedAt(rejections: readonly InterpretedRejection[]): RejectionLevel | null {
  return FAILING_LEVELS.find((level) => rejections.some((r) => r.level === level)) ?? null;
}

/** A rejection for staff: code, meaning, next step and the payer's follow-up. */
export function describeRejection(r: InterpretedRejection): string {
  const follow = r.followUp === null ? "" : `; the payer asks: ${r.followUp.meaning} (AAA04 ${r.followUp.code})`;
  return `AAA ${r.code} in ${r.loop} — ${r.meaning}. Next: ${r.nextStep}${follow}`;
}
