import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { additionalHours, deriveAdministrationCodes, type AdministrationEvent } from "../../../tools/coding/administration-codes.js";
import { readFileSync } from "node:fs";
import path from "node:path";
import { AspPricing, parseAspFile } from "../../../tools/coding/asp-pricing.js";
import { codingDataDir } from "../../../tools/coding/data-files.js";
import { billingUnits, wasteFor } from "../../../tools/coding/billing-units.js";
import { icd10ForX12, isIcd10CmFormat, isOutpatientBillType, outpatientBillType, revenueCodeFor } from "../../../tools/coding/claim-context.js";
import { loadCodingTables, type CodingTables } from "../../../tools/coding/coding-tables.js";
import { parseDose } from "../../../tools/coding/dose.js";
import { expectedPayment } from "../../../tools/coding/expected-payment.js";
import { normalizeNdc } from "../../../tools/coding/ndc.js";
import { BadInputError, NotFoundError } from "../../../tools/errors.js";

let t: CodingTables;
beforeAll(() => {
  t = loadCodingTables();
});
const unitOf = (hcpcs: string) => t.asp.latest(hcpcs)!.dosage;

describe("ASP pricing files (CMS quarterly payment limits)", () => {
  it("loads the 2026 Q1 file: quarter, dosage parsed into amount + unit, payment limit, coinsurance", () => {
    expect(t.asp.list()).toEqual([{ quarter: "2026Q1", effectiveFrom: "2026-01-01", effectiveTo: "2026-03-31", codes: expect.any(Number) }]);
    const row = t.asp.lookup("J9035", "2026-02-10")!;
    expect(row).toMatchObject({ hcpcs: "J9035", dosageText: "10 MG", paymentLimit: "73.632", coinsurancePercent: "20.000", quarter: "2026Q1" });
    expect([row.dosage.amount.toString(), row.dosage.unit]).toEqual(["10", "mg"]);
    expect(t.asp.latest("J2506")!.dosage.amount.toString()).toBe("0.5");
    expect(t.asp.latest("90375")!.dosage).toMatchObject({ unit: "IU" });
  });

  it("picks the quarter in force for the date of service, with several quarters side by side", () => {
    const q2 = `x\n"Effective April 1, 2026 through June 30, 2026"\nHCPCS Code,Short Description,HCPCS Code Dosage,Payment Limit,Co-insurance Percentage,,,\nJ9035,Bevacizumab injection,10 MG,70.000,20.000,,,\n`;
    const q1 = readFileSync(path.join(codingDataDir(), "asp-payment-limits-2026-q1.csv"), "latin1");
    const both = new AspPricing([parseAspFile(q2, "q2.csv"), parseAspFile(q1, "q1.csv")]);
    expect(both.lookup("J9035", "2026-05-01")).toMatchObject({ paymentLimit: "70.000", quarter: "2026Q2" });
    expect(both.lookup("J9035", "2026-03-31")).toMatchObject({ paymentLimit: "73.632", quarter: "2026Q1" });
    expect(both.lookup("J9035", "2026-07-01")).toBeNull();
  });

  it("rejects a malformed file with the line number", () => {
    const bad = `"Effective January 1, 2026 through March 31, 2026"\nnote\nHCPCS Code,Short Description,HCPCS Code Dosage,Payment Limit,Co-insurance Percentage\nJ9035,Bev,10 MG,73.6,20\nJ9999,Bad,10 MG,abc,20\n`;
    expect(() => parseAspFile(bad, "bad.csv")).toThrow(/bad\.csv line 5: Payment Limit "abc"/);
    expect(() => parseAspFile("notes\nHCPCS Code,Short Description,HCPCS Code Dosage,Payment Limit,Co-insurance Percentage\nJ9035,Bev,10 MG,73.6,20\n", "nodates.csv")).toThrow(/Effective/);
  });
});

