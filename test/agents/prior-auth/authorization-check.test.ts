import { describe, expect, it } from "vitest";
import { checkDose, type DoseCheckInput } from "../../../agents/prior-auth/authorization-check.js";
import { approvalLikelihood } from "../../../agents/prior-auth/likelihood.js";
import type { MedicationOrder } from "../../../tools/ehr/ehr-types.js";
import type { LedgerAuthorization } from "../../../tools/payer/authorization-ledger.js";
import type { AuthRule } from "../../../tools/payer/sandbox/payer-config.js";

const rule: AuthRule = { required: true, diagnosisPrefixes: ["C34", "C43"], unitCapPerAuth: 1600, validityDays: 365, turnaround: { mode: "immediate" }, denyWhenDiagnosisMismatch: true };
const order: MedicationOrder = {
  id: "mr1", patientId: "p1", drugName: "pembrolizumab", hcpcs: "J9271", ndc: null, drugClass: "biologic", dose: { value: 200, unit: "mg" },
  route: "iv-infusion", cycleDays: 21, supply: "buy-and-bill", diagnosisCodes: ["C34.90"], status: "active",
};
const auth = (over: Partial<LedgerAuthorization & { unitsUsedOtherVisits: number }> = {}) => ({
  authNumber: "AUTH-1", payerId: "SBCOM1", patientId: "p1", memberId: "W1", hcpcs: "J9271", status: "approved" as const, unitsApproved: 1600,
  unitsUsedPrior: 200, start: "2026-01-15", end: "2026-12-31", diagnosisCodes: ["C3490"], source: "on-file" as const, unitsUsedOtherVisits: 0, ...over,
});
const input = (over: Partial<DoseCheckInput> = {}): DoseCheckInput => ({
  order, hcpcs: "J9271", dateOfService: "2026-03-06", units: 200, unitsNote: null, diagnosisCodes: ["C34.90"], planKnown: true, rule,
  authorizations: [auth()], requests: [], history: { approved: 3, denied: 1 }, ...over,
});

describe("the dose authorization check", () => {
  it("a valid authorization: remaining = approved − used before − other visits − this dose; next cycle inside it", () => {
    const c = checkDose(input({ authorizations: [auth({ unitsUsedOtherVisits: 400 })] }));
    expect(c).toMatchObject({ authRequired: true, authValid: true, authNumber: "AUTH-1", remainingAfterDose: 800, nextCycleDate: "2026-03-27", reasons: [], needsRequest: null });
  });

  it("white-bag and plans without a rule need no authorization from the clinic", () => {
    expect(checkDose(input({ order: { ...order, supply: "white-bag" } }))).toMatchObject({ authRequired: false, authValid: null, reasons: [] });
    expect(checkDose(input({ rule: undefined }))).toMatchObject({ authRequired: false, authValid: null });
    expect(checkDose(input({ rule: { ...rule, required: false } })).authRequired).toBe(false);
  });

  it("no authorization: a request for the course, capped at the plan's maximum per authorization", () => {
    const c = checkDose(input({ authorizations: [] }));
    // 200 units × ceil(365 / 21) = 3600, capped at 1600.
    expect(c).toMatchObject({ authValid: false, reasons: ["auth-missing"], needsRequest: { kind: "initial", from: "2026-03-06", to: "2027-03-05", units: 1600 } });
  });

  it("expired, exhausted, pended and denied", () => {
    expect(checkDose(input({ authorizations: [auth({ end: "2026-02-28" })] }))).toMatchObject({ authValid: false, reasons: ["auth-expired"], needsRequest: { kind: "initial" } });
    const short = checkDose(input({ authorizations: [auth({ unitsUsedPrior: 1500 })] }));
    expect(short).toMatchObject({ authValid: false, remainingAfterDose: -100, reasons: ["auth-units-exhausted"], needsRequest: { kind: "initial", units: 1600 } });
    const pended = checkDose(input({ authorizations: [], requests: [{ id: "r1", trace: "PA1", status: "pended", nextCheckOn: "2026-03-03" }] }));
    expect(pended).toMatchObject({ authValid: false, reasons: ["auth-pended"], needsRequest: null, pendingRequest: { id: "r1" } });
    expect(checkDose(input({ authorizations: [], requests: [{ id: "r1", trace: "PA1", status: "denied", nextCheckOn: null }] }))).toMatchObject({ reasons: ["auth-denied"], needsRequest: null });
  });

  it("diagnosis outside the payer's rule: no request (it would be denied); outside the authorization: a new one", () => {
    const outside = checkDose(input({ diagnosisCodes: ["C18.9"], authorizations: [] }));
    expect(outside).toMatchObject({ authValid: false, diagnosisMatchesRule: false, needsRequest: null });
    expect(outside.reasons.sort()).toEqual(["auth-diagnosis-mismatch", "auth-missing"]);
    const melanomaAuth = checkDose(input({ authorizations: [auth({ diagnosisCodes: ["C4390"] })] }));
    expect(melanomaAuth).toMatchObject({ authValid: false, reasons: ["auth-diagnosis-mismatch"], needsRequest: { kind: "initial" } });
  });

  it("reauthorization trigger: the next cycle after the end date, or too few units left for the next dose", () => {
    const byDate = checkDose(input({ authorizations: [auth({ end: "2026-03-20" })] }));
    expect(byDate).toMatchObject({ authValid: true, reasons: ["auth-lapses-before-next-cycle"], needsRequest: { kind: "reauthorization", from: "2026-03-21", units: 1600 } });
    const byUnits = checkDose(input({ authorizations: [auth({ unitsUsedPrior: 1300 })] }));
    expect(byUnits).toMatchObject({ authValid: true, remainingAfterDose: 100, reasons: ["auth-lapses-before-next-cycle"], needsRequest: { from: "2026-03-27" } });
    // Already renewed: a second authorization covers the next cycle.
    const renewed = checkDose(input({ authorizations: [auth({ end: "2026-03-20" }), auth({ authNumber: "AUTH-2", start: "2026-03-21", end: "2026-09-30" })] }));
    expect(renewed.reasons).toEqual([]);
  });

  it("likelihood: history, documentation and diagnosis, with reasons; certain when an authorization covers the dose", () => {
    const missing = checkDose(input({ authorizations: [] }));
    const full = approvalLikelihood(missing, { completeness: 1, missing: [] });
    // 0.1 + 0.4 × (3 + 1) / (4 + 2) + 0.3 × 1 + 0.2 = 0.87.
    expect(full.score).toBe(0.87);
    expect(full.reasons[0]).toMatch(/3 approved, 1 denied/);
    expect(approvalLikelihood(missing, { completeness: 0.5, missing: ["ecog", "stage", "priorTherapy"] }).score).toBe(0.72);
    expect(approvalLikelihood(missing, null).reasons[1]).toMatch(/No clinical note/);
    expect(approvalLikelihood(checkDose(input({ diagnosisCodes: ["C18.9"], authorizations: [] })), { completeness: 1, missing: [] }).score).toBe(0.05);
    expect(approvalLikelihood(checkDose(input()), null)).toEqual({ score: 1, reasons: ["Approved authorization AUTH-1 on file covers this dose"] });
  });
});
