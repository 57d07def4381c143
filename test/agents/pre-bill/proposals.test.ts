import { describe, expect, it } from "vitest";
import { CorrectClaimPayload } from "../../../agents/pre-bill/actions/correct-claim.js";
import { QueryDocumentationPayload } from "../../../agents/pre-bill/actions/query-documentation.js";
import { SubmitClaimPayload } from "../../../agents/pre-bill/actions/submit-claim.js";
import type { ClaimDesk } from "../../../agents/pre-bill/deps.js";
import { billBy, buildProposals, CLEAN_CLAIM_CONFIDENCE } from "../../../agents/pre-bill/proposals.js";
import type { ScrubFinding, ScrubResult } from "../../../agents/pre-bill/scrub-result.js";
import { Claim } from "../../../tools/claim/claim.js";
import { VisitRecord } from "../../../tools/claim/visit-record.js";

const address = { line1: "1 Main St", line2: null, city: "Springfield", state: "IL", zip: "62701" };
const record = VisitRecord.parse({
  visitId: "appt-1", dateOfService: "2026-03-06", siteOfCare: "physician-office",
  billingProvider: { name: "Sandbox Oncology", npi: "1234567893", taxId: "123456789", address },
  patient: { id: "pat-1", mrn: "MRN1", firstName: "Ada", lastName: "Lovelace", birthDate: "1950-01-02", gender: "female", weightKg: 70, bsaM2: 1.8 },
  coverage: {
    id: "cov-1", patientId: "pat-1", status: "active", payerId: "SBCOM1", payerName: "Sandbox Commercial Health", payerType: "commercial",
    memberId: "M1", patientMemberId: null, relationship: "self", subscriber: null, subscriberRef: null, planId: "COM-PPO", planName: "PPO", start: "2026-01-01", end: null, order: 1,
  },
  diagnoses: [{ icd10: "C34.90" }],
  charges: [{ id: "ch-1", code: "J9271", units: 150, charge: "1500.00", serviceDate: "2026-03-06" }],
});
const claim = Claim.parse({
  form: "837P", claimId: "C1", totalCharge: "2000.00", placeOfService: "11",
  billingProvider: record.billingProvider,
  subscriber: { memberId: "M1", lastName: "Lovelace", firstName: "Ada", birthDate: "1950-01-02", gender: "F", filingIndicator: "CI" },
  payer: { name: "Sandbox Commercial Health", id: "SBCOM1" }, diagnoses: ["C3490"],
  lines: [{ procedure: { code: "J9271" }, charge: "2000.00", units: 200, serviceDate: "2026-03-06", diagnosisPointers: [1] }],
});
const desk: ClaimDesk = {
  claimIdFor: (visitId) => `CLM-${visitId}`,
  recordScrub: async () => undefined, markFinished: async () => undefined, applyCorrections: async () => undefined,
  submit: async (claimId) => ({ claimId, status: "accepted", reasons: [] }),
};
const line = { code: "J9271", modifiers: ["JZ"], units: 200, charge: "2000.00", revenueCode: null, ndc: "00006302602", ndcQuantity: 2, ndcUnit: "UN", diagnosisCodes: ["C34.90"] };
const finding = (over: Partial<ScrubFinding>): ScrubFinding => ({
  code: "DRUG_UNITS", lineId: "ch-1", administrationId: "mar-1", before: { ...line, units: 150 }, after: { ...line, units: 200 }, confidence: 0.99,
  rationale: "200 mg administered ÷ 1 mg per unit (J9271) = 200 units; captured 150.", rule: { source: "CMS ASP 2026Q1 J9271", detail: null }, autoCorrectable: true, ...over,
});
const now = new Date("2026-03-07T12:00:00Z");
const propose = (findings: ScrubFinding[]) => buildProposals({ appointmentId: "appt-1", record, scrub: { captured: claim, corrected: claim, findings } satisfies ScrubResult }, desk, now);

describe("pre-bill proposals", () => {
  it("a clean claim: only the submission, not held, at the clean-claim confidence, with a payload its action accepts", () => {
    const out = propose([]);
    expect(out.map((p) => p.actionType)).toEqual(["submit-claim"]);
    expect(out[0]).toMatchObject({ humanOnlyReason: null, confidence: CLEAN_CLAIM_CONFIDENCE, subject: { type: "claim", id: "CLM-appt-1" }, modelProvider: "none", idempotencyKey: "pre-bill:appt-1:submit" });
    expect(SubmitClaimPayload.parse(out[0]!.payload).unresolved).toEqual([]);
  });

  it("a correctable finding: a correction at the finding's confidence with its rule as evidence, and the submission held for a person", () => {
    const out = propose([finding({ confidence: 0.97 })]);
    expect(out.map((p) => p.actionType)).toEqual(["correct-claim", "submit-claim"]);
    const correct = out[0]!;
    expect(correct.confidence).toBe(0.97);
    expect(CorrectClaimPayload.parse(correct.payload).findings).toMatchObject([{ code: "DRUG_UNITS", lineId: "ch-1", rule: "CMS ASP 2026Q1 J9271" }]);
    expect(correct.evidence.map((e) => e.ref)).toEqual(["CMS ASP 2026Q1 J9271", "ChargeItem/ch-1", "MedicationAdministration/mar-1"]);
    expect(out[1]!.humanOnlyReason).toMatch(/1 finding \(DRUG_UNITS\): never submitted automatically/);
  });

  it("findings the record cannot support: one human-only query per person asked, quoting the tools' facts; no correction", () => {
    const out = propose([
      finding({ code: "ADMIN_TIME_MISSING", lineId: null, autoCorrectable: false, rationale: "MAR entry mar-2 (pembrolizumab) has a start at 09:10 and no stop time." }),
      finding({ code: "WASTE_UNDOCUMENTED", lineId: "ch-3", autoCorrectable: false, rationale: "JW line ch-3 bills 20 units wasted; the MAR records no waste." }),
      finding({ code: "DX_LINK", lineId: "ch-1", autoCorrectable: false, rationale: "Line ch-1 points at Z51.11, which does not support J9271 under the order's diagnoses C34.90." }),
    ]);
    expect(out.map((p) => [p.actionType, (p.payload as { to?: string }).to])).toEqual([
      ["query-documentation", "nurse"], ["query-documentation", "physician"], ["submit-claim", undefined],
    ]);
    const nurse = QueryDocumentationPayload.parse(out[0]!.payload);
    expect(nurse.findings.map((f) => f.code)).toEqual(["ADMIN_TIME_MISSING", "WASTE_UNDOCUMENTED"]);
    expect(nurse.question).toContain("no stop time");
    expect(nurse.question).toContain("Please document the infusion's stop time");
    expect(out[0]!.humanOnlyReason).not.toBeNull();
    expect(out[2]!.humanOnlyReason).toMatch(/3 findings/);
  });

  it("a finding neither correctable nor a documentation question (an authorization missing) still holds the submission", () => {
    const out = propose([finding({ code: "AUTH_MISSING", autoCorrectable: false, rationale: "No approved authorization covers J9271 on 2026-03-06." })]);
    expect(out.map((p) => p.actionType)).toEqual(["submit-claim"]);
    expect(out[0]!.humanOnlyReason).toMatch(/AUTH_MISSING/);
  });

  it("is due five days after the visit at 17:00 UTC, never in the past", () => {
    expect(billBy("2026-03-06", now)).toBe("2026-03-11T17:00:00.000Z");
    expect(billBy("2026-01-01", now)).toBe("2026-03-07T16:00:00.000Z");
  });
});