describe("expected payment", () => {
  it("Medicare: allowed = units × payment limit; 80 % share; 2 % sequestration on Medicare's share; cents half-up", () => {
    const r = expectedPayment(t.asp, { hcpcs: "J9271", units: 200, dateOfService: "2026-02-10", payerType: "medicare" });
    expect(r).toMatchObject({ allowed: "11945.20", payerShareBeforeSequestration: "9556.16", sequestration: "191.12", payerPays: "9365.04", patientPays: "2389.04", quarter: "2026Q1" });
  });

  it("Medicare: the deductible comes off first, and the file's own coinsurance applies (denosumab 17.585 %)", () => {
    const r = expectedPayment(t.asp, { hcpcs: "J0897", units: 120, dateOfService: "2026-01-15", payerType: "medicare", deductibleRemaining: "283.00" });
    // allowed 120 × 29.457 = 3534.84; (3534.84 − 283) × 82.415 % = 2679.9969… → 2680.00 (half-up)
    expect(r).toMatchObject({ allowed: "3534.84", deductibleApplied: "283.00", coinsurancePercent: "17.585", payerShareBeforeSequestration: "2680.00", sequestration: "53.60", patientPays: "854.84" });
    expect(Number(r.patientPays) + Number(r.payerShareBeforeSequestration)).toBeCloseTo(Number(r.allowed), 10);
  });

  it("commercial: % of ASP (ASP = limit ÷ 1.06) and fee schedule; no sequestration", () => {
    const pct = expectedPayment(t.asp, { hcpcs: "J9035", units: 35, dateOfService: "2026-03-01", payerType: "commercial", contract: { kind: "asp-percent", percentOfAsp: 115 }, coinsurancePercent: 20 });
    // 35 × 73.632 / 1.06 × 1.15 = 2795.93
    expect(pct).toMatchObject({ allowed: "2795.93", sequestration: "0.00", payerPays: "2236.74", patientPays: "559.19" });
    const fee = expectedPayment(t.asp, { hcpcs: "J9271", units: 200, dateOfService: "2026-03-01", payerType: "commercial", contract: { kind: "fee-schedule", rate: "68.50" } });
    expect(fee.allowed).toBe("13700.00");
  });

  it("unknown code or date outside loaded quarters is NotFound; a commercial price without contract is BadInput", () => {
    expect(() => expectedPayment(t.asp, { hcpcs: "J9999", units: 1, dateOfService: "2026-02-01", payerType: "medicare" })).toThrow(NotFoundError);
    expect(() => expectedPayment(t.asp, { hcpcs: "J9271", units: 1, dateOfService: "2025-12-31", payerType: "medicare" })).toThrow(/no ASP file for 2025 Q4 or before is loaded/);
    expect(() => expectedPayment(t.asp, { hcpcs: "J9271", units: 1, dateOfService: "2026-04-01", payerType: "medicare" })).toThrow(/the ASP file for 2026 Q2 is not loaded/);
    expect(() => expectedPayment(t.asp, { hcpcs: "J9271", units: 1, dateOfService: "2026-02-01", payerType: "commercial" })).toThrow(BadInputError);
  });
});

describe("NDC", () => {
  it("normalises 4-4-2, 5-3-2, 5-4-1 and 5-4-2 to 11 digits by padding the short segment", () => {
    expect(normalizeNdc("0006-3026-02")).toMatchObject({ ok: true, ndc11: "00006302602", format: "4-4-2" });
    expect(normalizeNdc("50242-060-01")).toMatchObject({ ok: true, ndc11: "50242006001", format: "5-3-2" });
    expect(normalizeNdc("55513-0190-1")).toMatchObject({ ok: true, ndc11: "55513019001", format: "5-4-1" });
    expect(normalizeNdc("00006-3026-02")).toMatchObject({ ok: true, ndc11: "00006302602" });
    expect(normalizeNdc("12-34-56")).toMatchObject({ ok: false, reason: "invalid" });
  });

  it("resolves a bare 10-digit NDC through the crosswalk, or reports it ambiguous", () => {
    expect(t.crosswalk.resolve("0006302602")).toMatchObject({ ok: true, ndc11: "00006302602" });
    expect(t.crosswalk.resolve("9999999999")).toMatchObject({ ok: false, reason: "ambiguous-10-digit" });
  });

  it("NDC → HCPCS, package size and billing units per package; NDC–HCPCS mismatch detected", () => {
    const [e] = t.crosswalk.entries("50242006101");
    expect(e).toMatchObject({ hcpcs: "J9035", packageSize: 16, billingUnitsPerPackage: 40 });
    expect(t.crosswalk.matches("50242006101", "J9035")).toEqual({ known: true, matches: true, hcpcs: ["J9035"] });
    expect(t.crosswalk.matches("50242006101", "J9271")).toMatchObject({ known: true, matches: false });
  });

  it("property: normalisation is idempotent", () => {
    fc.assert(fc.property(fc.stringMatching(/^\d{11}$/), (ndc) => {
      const once = normalizeNdc(ndc);
      expect(once.ok && normalizeNdc(once.ndc11)).toMatchObject({ ok: true, ndc11: ndc });
    }));
  });
});

