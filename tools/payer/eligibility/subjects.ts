/**
 * Whose answer a 271 gives. The inquiry's subject is found by the TRN trace the payer echoes in
 * 2000C or 2000D (our TRN*1 comes back as TRN*2, TR3 005010X279A1 2000C/2000D TRN), else by member
 * id and name (and birth date when both sides have one) — subscriber or dependent. A dependent's
 * answer is in 2000D/2100D/2110D under its subscriber's 2000C, which then carries no EB.
 */
import type { Eligibility271, EligibilitySubject } from "../../edi/readers/eligibility-271.js";

/** A person as the clinic knows them. */
export interface PersonAskedAbout {
  lastName: string | null;
  firstName: string | null;
  birthDate: string | null;
}

/** Who the inquiry asked about: the subscriber (with the member id) and, when the patient is not the subscriber, the dependent. */
export interface InquiredPerson extends PersonAskedAbout {
  trace: string | null;
  memberId: string | null;
  dependent: PersonAskedAbout | null;
}

/** The subscriber a subject belongs to: itself, or for a dependent the nearest subscriber before it (HL02). */
export function subscriberOf(response: Eligibility271, subject: EligibilitySubject): EligibilitySubject | null {
  if (subject.level === "subscriber") return subject;
  const at = response.subjects.indexOf(subject);
  for (let i = at - 1; i >= 0; i -= 1) if (response.subjects[i]?.level === "subscriber") return response.subjects[i] ?? null;
  return null;
}

const said = (s: EligibilitySubject) => s.benefits.length > 0 || s.rejections.length > 0 || s.traces.length > 0;

/**
 * The subjects a 271 answers about (one entry each for the command): every subject with an EB, an
 * AAA or a trace; a subscriber whose only role is to carry its dependents (no EB, AAA or TRN of its
 * own) is context, not an answer.
 */
export function answeredSubjects(response: Eligibility271): EligibilitySubject[] {
  return response.subjects.filter((s, i) => {
    if (s.level === "dependent" || said(s)) return true;
    return response.subjects[i + 1]?.level !== "dependent";
  });
}

const norm = (v: string | null | undefined) => (v ?? "").trim().toUpperCase().replace(/\s+/g, " ");

/** Whether a subject is the person asked about: names equal (ignoring case) when both sides have them, birth dates equal when both have one. */
function samePerson(s: EligibilitySubject, p: PersonAskedAbout): boolean {
  const same = (a: string | null | undefined, b: string | null | undefined) => norm(a) === "" || norm(b) === "" || norm(a) === norm(b);
  return same(s.lastName, p.lastName) && same(s.firstName, p.firstName) && (s.birthDate === null || p.birthDate === null || s.birthDate === p.birthDate);
}

/** The subject found for an inquiry and how, or why none was. */
export type SubjectMatch =
  | { subject: EligibilitySubject; matchedBy: "trace" | "member" }
  | { subject: null; why: string };

/** Finds the subject an inquiry asked about. */
export function findInquiredSubject(response: Eligibility271, inquiry: InquiredPerson): SubjectMatch {
  const wanted = inquiry.dependent ?? inquiry;
  const level = inquiry.dependent === null ? "subscriber" : "dependent";
  if (inquiry.trace !== null) {
    const traced = response.subjects.filter((s) => s.traces.some((t) => t.number === inquiry.trace));
    const one = traced.length > 1 ? traced.filter((s) => samePerson(s, wanted)) : traced;
    if (one.length === 1 && one[0] !== undefined) return { subject: one[0], matchedBy: "trace" };
    if (traced.length > 1) return { subject: null, why: `${traced.length} loops echo trace ${inquiry.trace}` };
  }
  const memberOf = (s: EligibilitySubject) => s.memberId ?? subscriberOf(response, s)?.memberId ?? null;
  const byMember = response.subjects.filter((s) => s.level === level && inquiry.memberId !== null && memberOf(s) === inquiry.memberId && samePerson(s, wanted));
  if (byMember.length === 1 && byMember[0] !== undefined) return { subject: byMember[0], matchedBy: "member" };
  if (byMember.length > 1) return { subject: null, why: `${byMember.length} ${level} loops match member ${inquiry.memberId ?? ""} and the name` };
  // Asked about a dependent, the payer may fail the request at the subscriber (AAA in 2100C: 75, 77 …).
  if (level === "dependent") {
    const subscriber = response.subjects.find((s) => s.level === "subscriber" && s.rejections.length > 0 && inquiry.memberId !== null && s.memberId === inquiry.memberId);
    if (subscriber !== undefined) return { subject: subscriber, matchedBy: "member" };
  }
  const named = response.subjects.map((s) => `${s.level} ${[s.lastName, s.firstName].filter((x) => x !== null).join(", ") || "(no name)"}`).join("; ");
  return { subject: null, why: response.subjects.length === 0 ? "the 271 names no subscriber or dependent" : `the 271 answers about ${named}, not the ${level} asked about` };
}
