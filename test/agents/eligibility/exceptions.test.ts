import { describe, expect, it } from "vitest";
import { dispositionContradiction } from "../../../agents/eligibility/actions.js";
import { eligibilityExceptions } from "../../../agents/eligibility/exceptions.js";
import type { VisitChart } from "../../../agents/shared/chart.js";
import { interpretEligibility } from "../../../tools/payer/benefits.js";
import { HEAD, VISIT, read271, subscriber } from "../../tools/payer/eligibility/x12-271.js";

const chart: VisitChart = {
  appointment: { appointmentId: "a1", patientId: "p1", start: "2026-03-06T09:00:00Z", dateOfService: "2026-03-06", status: "booked", siteOfCare: "physician-office", orderIds: ["o1"] },
  patient: { id: "p1", mrn: null, firstName: "Jane", lastName: "Doe", birthDate: "1960-01-01", gender: "female", weightKg: 70, bsaM2: 1.8 },
  orders: [{ id: "o1", patientId: "p1", drugName: "pembrolizumab", hcpcs: "J9271", ndc: null, drugClass: "biologic", dose: { value: 200, unit: "mg" }, route: "iv-infusion", cycleDays: 21, supply: "buy-and-bill", diagnosisCodes: ["C34.90"], status: "active" }],
  coverage: {
    id: "c1", patientId: "p1", status: "active", payerId: "SBCOM1", payerName: "Sandbox Commercial Health", payerType: "commercial", memberId: "W1", patientMemberId: null,
    relationship: "self", subscriber: null, subscriberRef: null, planId: "COM-PPO", planName: "PPO", start: "2026-01-01", end: null, order: 1,
  },
  diagnoses: [],
};
const inquiry = { trace: "T1", memberId: "W1", lastName: "DOE", firstName: "JANE", birthDate: "1960-01-01", dependent: null };
const exceptionsFor = (rest: string[], body = [...HEAD, ...subscriber(rest)]) => {
  const facts = interpretEligibility(read271(body), "0001", { ...VISIT, inquiry, drugs: ["J9271"] });
  return { facts, ...eligibilityExceptions(chart, facts, { trace: "T1", responseControl: "0001", failure: null }) };
};

describe("eligibility exceptions: one distinct reason per finding, with what the payer did and did not say", () => {
  it.each([
    [["EB*6*IND*30"], "coverage-inactive", /^Inactive on 2026-03-06: the payer sent EB\*6\*IND\*30 \(inactive\) at segment \d+ of the 271 \(byte \d+\)/],
    [["DTP*307*D8*20260302", "EB*1*IND*30"], "coverage-not-verified-for-dos", /^Not verified for 2026-03-06: the payer says active .* for 2026-03-02 .*Re-check/],
    [["EB*5*IND*30"], "coverage-pending-investigation", /active, pending investigation/],
    [["EB*B*IND*98***27*30.00"], "coverage-undetermined", /no coverage status \(EB01 1–8\).*B co-payment/],
    [["AAA*N**73*C"], "aaa-rejection-subscriber", /AAA 73 in 2100C — the subscriber's name is missing or does not match/],
  ] as const)("%j → %s", (rest, reason, found) => {
    const r = exceptionsFor([...rest]);
    expect(r.reasons).toEqual([reason]);
    expect(r.fields).toHaveLength(1);
    expect(r.fields[0]!.found).toMatch(found);
    expect(r.fields[0]!.found).toBe(r.facts.reason);
  });

  it("a rejection at the payer, provider and dependent levels is each its own reason", () => {
    expect(exceptionsFor([], ["HL*1**20*1", "NM1*PR*2*P*****PI*SBCOM1", "AAA*N**42*R", "HL*2*1*21*1", "NM1*1P*2*C*****XX*1"]).reasons).toEqual(["aaa-rejection-payer"]);
    expect(exceptionsFor([], ["HL*1**20*1", "NM1*PR*2*P*****PI*SBCOM1", "HL*2*1*21*1", "NM1*1P*2*C*****XX*1", "AAA*N**51*C"]).reasons).toEqual(["aaa-rejection-provider"]);
    const facts = interpretEligibility(read271([...HEAD, "HL*3*2*22*1", "NM1*IL*1*DOE*JANE****MI*W1", "HL*4*3*23*0", "TRN*2*T2*9123456789", "NM1*03*1*DOE*SAM", "AAA*N**71*C"]), "0001",
      { ...VISIT, inquiry: { ...inquiry, trace: "T2", dependent: { lastName: "DOE", firstName: "SAM", birthDate: null } }, drugs: [] });
    expect(eligibilityExceptions(chart, facts, null).reasons).toEqual(["aaa-rejection-dependent"]);
  });

  it("a rejected benefit inquiry (2110) is raised with the coverage still active, beside the drug's route", () => {
    const r = exceptionsFor(["EB*1*IND*30", "EB*1*IND*88**********HC:J9271", "EB*1*IND*78**********HC:J9999", "AAA*N**55*C"]);
    expect(r.facts.status).toBe("active");
    expect(r.reasons).toEqual(["aaa-rejection-benefit", "pharmacy-benefit-buy-and-bill"]);
    expect(r.fields[0]!.found).toMatch(/^AAA 55 in 2110C — the payer does not take a procedure code asked about/);
  });

  it("an active answer raises nothing", () => {
    expect(exceptionsFor(["EB*1*IND*30"]).reasons).toEqual([]);
  });
});

describe("an edited disposition agrees with the 271", () => {
  it("may not say active unless the payer confirmed coverage in force, nor inactive when it did", () => {
    expect(dispositionContradiction(true, "Verified by phone: active on 2026-03-06")).toBeNull();
    expect(dispositionContradiction(false, "Coverage not active on 2026-03-06; patient to bring new card")).toBeNull();
    expect(dispositionContradiction(null, "Payer stated no status; calling")).toBeNull();
    expect(dispositionContradiction(null, "Plan active, confirmed")).toMatch(/^says active, but .* \(not stated\)$/);
    expect(dispositionContradiction(false, "ACTIVE")).toMatch(/\(not in force\)$/);
    expect(dispositionContradiction(true, "Coverage terminated 2026-02-28")).toMatch(/^says inactive/);
  });
});