describe("billing units (CMS: dose ÷ billing unit, rounded up)", () => {
  it("paclitaxel 332.5 mg at 1 mg/unit = 333 units", () => {
    expect(billingUnits("J9267", "332.5 mg", unitOf("J9267"))).toMatchObject({ billingUnits: 333, roundedUp: true, exactUnits: "332.5" });
  });
  it("bevacizumab 350 mg at 10 mg/unit = 35; carboplatin 575 mg at 50 mg/unit = 12; pegfilgrastim 6 mg at 0.5 mg = 12", () => {
    expect(billingUnits("J9035", "350 mg", unitOf("J9035")).billingUnits).toBe(35);
    expect(billingUnits("J9045", "575 mg", unitOf("J9045")).billingUnits).toBe(12);
    expect(billingUnits("J2506", "6 mg", unitOf("J2506")).billingUnits).toBe(12);
  });
  it("converts g and mcg, and mL with a concentration", () => {
    expect(billingUnits("J9045", "0.6 g", unitOf("J9045")).billingUnits).toBe(12);
    expect(billingUnits("J9271", "200000 mcg", unitOf("J9271")).billingUnits).toBe(200);
    expect(billingUnits("J9267", "55.4 mL", unitOf("J9267"), "6 mg/mL")).toMatchObject({ billingUnits: 333 });
  });
  it("a dose without a unit, mL without a concentration, or a unit that cannot convert is a typed error naming the problem", () => {
    expect(() => parseDose("332.5")).toThrow(/has no unit/);
    expect(() => billingUnits("J9267", "55 mL", unitOf("J9267"))).toThrow(/needs a concentration/);
    expect(() => billingUnits("J9267", "5 units", unitOf("J9267"))).toThrow(/cannot be converted/);
    expect(() => parseDose("five mg")).toThrow(BadInputError);
  });
  it("property: units × unit size ≥ dose, and (units − 1) × unit size < dose", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 200_000 }), (tenths) => {
      const dose = tenths / 10;
      const r = billingUnits("J9035", `${dose} mg`, unitOf("J9035"));
      expect(r.billingUnits * 10).toBeGreaterThanOrEqual(dose);
      expect((r.billingUnits - 1) * 10).toBeLessThan(dose);
    }));
  });
});

describe("waste (CMS JW/JZ)", () => {
  it("single-dose with waste: the administered line and a JW line; opened = billed + wasted", () => {
    const bev = t.drugs.byDrugName("bevacizumab")!;
    const w = wasteFor(bev, 35);
    expect(w).toMatchObject({ openedUnits: 40, wasteUnits: 5, lines: [{ units: 35, modifiers: [] }, { units: 5, modifiers: ["JW"] }] });
  });
  it("CMS: JZ required on single-dose containers with no waste", () => {
    expect(wasteFor(t.drugs.byDrugName("pembrolizumab")!, 200).lines).toEqual([{ units: 200, modifiers: ["JZ"] }]);
  });
  it("multi-dose containers take neither JW nor JZ", () => {
    expect(wasteFor(t.drugs.byDrugName("carboplatin")!, 12).lines).toEqual([{ units: 12, modifiers: [] }]);
  });
  it("uses the opened amount from the administration record, and flags a recorded waste that does not add up", () => {
    const w = wasteFor(t.drugs.byDrugName("rituximab")!, 67, { openedUnits: 70, recordedWasteUnits: 2 });
    expect(w.wasteUnits).toBe(3);
    expect(w.findings[0]?.code).toBe("WASTE_MISMATCH");
  });
});

describe("drug catalogue", () => {
  it("holds the twelve oncology drugs with HCPCS, class, route, container type and vial sizes from the crosswalk", () => {
    for (const name of ["pembrolizumab", "nivolumab", "atezolizumab", "durvalumab", "bevacizumab", "trastuzumab", "pertuzumab", "rituximab", "carboplatin", "paclitaxel", "denosumab", "pegfilgrastim"]) {
      const d = t.drugs.byDrugName(name);
      expect(d, name).toBeDefined();
      expect(d!.containers.length, name).toBeGreaterThan(0);
      expect(d!.billingUnit, name).not.toBeNull();
    }
    expect(t.drugs.byDrugName("Keytruda")).toMatchObject({ hcpcs: "J9271", drugClass: "biologic", route: "iv-infusion", singleDose: true });
    expect(t.drugs.byCode("J9035")!.containers.map((c) => c.billingUnits)).toEqual([10, 40]);
    expect(t.drugs.byDrugName("denosumab")!.containers).toEqual([{ ndc11: "55513073001", billingUnits: 120 }]);
  });
});

