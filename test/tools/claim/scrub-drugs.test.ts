import { describe, expect, it } from "vitest";
import type { VisitRecordInput } from "../../../tools/claim/visit-record.js";
import { DOS, charge, mar, visit } from "../../helpers/visit-records.js";
import { codesOf, correctedLine, one, scrub } from "./scrub-helpers.js";

const at = (hhmm: string) => `${DOS}T${hhmm}:00-05:00`;

describe("scrubVisit: a clean visit", () => {
  it("finds nothing on a clean office visit, and the corrected claim is the captured one", () => {
    const r = scrub(visit());
    expect(r.findings).toEqual([]);
    expect(r.corrected).toEqual(r.captured);
    expect(r.corrected.form).toBe("837P");
    expect(r.corrected.placeOfService).toBe("11");
    expect(r.corrected.priorAuthorization).toBe("AUTH-1");
  });

  it("accepts a dose in mL with its concentration (8 mL at 25 mg/mL = 200 mg)", () => {
    const r = scrub(visit((v) => { v.administrations = [mar({ dose: { value: 8, unit: "mL" }, concentration: "25 mg/mL" })]; }));
    expect(r.findings).toEqual([]);
  });
});

describe("DRUG_UNITS", () => {
  it("bills the administered weight-based dose, not the ordered one (166 mg → 166 units), keeping the price per unit", () => {
    const r = scrub(visit((v) => {
      v.administrations = [mar({ dose: { value: 166, unit: "mg" }, wasted: { value: 34, unit: "mg" } })];
      v.charges[0] = { ...v.charges[0], modifiers: [] } as typeof v.charges[0];
      v.charges.push(charge({ id: "c3", code: "J9271", modifiers: ["JW"], units: 34, charge: "3046.03", ndc: "00006302602", ndcQuantity: 0.34, ndcUnit: "UN", administrationIds: ["mar-1"] }));
    }));
    const f = one(r, "DRUG_UNITS");
    expect(f.lineId).toBe("c1");
    expect(f.after).toMatchObject({ units: 166, charge: "14871.77", ndcQuantity: 1.66 });
    expect(f.rationale).toContain("166 mg administered ÷ 1 mg per unit (J9271) = 166 units; captured 200");
    expect(f.rationale).toContain("ordered dose");
    expect(f.confidence).toBe(1);
    expect(f.rule.source).toBe("CMS ASP 2026Q1 row J9271 (HCPCS Code Dosage 1 MG)");
    expect(codesOf(r)).toEqual(["DRUG_UNITS", "CLAIM_BALANCE"]);
    expect(correctedLine(r, "c1")?.units).toBe(166);
  });

  it("rounds a dose between units up (paclitaxel 332.5 mg at 1 mg/unit = 333) and adds no JW/JZ to a multi-dose vial", () => {
    const r = scrub(visit((v) => {
      v.orders = [{ ...v.orders![0]!, id: "ord-1", drugName: "paclitaxel", hcpcs: "J9267", drugClass: "chemotherapy", dose: { value: 332.5, unit: "mg" } }];
      v.administrations = [mar({ drugName: "paclitaxel", hcpcs: "J9267", ndc: "00703-3217-01", drugClass: "chemotherapy", dose: { value: 332.5, unit: "mg" }, stop: at("12:00"), wasted: { value: 117.5, unit: "mg" }, containersOpened: 3 })];
      v.authorizations = [];
      v.charges = [
        charge({ id: "c1", code: "J9267", units: 332, charge: "66.40", ndc: "00703321701", ndcQuantity: 2.213, ndcUnit: "UN", administrationIds: ["mar-1"] }),
        charge({ id: "c2", code: "96413", units: 1, charge: "420.00", administrationIds: ["mar-1"] }),
        charge({ id: "c3", code: "96415", units: 2, charge: "190.00", administrationIds: ["mar-1"] }),
      ];
    }));
    const f = one(r, "DRUG_UNITS");
    expect(f.rationale).toBe("332.5 mg administered ÷ 1 mg per unit (J9267) = 332.5 → 333 (rounded up) units; captured 332");
    expect(f.after).toMatchObject({ units: 333, charge: "66.60", ndcQuantity: 2.22 });
    expect(codesOf(r)).toEqual(["DRUG_UNITS", "CLAIM_BALANCE"]);
  });

  it("converts a mcg dose on a mg HCPCS (pegfilgrastim 6000 mcg = 6 mg ÷ 0.5 mg = 12 units)", () => {
    const r = scrub(visit((v) => {
      v.orders = [];
      v.authorizations = [];
      v.administrations = [mar({ drugName: "pegfilgrastim", hcpcs: "J2506", ndc: "55513-0190-01", drugClass: "supportive", route: "subcutaneous", dose: { value: 6000, unit: "mcg" }, stop: null, containersOpened: 1 })];
      v.charges = [
        charge({ id: "c1", code: "J2506", modifiers: ["JZ"], units: 6, charge: "1105.50", ndc: "55513019001", ndcQuantity: 0.5, ndcUnit: "UN", administrationIds: ["mar-1"] }),
        charge({ id: "c2", code: "96372", units: 1, charge: "55.00", administrationIds: ["mar-1"] }),
      ];
    }));
    const f = one(r, "DRUG_UNITS");
    expect(f.rationale).toContain("6000 mcg = 6 mg administered ÷ 0.5 mg per unit (J2506) = 12 units; captured 6");
    expect(f.after).toMatchObject({ units: 12, ndcQuantity: 1 });
    expect(codesOf(r)).toEqual(["DRUG_UNITS", "CLAIM_BALANCE"]);
  });

  it("does not auto-correct when the dose cannot be converted (mL with no concentration)", () => {
    const r = scrub(visit((v) => { v.administrations = [mar({ dose: { value: 8, unit: "mL" } })]; }));
    const f = one(r, "DRUG_UNITS");
    expect(f.autoCorrectable).toBe(false);
    expect(f.confidence).toBe(0.5);
    expect(f.rationale).toContain("concentration");
    expect(correctedLine(r, "c1")?.units).toBe(200);
  });
});

