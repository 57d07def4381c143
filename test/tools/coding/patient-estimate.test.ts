import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadAspPricing } from "../../../tools/coding/asp-pricing.js";
import { loadCodingTables, type CodingTables } from "../../../tools/coding/coding-tables.js";
import { codingDataDir } from "../../../tools/coding/data-files.js";
import { expectedPayment } from "../../../tools/coding/expected-payment.js";
import { ESTIMATE_CONFIDENCE, estimatePatientShare } from "../../../tools/coding/patient-estimate.js";

let tables: CodingTables;
beforeAll(() => {
  tables = loadCodingTables();
});

describe("patient estimate", () => {
  // J9271 pembrolizumab: payment limit $59.726 per 1 mg unit (CMS ASP 2026 Q1).
  it("Medicare: deductible first, then the coinsurance on the rest", () => {
    const e = estimatePatientShare(tables.asp, [{ hcpcs: "J9271", units: 200 }], "2026-02-10", { deductibleRemaining: "283.00", coinsurancePercent: "20.00", outOfPocketRemaining: null }, { payerType: "medicare" });
    // 11,945.20 allowed; 283.00 + 20 % × 11,662.20 (2,332.44) = 2,615.44
    expect(e).toMatchObject({ allowed: "11945.20", deductibleApplied: "283.00", coinsurance: "2332.44", patientShare: "2615.44", cappedByOutOfPocket: false });
  });

  it("caps the share at the out-of-pocket remaining", () => {
    const e = estimatePatientShare(tables.asp, [{ hcpcs: "J9271", units: 200 }], "2026-02-10", { deductibleRemaining: "0", coinsurancePercent: "20", outOfPocketRemaining: "750.25" }, { payerType: "medicare" });
    expect(e.patientShare).toBe("750.25");
    expect(e.cappedByOutOfPocket).toBe(true);
  });

  it("prices each drug at the plan's contract: a fee-schedule rate for one, % of ASP for another", () => {
    const e = estimatePatientShare(tables.asp, [{ hcpcs: "J9271", units: 100 }, { hcpcs: "J9035", units: 10 }], "2026-02-10",
      { deductibleRemaining: "0", coinsurancePercent: "10", outOfPocketRemaining: null },
      { payerType: "commercial", contractFor: (h) => (h === "J9271" ? { kind: "fee-schedule", rate: "60.00" } : undefined) });
    expect(e.lines.find((l) => l.hcpcs === "J9271")?.allowed).toBe("6000.00");
    expect(e.lines.find((l) => l.hcpcs === "J9035")?.basis).toBe("Medicare rate (ASP + 6 %)");
  });

  it("a code with no payment limit is listed as unpriced, not guessed", () => {
    const e = estimatePatientShare(tables.asp, [{ hcpcs: "J9999", units: 1 }], "2026-02-10", { deductibleRemaining: null, coinsurancePercent: null, outOfPocketRemaining: null }, { payerType: "medicare" });
    expect(e.allowed).toBe("0.00");
    expect(e.unpriced.map((u) => u.hcpcs)).toEqual(["J9999"]);
    expect(e.basis).toContain("20 % assumed");
  });
});

describe("patient estimate by the quarter in force on the date of service", () => {
  const q4File = path.resolve(import.meta.dirname, "../../fixtures/cms/synthetic-asp-payment-limits-2026-q4.csv");
  const q1 = () => loadAspPricing();
  const q1AndQ4 = () => loadAspPricing([path.join(codingDataDir(), "asp-payment-limits-2026-q1.csv"), q4File]);
  const accumulators = { deductibleRemaining: "0", coinsurancePercent: "20", outOfPocketRemaining: null };

  it("a Q4 date of service with the Q4 file loaded is priced from Q4, not stale, fully confident", () => {
    // Synthetic Q4 file: J9271 at $65.699 per mg (the Q1 $59.726 × 1.10); 200 mg = $13,139.80.
    const e = estimatePatientShare(q1AndQ4(), [{ hcpcs: "J9271", units: 200 }], "2026-11-10", accumulators, { payerType: "medicare" });
    expect(e).toMatchObject({ allowed: "13139.80", coinsurance: "2627.96", priceQuarter: "2026Q4", quarterInForce: "2026Q4", stale: false, confidence: ESTIMATE_CONFIDENCE.complete });
    // …and a Q1 date still from Q1.
    expect(estimatePatientShare(q1AndQ4(), [{ hcpcs: "J9271", units: 200 }], "2026-02-10", accumulators, { payerType: "medicare" })).toMatchObject({ allowed: "11945.20", priceQuarter: "2026Q1", stale: false });
  });

  it("with only Q1 loaded, a Q4 date of service is priced from Q1, says so, and is less confident", () => {
    const e = estimatePatientShare(q1(), [{ hcpcs: "J9271", units: 200 }], "2026-11-10", accumulators, { payerType: "medicare" });
    expect(e).toMatchObject({ allowed: "11945.20", priceQuarter: "2026Q1", quarterInForce: "2026Q4", stale: true, unpriced: [] });
    expect(e.confidence).toBe(ESTIMATE_CONFIDENCE.stale);
    expect(e.confidence).toBeLessThan(ESTIMATE_CONFIDENCE.complete);
    expect(e.basis).toContain("priced from the 2026 Q1 ASP file: the 2026 Q4 file is not loaded");
  });

  it("never prices from a later quarter: a date before every loaded quarter is not priced, confidence 0", () => {
    const onlyQ4 = loadAspPricing([q4File]);
    const e = estimatePatientShare(onlyQ4, [{ hcpcs: "J9271", units: 200 }], "2026-02-10", accumulators, { payerType: "medicare" });
    expect(e).toMatchObject({ allowed: "0.00", lines: [], priceQuarter: null, stale: false, confidence: 0 });
    expect(e.unpriced[0]?.reason).toContain("no ASP file for 2026 Q1 or before is loaded");
  });

  it("lines whose units could not be computed count as unpriced and lower the confidence", () => {
    const e = estimatePatientShare(q1(), [{ hcpcs: "J9271", units: 200 }], "2026-02-10", accumulators, { payerType: "medicare", notPriceable: [{ hcpcs: "J9035", reason: "the order has no dose" }] });
    expect(e.unpriced).toEqual([{ hcpcs: "J9035", reason: "the order has no dose" }]);
    expect(e.confidence).toBe(ESTIMATE_CONFIDENCE.partial);
  });

  it("a claim is priced only from its own quarter: expected payment refuses a quarter not loaded unless told an estimate may be stale", () => {
    expect(() => expectedPayment(q1(), { hcpcs: "J9271", units: 1, dateOfService: "2026-11-10", payerType: "medicare" })).toThrow(/ASP file for 2026 Q4 is not loaded/);
    expect(expectedPayment(q1(), { hcpcs: "J9271", units: 1, dateOfService: "2026-11-10", payerType: "medicare", allowStale: true })).toMatchObject({ quarter: "2026Q1", quarterInForce: "2026Q4", stale: true });
  });
});