describe("administration codes from infusion times", () => {
  const at = (h: number, m = 0) => `2026-02-10T${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:00`;
  const ev = (drug: string, cls: AdministrationEvent["class"], start: string, stop: string | null, extra: Partial<AdministrationEvent> = {}): AdministrationEvent =>
    ({ drug, class: cls, route: "iv-infusion", start, stop, site: "A", ...extra });
  const codes = (events: AdministrationEvent[]) => deriveAdministrationCodes(events).lines.map((l) => `${l.cpt}x${l.units}${l.modifiers.length > 0 ? `-${l.modifiers.join("-")}` : ""}`);

  it("CPT: additional hour only when more than 30 minutes beyond the last full hour (91 min → 1, 90 → 0, 211 → 3)", () => {
    expect([additionalHours(60), additionalHours(90), additionalHours(91), additionalHours(180), additionalHours(211)]).toEqual([0, 0, 1, 2, 3]);
    expect(codes([ev("paclitaxel", "chemotherapy", at(9), at(12))])).toEqual(["96413x1", "96415x2"]);
    expect(codes([ev("pembrolizumab", "biologic", at(9), at(10, 31))])).toEqual(["96413x1", "96415x1"]);
  });

  it("CPT: an infusion of 15 minutes or less is a push (96409)", () => {
    expect(codes([ev("paclitaxel", "chemotherapy", at(9), at(9, 15))])).toEqual(["96409x1"]);
  });

  it("hierarchy: chemotherapy is initial; a second chemo drug is sequential (96417); therapeutic infusion after it is 96367; a push is 96375", () => {
    expect(codes([
      ev("ondansetron", "therapeutic", at(8, 30), at(9)),
      ev("paclitaxel", "chemotherapy", at(9), at(12)),
      ev("carboplatin", "chemotherapy", at(12), at(12, 30)),
      ev("dexamethasone", "therapeutic", at(12, 35), at(12, 36), { route: "iv-push" }),
    ])).toEqual(["96413x1", "96415x2", "96417x1", "96367x1", "96375x1"]);
  });

  it("therapeutic infusion as initial: 96365 + 96366 for additional hours; hydration after it is 96361", () => {
    expect(codes([ev("iron sucrose", "therapeutic", at(9), at(10, 45)), ev("normal saline hydration", "hydration", at(10, 45), at(11, 30))])).toEqual(["96365x1", "96366x1", "96361x1"]);
  });

  it("hydration of 30 minutes or less is not reportable; hydration concurrent with chemotherapy is not separately reportable", () => {
    const short = deriveAdministrationCodes([ev("normal saline hydration", "hydration", at(9), at(9, 30))]);
    expect(short.lines).toEqual([]);
    expect(short.findings[0]?.code).toBe("HYDRATION_NOT_REPORTABLE");
    const concurrent = deriveAdministrationCodes([ev("paclitaxel", "chemotherapy", at(9), at(12)), ev("normal saline hydration", "hydration", at(9), at(11))]);
    expect(concurrent.lines.map((l) => l.cpt)).toEqual(["96413", "96415"]);
    expect(concurrent.findings.map((f) => f.code)).toEqual(["HYDRATION_CONCURRENT"]);
    expect(codes([ev("normal saline hydration", "hydration", at(9), at(10, 40))])).toEqual(["96360x1", "96361x1"]);
  });

  it("a concurrent therapeutic infusion is 96368", () => {
    expect(codes([ev("paclitaxel", "chemotherapy", at(9), at(12)), ev("magnesium", "therapeutic", at(10), at(11))])).toEqual(["96413x1", "96415x2", "96368x1"]);
  });

  it("96416: chemotherapy infusion over 8 hours started with a pump", () => {
    expect(codes([ev("fluorouracil", "chemotherapy", at(8), "2026-02-12T08:00:00", { pump: true })])).toEqual(["96416x1"]);
  });

  it("a second initial only at a separate IV site, with 59 (or XU)", () => {
    const r = deriveAdministrationCodes([ev("rituximab", "biologic", at(9), at(13)), ev("iron sucrose", "therapeutic", at(9, 30), at(10, 15), { site: "B" })], { distinctModifier: "XU" });
    expect(r.lines.map((l) => `${l.cpt}${l.modifiers.join("")}`)).toEqual(["96413", "96415", "96365XU"]);
    expect(r.findings.map((f) => f.code)).toEqual(["SECOND_INITIAL_SEPARATE_SITE"]);
  });

  it("subcutaneous: 96401 anti-neoplastic non-hormonal, 96402 hormonal, 96372 therapeutic (pegfilgrastim)", () => {
    expect(codes([
      ev("pegfilgrastim", "supportive", at(13), null, { route: "subcutaneous" }),
      ev("leuprolide", "hormonal", at(13, 5), null, { route: "subcutaneous" }),
      ev("trastuzumab-hyaluronidase", "biologic", at(13, 10), null, { route: "subcutaneous" }),
    ])).toEqual(["96372x1", "96402x1", "96401x1"]);
  });

  it("a missing stop time produces a finding, never a guessed line", () => {
    const r = deriveAdministrationCodes([ev("paclitaxel", "chemotherapy", at(9), null)]);
    expect(r.lines).toEqual([]);
    expect(r.findings).toEqual([{ code: "MISSING_STOP_TIME", message: "paclitaxel: time-based line cannot be billed without a stop time", eventId: "event-1" }]);
  });
});