describe("DRUG_NOT_CHARGED", () => {
  it("adds the drug line the MAR documents, with units, NDC, quantity, diagnosis and JZ (Medicare)", () => {
    const r = scrub(visit((v) => { v.charges = v.charges.filter((c) => c.id !== "c1"); }));
    const f = one(r, "DRUG_NOT_CHARGED");
    expect(f.before).toBeNull();
    expect(f.after).toMatchObject({ code: "J9271", units: 200, ndc: "00006302602", ndcQuantity: 2, ndcUnit: "UN", diagnosisCodes: ["C34.90"] });
    expect(f.autoCorrectable).toBe(true);
    expect(codesOf(r)).toEqual(["DRUG_NOT_CHARGED", "JZ_MISSING", "CLAIM_BALANCE"]);
    const added = r.corrected.lines.find((l) => l.procedure.code === "J9271");
    expect(added?.procedure.modifiers).toEqual(["JZ"]);
    // Charge master: ASP 59.726 × 1.50 × 200.
    expect(added?.charge).toBe("17917.80");
  });

  it("is a clean visit when every drug on the MAR is charged", () => {
    expect(codesOf(scrub(visit()))).not.toContain("DRUG_NOT_CHARGED");
  });
});

describe("NDC", () => {
  it("NDC_MISSING: takes the NDC the MAR documents", () => {
    const r = scrub(visit((v) => { v.charges[0] = { ...v.charges[0]!, ndc: null, ndcQuantity: null, ndcUnit: null }; }));
    const f = one(r, "NDC_MISSING");
    expect(f.after).toMatchObject({ ndc: "00006302602", ndcQuantity: 2, ndcUnit: "UN" });
    expect(f.confidence).toBe(1);
    expect(codesOf(r)).toEqual(["NDC_MISSING"]);
  });

  it("NDC_MISSING: leaves it to a coder when the MAR has none and the code has several packages", () => {
    const r = scrub(visit((v) => {
      v.administrations = [mar({ ndc: null })];
      v.charges[0] = { ...v.charges[0]!, ndc: null, ndcQuantity: null, ndcUnit: null };
    }));
    const f = one(r, "NDC_MISSING");
    expect(f.autoCorrectable).toBe(false);
    expect(f.confidence).toBe(0.5);
    expect(correctedLine(r, "c1")?.drug).toBeNull();
  });

  it("NDC_INVALID: settles an unpadded 10-digit NDC through the crosswalk (0006302602 → 00006302602)", () => {
    const r = scrub(visit((v) => {
      v.administrations = [mar({ ndc: null })];
      v.charges[0] = { ...v.charges[0]!, ndc: "0006302602" };
    }));
    const f = one(r, "NDC_INVALID");
    expect(f.after).toMatchObject({ ndc: "00006302602" });
    expect(f.confidence).toBe(1);
    expect(f.rationale).toContain("only 00006302602 is in the CMS crosswalk");
    expect(correctedLine(r, "c1")?.drug?.ndc11).toBe("00006302602");
  });

  it("NDC_INVALID: replaces an NDC crosswalked to another HCPCS with the MAR's", () => {
    const r = scrub(visit((v) => { v.charges[0] = { ...v.charges[0]!, ndc: "50242006001" }; }));
    const f = one(r, "NDC_INVALID");
    expect(f.rationale).toContain("crosswalked to J9035, not J9271");
    expect(f.after).toMatchObject({ ndc: "00006302602" });
  });

  it("NDC_INVALID: another package than the MAR documents", () => {
    const r = scrub(visit((v) => { v.charges[0] = { ...v.charges[0]!, ndc: "00006302604" }; }));
    const f = one(r, "NDC_INVALID");
    expect(f.rationale).toContain("another package");
    expect(f.after).toMatchObject({ ndc: "00006302602" });
    expect(f.confidence).toBe(0.9);
  });

  it("writes a hyphenated NDC as 11 digits without a finding", () => {
    const r = scrub(visit((v) => { v.charges[0] = { ...v.charges[0]!, ndc: "00006-3026-02" }; }));
    expect(r.findings).toEqual([]);
    expect(correctedLine(r, "c1")?.drug?.ndc11).toBe("00006302602");
  });

  it("NDC_QUANTITY: billing units in the quantity instead of vials (200 UN → 2)", () => {
    const r = scrub(visit((v) => { v.charges[0] = { ...v.charges[0]!, ndcQuantity: 200 }; }));
    const f = one(r, "NDC_QUANTITY");
    expect(f.after).toMatchObject({ ndcQuantity: 2, ndcUnit: "UN" });
    expect(f.rationale).toBe("200 billing units of J9271 in package 00006302602 = 2 UN; captured 200 UN");
  });

  it("NDC_QUANTITY: checks a quantity in mL against the package size (200 units of 100 mg/4 mL = 8 mL)", () => {
    expect(scrub(visit((v) => { v.charges[0] = { ...v.charges[0]!, ndcQuantity: 8, ndcUnit: "ML" }; })).findings).toEqual([]);
    const r = scrub(visit((v) => { v.charges[0] = { ...v.charges[0]!, ndcQuantity: 2, ndcUnit: "ML" }; }));
    expect(one(r, "NDC_QUANTITY").after).toMatchObject({ ndcQuantity: 8, ndcUnit: "ML" });
  });
});

