import { describe, expect, it } from "vitest";
import type { Benefit, Eligibility271 } from "../../../tools/edi/readers/eligibility-271.js";
import { interpretEligibility } from "../../../tools/payer/benefits.js";

const eb = (b: Partial<Benefit> & Pick<Benefit, "code">): Benefit => ({
  coverageLevel: "IND", serviceTypes: ["30"], insuranceType: null, planDescription: null, timePeriod: null, amount: null, percent: null,
  quantityQualifier: null, quantity: null, authorizationRequired: null, inNetwork: null, procedure: null, messages: [], dates: [], relatedEntities: [], ...b,
});
const drug = (hcpcs: string, serviceType: string, auth: boolean | null = null) => eb({ code: "1", serviceTypes: [serviceType], procedure: { qualifier: "HC", code: hcpcs, modifiers: [] }, authorizationRequired: auth });

function response(benefits: Benefit[], dates: Eligibility271["subjects"][number]["dates"] = [], rejections: Eligibility271["rejections"] = []): Eligibility271 {
  return {
    informationSource: { name: "PAYER", idQualifier: "PI", id: "P1", rejections: [] }, receiver: { name: "CLINIC", idQualifier: "XX", id: "1", rejections: [] },
    subjects: [{ level: "subscriber", lastName: "X", firstName: "Y", memberId: "M1", birthDate: null, gender: null, traces: [], rejections: rejections.map(({ level: _l, ...r }) => r), dates, coverageActive: benefits.some((b) => b.code === "1"), planName: "PPO", benefits }],
    rejections,
  };
}

describe("interpreting a 271 for a visit", () => {
  const base = [eb({ code: "1", serviceTypes: ["30", "1", "78"] }), eb({ code: "A", serviceTypes: ["78"], percent: "0.30" })];

  it("takes the smaller of individual and family remaining (embedded family deductible), exactly", () => {
    const facts = interpretEligibility(response([...base,
      eb({ code: "C", timePeriod: "29", amount: "1300.00" }), eb({ code: "C", coverageLevel: "FAM", timePeriod: "29", amount: "500.10" }),
      eb({ code: "G", timePeriod: "29", amount: "4000.00" }), eb({ code: "G", coverageLevel: "FAM", timePeriod: "29", amount: "9000.00" }),
    ]), [], "2026-03-06");
    expect(facts).toMatchObject({ deductibleRemaining: "500.10", outOfPocketRemaining: "4000.00", coinsurancePercent: "30.00", active: true, found: true });
  });

  it("coverage whose plan end date falls before the date of service is inactive for the visit", () => {
    const r = response(base, [{ qualifier: "307", start: "2026-01-01", end: "2026-03-05" }]);
    expect(interpretEligibility(r, [], "2026-03-06").active).toBe(false);
    expect(interpretEligibility(r, [], "2026-03-05").active).toBe(true);
  });

  it("routes each drug: pharmacy (88), medical (78), named under both = ambiguous, unnamed = the plan's medical coverage", () => {
    const facts = interpretEligibility(response([...base, drug("J2506", "88"), drug("J9271", "78", true), drug("J9035", "88"), drug("J9035", "78")]), ["J2506", "J9271", "J9035", "J9045"], "2026-03-06");
    expect(facts.routes).toEqual({ J2506: "pharmacy", J9271: "medical", J9035: "ambiguous", J9045: "medical" });
    expect(facts.authorizationRequired).toEqual({ J2506: null, J9271: true, J9035: null, J9045: null });
  });

  it("an AAA rejection means the member was not found", () => {
    const facts = interpretEligibility(response([], [], [{ valid: "N", code: "72", followUp: "C", level: "subscriber" }]), ["J9271"], "2026-03-06");
    expect(facts.found).toBe(false);
    expect(facts.rejections).toEqual([{ code: "72", followUp: "C" }]);
  });
});
