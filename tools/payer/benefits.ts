/**
 * Reading a 271 the way a benefits verifier does, for the eligibility agent: the interpretation of
 * the answer about the patient asked about (`eligibility/interpret-271.ts`, the same code as
 * `infusion-rcm eligibility interpret`), and per drug the benefit route (an active EB with the
 * HCPCS in EB13: service type 88 pharmacy, 78/1/30 medical) and whether authorization is required
 * (EB11). A drug the 271 names under both benefits is ambiguous.
 */
import type { EligibilitySubject, Eligibility271 } from "../edi/readers/eligibility-271.js";
import { benefitAppliesOn } from "./eligibility/coverage-dates.js";
import { interpretSubject, type InterpretOptions } from "./eligibility/interpret-271.js";
import type { EligibilityInterpretation } from "./eligibility/interpretation.js";
import { findInquiredSubject, type InquiredPerson } from "./eligibility/subjects.js";

export type BenefitRoute = "medical" | "pharmacy" | "ambiguous";

/** The facts the eligibility agent decides on. */
export interface BenefitFacts extends EligibilityInterpretation {
  /** The payer answered about the patient (found, not rejected). */
  found: boolean;
  /** Coverage is active on the date of service (the interpretation's status, nothing else). */
  active: boolean;
  routes: Record<string, BenefitRoute>;
  authorizationRequired: Record<string, boolean | null>;
}

const ACTIVE = new Set(["1", "2", "3", "4"]);
const MEDICAL = ["1", "30", "78"];

/** Benefit route and authorization flag per drug, from the subject's active rows that apply on the date of service. */
function drugRoutes(subject: EligibilitySubject | null, drugs: readonly string[], dateOfService: string) {
  const benefits = (subject?.benefits ?? []).filter((b) => ACTIVE.has(b.code) && benefitAppliesOn(b.dates, dateOfService));
  const routes: Record<string, BenefitRoute> = {};
  const authorizationRequired: Record<string, boolean | null> = {};
  const hasMedical = benefits.some((b) => b.procedure === null && b.serviceTypes.some((t) => MEDICAL.includes(t)));
  for (const hcpcs of drugs) {
    const named = benefits.filter((b) => b.procedure?.code === hcpcs);
    const pharmacy = named.some((b) => b.serviceTypes.includes("88"));
    const medical = named.some((b) => b.serviceTypes.some((t) => MEDICAL.includes(t)));
    routes[hcpcs] = pharmacy && medical ? "ambiguous" : pharmacy ? "pharmacy" : medical || hasMedical ? "medical" : "ambiguous";
    // Several rows for one drug: required if any says so (order-independent).
    const flags = named.map((b) => b.authorizationRequired).filter((f): f is boolean => f !== null);
    authorizationRequired[hcpcs] = flags.length === 0 ? null : flags.includes(true);
  }
  return { routes, authorizationRequired };
}

/** Interprets the 271 for the patient the inquiry asked about, on the visit's date of service, with the visit's drugs (HCPCS). */
export function interpretEligibility(
  response: Eligibility271, controlNumber: string, visit: InterpretOptions & { inquiry: InquiredPerson; drugs: readonly string[] },
): BenefitFacts {
  const found = findInquiredSubject(response, visit.inquiry);
  const interpretation = found.subject === null
    ? interpretSubject(response, controlNumber, null, visit, { matchedBy: null, why: found.why })
    : interpretSubject(response, controlNumber, found.subject, visit, { matchedBy: found.matchedBy });
  return {
    ...interpretation,
    found: found.subject !== null && interpretation.status !== "rejected",
    active: interpretation.status === "active",
    ...drugRoutes(found.subject, visit.drugs, visit.dateOfService),
  };
}