/** Bevacizumab 375 mg (5 mg/kg × 75 kg) = 37.5 → 38 units from four 100 mg vials (40 units): 2 units wasted. */
function bevacizumab(change: (v: VisitRecordInput) => void = () => undefined) {
  return visit((v) => {
    v.orders = [{ ...v.orders![0]!, drugName: "bevacizumab", hcpcs: "J9035", dose: { value: 375, unit: "mg" } }];
    v.authorizations = [];
    v.administrations = [mar({ drugName: "bevacizumab", hcpcs: "J9035", ndc: "50242-0060-01", dose: { value: 375, unit: "mg" }, wasted: { value: 25, unit: "mg" }, containersOpened: 4 })];
    v.charges = [
      charge({ id: "c1", code: "J9035", units: 38, charge: "4197.02", ndc: "50242006001", ndcQuantity: 3.8, ndcUnit: "UN", administrationIds: ["mar-1"] }),
      charge({ id: "c2", code: "J9035", modifiers: ["JW"], units: 2, charge: "220.90", ndc: "50242006001", ndcQuantity: 0.2, ndcUnit: "UN", administrationIds: ["mar-1"] }),
      charge({ id: "c3", code: "96413", units: 1, charge: "420.00", administrationIds: ["mar-1"] }),
    ];
    change(v);
  });
}

