/**
 * Reading a 271 the way a benefits verifier does: coverage on the date of service, the plan,
 * deductible and out-of-pocket remaining (the smaller of individual and family), coinsurance, and per drug
 * the benefit route (EB with the HCPCS in EB13: service type 88 pharmacy, 78/1/30 medical) and
 * whether authorization is required (EB11). A drug the 271 names under both benefits is ambiguous.
 */
import { Decimal } from "decimal.js";
import type { Eligibility271, Benefit } from "../edi/readers/eligibility-271.js";

export type BenefitRoute = "medical" | "pharmacy" | "ambiguous";

/** The facts the eligibility agent decides on. */
export interface BenefitFacts {
  found: boolean;
  active: boolean;
  rejections: { code: string; followUp: string | null }[];
  planName: string | null;
  coverageEnd: string | null;
  deductibleRemaining: string | null;
  outOfPocketRemaining: string | null;
  coinsurancePercent: string | null;
  routes: Record<string, BenefitRoute>;
  authorizationRequired: Record<string, boolean | null>;
}

/**
 * What the patient still owes toward a limit (EB*C deductible, EB*G out-of-pocket) this period:
 * with an embedded family limit the patient owes no more than what is left of either, so the
 * smaller of the individual and family remaining; with only one of them, that one.
 */
function remaining(benefits: Benefit[], code: string): string | null {
  const left = (level: string) => benefits.find((b) => b.code === code && b.timePeriod === "29" && b.coverageLevel === level && b.amount !== null)?.amount ?? null;
  const amounts = [left("IND"), left("FAM")].filter((a): a is string => a !== null);
  if (amounts.length === 0) return benefits.find((b) => b.code === code && b.timePeriod === "29" && b.amount !== null)?.amount ?? null;
  return amounts.reduce((min, a) => (new Decimal(a).lessThan(min) ? a : min));
}

/**
 * Interprets a 271 for the drugs (HCPCS) of a visit on its date of service. Coverage counts as
 * active only when the 271 says so (EB*1) and no plan end date (DTP*307/347) falls before the
 * date of service — payers answer for the inquiry date, the visit is what matters.
 */
export function interpretEligibility(response: Eligibility271, drugs: string[], dateOfService: string): BenefitFacts {
  const subject = response.subjects.find((s) => s.level === "subscriber") ?? response.subjects[0];
  const rejections = response.rejections.map((r) => ({ code: r.code, followUp: r.followUp }));
  const benefits = subject?.benefits ?? [];
  const coinsurance = benefits.find((b) => b.code === "A" && b.percent !== null)?.percent ?? null;
  const routes: Record<string, BenefitRoute> = {};
  const authorizationRequired: Record<string, boolean | null> = {};
  const hasMedical = benefits.some((b) => b.code === "1" && b.procedure === null && b.serviceTypes.some((t) => ["1", "30", "78"].includes(t)));
  for (const hcpcs of drugs) {
    const named = benefits.filter((b) => b.code === "1" && b.procedure?.code === hcpcs);
    const pharmacy = named.some((b) => b.serviceTypes.includes("88"));
    const medical = named.some((b) => b.serviceTypes.some((t) => ["1", "30", "78"].includes(t)));
    routes[hcpcs] = pharmacy && medical ? "ambiguous" : pharmacy ? "pharmacy" : medical || hasMedical ? "medical" : "ambiguous";
    authorizationRequired[hcpcs] = named.find((b) => b.authorizationRequired !== null)?.authorizationRequired ?? null;
  }
  const coverageEnd = subject?.dates.find((d) => d.qualifier === "307" || d.qualifier === "347")?.end ?? null;
  return {
    found: subject !== undefined && subject.rejections.length === 0 && rejections.length === 0,
    active: subject?.coverageActive === true && (coverageEnd === null || coverageEnd >= dateOfService),
    rejections,
    planName: subject?.planName ?? null,
    coverageEnd,
    deductibleRemaining: remaining(benefits, "C"),
    outOfPocketRemaining: remaining(benefits, "G"),
    coinsurancePercent: coinsurance === null ? null : new Decimal(coinsurance).times(100).toFixed(2),
    routes, authorizationRequired,
  };
}
