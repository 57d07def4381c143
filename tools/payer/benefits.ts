/**
 * Reading a 271 the way a benefits verifier does: coverage on the date of service, the plan,
 * deductible and out-of-pocket remaining (individual, else family), coinsurance, and per drug
 * the benefit route (EB with the HCPCS in EB13: service type 88 pharmacy, 78/1/30 medical) and
 * whether authorization is required (EB11). A drug the 271 names under both benefits is ambiguous.
 */
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

const remaining = (benefits: Benefit[], code: string): string | null =>
  benefits.find((b) => b.code === code && b.timePeriod === "29" && b.coverageLevel === "IND")?.amount
  ?? benefits.find((b) => b.code === code && b.timePeriod === "29")?.amount ?? null;

/** Interprets a 271 for the drugs (HCPCS) of a visit. */
export function interpretEligibility(response: Eligibility271, drugs: string[]): BenefitFacts {
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
  return {
    found: subject !== undefined && subject.rejections.length === 0 && rejections.length === 0,
    active: subject?.coverageActive === true,
    rejections,
    planName: subject?.planName ?? null,
    coverageEnd: subject?.dates.find((d) => d.qualifier === "307" || d.qualifier === "347")?.end ?? null,
    deductibleRemaining: remaining(benefits, "C"),
    outOfPocketRemaining: remaining(benefits, "G"),
    coinsurancePercent: coinsurance === null ? null : (Number(coinsurance) * 100).toFixed(2),
    routes, authorizationRequired,
  };
}
