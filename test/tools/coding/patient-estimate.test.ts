import { beforeAll, describe, expect, it } from "vitest";
import { loadCodingTables, type CodingTables } from "../../../tools/coding/coding-tables.js";
import { estimatePatientShare } from "../../../tools/coding/patient-estimate.js";

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
