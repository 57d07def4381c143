/** Synthetic claims for writer tests (no real PHI). */
import type { ClaimInput } from "../../../tools/claim/claim.js";

export const officeClaim: ClaimInput = {
  form: "837P", claimId: "SBX-CLM-0001", totalCharge: "16950.00", placeOfService: "11",
  billingProvider: { name: "Sandbox Infusion Center", npi: "1234567893", taxId: "123456789", address: { line1: "1 Infusion Way", line2: null, city: "Springfield", state: "IL", zip: "62701" } },
  subscriber: { memberId: "1EG4TE5MK73", lastName: "TESTPERSON", firstName: "ALEX", birthDate: "1955-04-02", gender: "F", address: null, groupNumber: null, filingIndicator: "MB" },
  payer: { name: "Sandbox Medicare Part B", id: "SBMCR" },
  priorAuthorization: "SBA000123456",
  diagnoses: ["C3490", "Z5112"],
  lines: [
    { procedure: { code: "J9271", modifiers: ["JZ"] }, charge: "14500.00", units: 200, serviceDate: "2026-03-02", diagnosisPointers: [1], drug: { ndc11: "00006302602", quantity: 2, unit: "UN" }, lineControlNumber: "L1" },
    { procedure: { code: "J9035", modifiers: [] }, charge: "1950.00", units: 35, serviceDate: "2026-03-02", diagnosisPointers: [1, 2], drug: { ndc11: "50242006101", quantity: 1, unit: "UN" } },
    { procedure: { code: "J9035", modifiers: ["JW"] }, charge: "280.00", units: 5, serviceDate: "2026-03-02", diagnosisPointers: [1], drug: { ndc11: "50242006101", quantity: 1, unit: "UN" }, note: "Discarded 50 mg from single-dose vial" },
    { procedure: { code: "96413", modifiers: [] }, charge: "220.00", units: 1, serviceDate: "2026-03-02", diagnosisPointers: [1, 2] },
  ],
};

export const hospitalClaim: ClaimInput = {
  ...officeClaim, form: "837I", claimId: "SBX-CLM-0002", placeOfService: null, facilityType: "13", statementFrom: "2026-03-02", statementTo: "2026-03-02",
  lines: (officeClaim.lines ?? []).map((l, i) => ({ ...l, revenueCode: i === 3 ? "0335" : "0636", diagnosisPointers: [] })),
};