describe("waste (JW/JZ)", () => {
  it("a weight-based dose between units from single-dose vials, billed with its JW line, is clean", () => {
    expect(scrub(bevacizumab()).findings).toEqual([]);
  });

  it("WASTE_UNBILLED: adds the JW line for recorded single-dose waste (40 opened − 38 billed = 2)", () => {
    const r = scrub(bevacizumab((v) => { v.charges = v.charges.filter((c) => c.id !== "c2"); }));
    const f = one(r, "WASTE_UNBILLED");
    expect(f.after).toMatchObject({ code: "J9035", modifiers: ["JW"], units: 2, ndc: "50242006001", ndcQuantity: 0.2 });
    expect(f.rationale).toContain("4 container(s) × 10 units (NDC 50242006001) = 40 units opened − 38 billed = 2 units wasted");
    expect(f.confidence).toBe(1);
    expect(codesOf(r)).toEqual(["WASTE_UNBILLED", "CLAIM_BALANCE"]);
  });

  it("WASTE_UNBILLED: not raised when a payer rule waives JW/JZ", () => {
    const r = scrub(bevacizumab((v) => {
      v.charges = v.charges.filter((c) => c.id !== "c2");
      v.payerRules = [{ id: "PR-7", kind: "waives-jw-jz", note: "no waste billing" }];
    }));
    expect(r.findings).toEqual([]);
  });

  it("WASTE_VIAL_MISMATCH: fixes JW units that do not add up to the opened vials", () => {
    const r = scrub(bevacizumab((v) => { v.charges[1] = { ...v.charges[1]!, units: 5, charge: "552.25", ndcQuantity: 0.5 }; }));
    const f = one(r, "WASTE_VIAL_MISMATCH");
    expect(f.lineId).toBe("c2");
    expect(f.after).toMatchObject({ units: 2, charge: "220.90", ndcQuantity: 0.2 });
    expect(f.autoCorrectable).toBe(true);
  });

  it("WASTE_VIAL_MISMATCH: administered + wasted ≠ opened on the MAR is left to the nurse", () => {
    const r = scrub(bevacizumab((v) => { v.administrations = [mar({ drugName: "bevacizumab", hcpcs: "J9035", ndc: "50242-0060-01", dose: { value: 375, unit: "mg" }, wasted: { value: 50, unit: "mg" }, containersOpened: 4 })]; }));
    const f = one(r, "WASTE_VIAL_MISMATCH");
    expect(f.autoCorrectable).toBe(false);
    expect(f.rationale).toContain("37.5 units administered + 5 units wasted ≠ 4 container(s) × 10 units");
  });

  it("WASTE_UNDOCUMENTED: a JW line with no waste on the MAR is held for a person", () => {
    const r = scrub(visit((v) => {
      v.charges[0] = { ...v.charges[0]!, modifiers: [] };
      v.charges.push(charge({ id: "c3", code: "J9271", modifiers: ["JW"], units: 20, charge: "1791.78", ndc: "00006302602", ndcQuantity: 0.2, ndcUnit: "UN", administrationIds: ["mar-1"] }));
    }));
    const f = one(r, "WASTE_UNDOCUMENTED");
    expect(f.lineId).toBe("c3");
    expect(f.after).toBeNull();
    expect(f.autoCorrectable).toBe(false);
    expect(correctedLine(r, "c3")).toBeDefined();
  });

  it("WASTE_UNDOCUMENTED: a JW line on a multi-dose vial is removed (multi-dose takes neither JW nor JZ)", () => {
    const r = scrub(visit((v) => {
      v.orders = [];
      v.authorizations = [];
      v.administrations = [mar({ drugName: "carboplatin", hcpcs: "J9045", ndc: "00703-4248-01", drugClass: "chemotherapy", dose: { value: 400, unit: "mg" }, wasted: { value: 50, unit: "mg" }, containersOpened: 1 })];
      v.charges = [
        charge({ id: "c1", code: "J9045", units: 8, charge: "35.15", ndc: "00703424801", ndcQuantity: 0.889, ndcUnit: "UN", administrationIds: ["mar-1"] }),
        charge({ id: "c2", code: "J9045", modifiers: ["JW"], units: 1, charge: "4.39", ndc: "00703424801", ndcQuantity: 0.111, ndcUnit: "UN", administrationIds: ["mar-1"] }),
        charge({ id: "c3", code: "96413", units: 1, charge: "420.00", administrationIds: ["mar-1"] }),
      ];
    }));
    const f = one(r, "WASTE_UNDOCUMENTED");
    expect(f.autoCorrectable).toBe(true);
    expect(correctedLine(r, "c2")).toBeUndefined();
    expect(codesOf(r)).toEqual(["WASTE_UNDOCUMENTED", "CLAIM_BALANCE"]);
  });

  it("JZ_MISSING: Medicare, nothing wasted from single-dose vials", () => {
    const r = scrub(visit((v) => { v.charges[0] = { ...v.charges[0]!, modifiers: [] }; }));
    const f = one(r, "JZ_MISSING");
    expect(f.after).toMatchObject({ modifiers: ["JZ"] });
    expect(f.confidence).toBe(1);
    expect(codesOf(r)).toEqual(["JZ_MISSING"]);
  });

  it("JZ_MISSING: lower confidence when the containers opened are not documented", () => {
    const r = scrub(visit((v) => {
      v.administrations = [mar({ containersOpened: null, wasted: null })];
      v.charges[0] = { ...v.charges[0]!, modifiers: [] };
    }));
    expect(one(r, "JZ_MISSING").confidence).toBe(0.9);
  });

  it("JZ_MISSING: not for a commercial payer without a rule; required by a requires-jw-jz rule; waived by waives-jw-jz", () => {
    const commercial = (rules: NonNullable<VisitRecordInput["payerRules"]>) => scrub(visit((v) => {
      v.coverage = { ...v.coverage, payerType: "commercial", payerId: "SBCOM", payerName: "Sandbox Commercial" };
      v.charges[0] = { ...v.charges[0]!, modifiers: [] };
      v.payerRules = rules;
    }));
    expect(commercial([]).findings).toEqual([]);
    expect(one(commercial([{ id: "PR-1", kind: "requires-jw-jz", note: null }]), "JZ_MISSING").rule.source).toBe("payer rule PR-1");
    expect(commercial([{ id: "PR-2", kind: "waives-jw-jz", note: null }]).findings).toEqual([]);
  });

  it("JZ_MISSING: never on a multi-dose vial", () => {
    const r = scrub(visit((v) => {
      v.orders = [];
      v.authorizations = [];
      v.administrations = [mar({ drugName: "carboplatin", hcpcs: "J9045", ndc: "00703-4248-01", drugClass: "chemotherapy", dose: { value: 450, unit: "mg" }, wasted: null, containersOpened: 1 })];
      v.charges = [
        charge({ id: "c1", code: "J9045", units: 9, charge: "39.54", ndc: "00703424801", ndcQuantity: 1, ndcUnit: "UN", administrationIds: ["mar-1"] }),
        charge({ id: "c3", code: "96413", units: 1, charge: "420.00", administrationIds: ["mar-1"] }),
      ];
    }));
    expect(r.findings).toEqual([]);
  });
});

describe("MODIFIER_340B", () => {
  it("adds TB to a 340B-acquired drug on a Medicare claim", () => {
    const r = scrub(visit((v) => { v.administrations = [mar({ acquired340b: true })]; }));
    const f = one(r, "MODIFIER_340B");
    expect(f.after).toMatchObject({ modifiers: ["JZ", "TB"] });
    expect(codesOf(r)).toEqual(["MODIFIER_340B"]);
  });

  it("not on a commercial claim, nor when JG is already there", () => {
    expect(scrub(visit((v) => { v.administrations = [mar({ acquired340b: true })]; v.coverage = { ...v.coverage, payerType: "commercial" }; })).findings).toEqual([]);
    expect(scrub(visit((v) => { v.administrations = [mar({ acquired340b: true })]; v.charges[0] = { ...v.charges[0]!, modifiers: ["JZ", "JG"] }; })).findings).toEqual([]);
  });
});