describe("edits (NCCI PTP and MUE, loaded from CSV)", () => {
  it("NCCI: a column-2 code is bundled unless an allowed modifier is present; indicator 0 is never allowed", () => {
    const base = { dateOfService: "2026-02-10", units: 1 };
    const v = t.edits.check([{ ...base, code: "96413", modifiers: [] }, { ...base, code: "96360", modifiers: [] }]);
    expect(v).toEqual([expect.objectContaining({ rule: "NCCI_PTP", codes: ["96413", "96360"] })]);
    expect(t.edits.check([{ ...base, code: "96413", modifiers: [] }, { ...base, code: "96360", modifiers: ["XU"] }])).toEqual([]);
    expect(t.edits.check([{ ...base, code: "96416", modifiers: [] }, { ...base, code: "96413", modifiers: ["59"] }])[0]?.message).toMatch(/never payable/);
  });
  it("MUE: units per day above the maximum fire, with the adjudication indicator", () => {
    const v = t.edits.check([{ dateOfService: "2026-02-10", code: "96415", modifiers: [], units: 9 }]);
    expect(v[0]).toMatchObject({ rule: "MUE", codes: ["96415"] });
    expect(v[0]?.message).toMatch(/9 units of 96415 .* exceed 8/);
    expect(t.edits.sample).toBe(true);
  });
});

describe("CARC/RARC and claim context", () => {
  it("CARC 197 is authorization and appealable; 45 is contractual; PR-1 is the patient's share; 16 with M119 is an NDC problem", () => {
    expect(t.adjustments.reason("197")).toMatchObject({ category: "authorization", appealable: true });
    expect(t.adjustments.categorize("CO", "45")).toMatchObject({ category: "contractual", denial: false });
    expect(t.adjustments.categorize("PR", "1")).toMatchObject({ category: "patient-responsibility", denial: false });
    expect(t.adjustments.categorize("CO", "16", ["M119"])).toMatchObject({ category: "documentation", denial: true, detail: "NDC missing or invalid (M119)" });
    expect(t.adjustments.remark("M119")).toMatch(/NDC/);
    expect(t.adjustments.group("CO")).toMatch(/Contractual/);
    expect(t.adjustments.reason("29")).toMatchObject({ category: "timely-filing", appealable: false });
  });
  it("revenue codes 0636/0335/0331/0260, bill type 13x, ICD-10-CM format", () => {
    expect([revenueCodeFor({ hcpcs: "J9271" }), revenueCodeFor({ cpt: "96413" }), revenueCodeFor({ cpt: "96401" }), revenueCodeFor({ cpt: "96365" })]).toEqual(["0636", "0335", "0331", "0260"]);
    expect(outpatientBillType()).toBe("0131");
    expect(isOutpatientBillType("0131")).toBe(true);
    expect(isOutpatientBillType("0111")).toBe(false);
    expect([isIcd10CmFormat("C34.90"), isIcd10CmFormat("C50911"), isIcd10CmFormat("4659"), isIcd10CmFormat("U07.1")]).toEqual([true, true, false, false]);
    expect(icd10ForX12("c34.90")).toBe("C3490");
  });
});
