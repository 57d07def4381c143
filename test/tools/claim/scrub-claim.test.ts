import { describe, expect, it } from "vitest";
import { readScrubInput, scrubClaim, scrubVisit } from "../../../tools/claim/scrub/index.js";
import { loadCodingTables } from "../../../tools/coding/coding-tables.js";
import { write837 } from "../../../tools/edi/writers/claim-837.js";
import type { Claim } from "../../../tools/claim/claim.js";
import { DOS, charge, cleanHospitalVisit, mar, visit } from "../../helpers/visit-records.js";
import { codesOf, correctedLine, one, scrub, tables } from "./scrub-helpers.js";

const at = (hhmm: string) => `${DOS}T${hhmm}:00-05:00`;
const parties = { submitter: { name: "S", id: "S1", contactName: "B", phone: "5555550100" }, receiver: { name: "R", id: "R1" } };
const envelope = { senderId: "S1", receiverId: "R1", interchangeControl: 1, groupControl: 1, now: new Date("2026-02-11T10:00:00Z") };

describe("edits", () => {
  it("NCCI_PTP: a payer's bundles-pair overlay with no modifier allowed removes the column-2 line", () => {
    const r = scrub(visit((v) => {
      v.administrations = [mar(), mar({ id: "mar-2", orderId: null, drugName: "dexamethasone infusion", hcpcs: null, ndc: null, drugClass: "therapeutic", dose: null, start: at("09:30"), stop: at("10:00"), wasted: null, containersOpened: null })];
      v.charges.push(charge({ id: "c3", code: "96367", charge: "110.00", administrationIds: ["mar-2"] }));
      v.payerRules = [{ id: "PR-9", kind: "bundles-pair", column1: "96413", column2: "96367", modifierAllowed: false, note: "bundled by contract" }];
    }));
    const f = one(r, "NCCI_PTP");
    expect(f.rule).toEqual({ source: "payer rule PR-9", detail: "bundled by contract" });
    expect(f.after).toBeNull();
    expect(correctedLine(r, "c3")).toBeUndefined();
  });

  it("NCCI_PTP from the CMS data: indicator 0 removes, indicator 1 without a modifier is left to a coder, with 59 it passes", () => {
    const base = scrub(visit()).corrected;
    const claim = (lines: Claim["lines"]): Claim => ({ ...base, lines, totalCharge: lines.reduce((t, l) => t + Number(l.charge), 0).toFixed(2) });
    const line = (code: string, modifiers: string[] = []) => ({ ...base.lines[1]!, procedure: { code, modifiers }, lineControlNumber: code });
    const zero = scrubClaim(claim([base.lines[0]!, line("96416"), line("96413")]), tables);
    expect(one(zero, "NCCI_PTP")).toMatchObject({ lineId: "96413", after: null, autoCorrectable: true });
    const oneInd = scrubClaim(claim([base.lines[0]!, line("96413"), line("96360")]), tables);
    expect(one(oneInd, "NCCI_PTP")).toMatchObject({ lineId: "96360", autoCorrectable: false });
    expect(scrubClaim(claim([base.lines[0]!, line("96413"), line("96360", ["59"])]), tables).findings).toEqual([]);
  });

  it("MUE: captured units over the MUE that the units correction brings within it are reported as resolved", () => {
    const r = scrub(visit((v) => {
      v.orders = [];
      v.authorizations = [];
      v.administrations = [mar({ drugName: "pegfilgrastim", hcpcs: "J2506", ndc: "55513-0190-01", drugClass: "supportive", route: "subcutaneous", dose: { value: 6, unit: "mg" }, stop: null, containersOpened: 1 })];
      v.charges = [
        charge({ id: "c1", code: "J2506", modifiers: ["JZ"], units: 13, charge: "2395.25", ndc: "55513019001", ndcQuantity: 1.083, ndcUnit: "UN", administrationIds: ["mar-1"] }),
        charge({ id: "c2", code: "96372", units: 1, charge: "55.00", administrationIds: ["mar-1"] }),
      ];
    }));
    expect(codesOf(r)).toEqual(["DRUG_UNITS", "MUE", "CLAIM_BALANCE"]);
    const f = one(r, "MUE");
    expect(f.autoCorrectable).toBe(true);
    expect(f.rationale).toContain("Captured 13 units of J2506 exceed the MUE of 12");
    expect(f.rule.source).toBe("CMS MUE sample row J2506");
  });

  it("MUE: units over the MUE on a claim alone are left to a coder", () => {
    const base = scrub(visit()).corrected;
    const claim: Claim = { ...base, lines: [{ ...base.lines[1]!, procedure: { code: "96415", modifiers: [] }, units: 9, charge: "855.00" }], totalCharge: "855.00" };
    const f = one(scrubClaim(claim, tables), "MUE");
    expect(f.autoCorrectable).toBe(false);
    expect(f.after).toMatchObject({ units: 8 });
  });
});

describe("DX_LINK", () => {
  it("points a drug line at its order's diagnosis", () => {
    const r = scrub(visit((v) => { v.charges[0] = { ...v.charges[0]!, diagnosisCodes: ["Z51.12"] }; }));
    const f = one(r, "DX_LINK");
    expect(f.after).toMatchObject({ diagnosisCodes: ["C34.90"] });
    expect(f.rationale).toContain("supports C3490");
    expect(correctedLine(r, "c1")?.diagnosisPointers).toEqual([1]);
  });

  it("leaves it to a coder when no supporting diagnosis is on the claim", () => {
    const r = scrub(visit((v) => {
      v.orders = [{ ...v.orders![0]!, diagnosisCodes: ["C50.911"] }];
      v.authorizations = [{ ...v.authorizations![0]!, diagnosisCodes: [] }];
    }));
    const drug = r.findings.find((f) => f.code === "DX_LINK" && f.lineId === "c1");
    expect(drug?.autoCorrectable).toBe(false);
  });

  it("a line pointing at a diagnosis not on the claim", () => {
    const r = scrub(visit((v) => { v.charges[1] = { ...v.charges[1]!, diagnosisCodes: ["C34.90", "E11.9"] }; }));
    expect(one(r, "DX_LINK").after).toMatchObject({ diagnosisCodes: ["C34.90"] });
  });
});

describe("REV_CODE", () => {
  it("an 837I drug line takes 0636 and a chemotherapy administration 0335; the clean hospital visit is clean", () => {
    const clean = scrub(visit(() => undefined, cleanHospitalVisit));
    expect(clean.findings).toEqual([]);
    expect(clean.corrected).toMatchObject({ form: "837I", facilityType: "13", statementFrom: DOS });
    const r = scrub(visit((v) => { v.charges[0] = { ...v.charges[0]!, revenueCode: "0250" }; }, cleanHospitalVisit));
    const f = one(r, "REV_CODE");
    expect(f.after).toMatchObject({ revenueCode: "0636" });
    expect(correctedLine(r, "c1")?.revenueCode).toBe("0636");
  });

  it("leaves lines it has no rule for alone (an E/M visit on an 837I keeps its revenue code)", () => {
    const r = scrub(visit((v) => { v.charges.push(charge({ id: "c3", code: "99214", charge: "150.00", revenueCode: "0510" })); }, cleanHospitalVisit));
    expect(r.findings).toEqual([]);
    expect(correctedLine(r, "c3")?.revenueCode).toBe("0510");
  });

  it("added lines on an 837I carry their revenue code", () => {
    const r = scrub(visit((v) => { v.charges = [v.charges[0]!]; }, cleanHospitalVisit));
    expect(codesOf(r)).toEqual(["ADMIN_NOT_CHARGED", "CLAIM_BALANCE"]);
    expect(r.corrected.lines[1]?.revenueCode).toBe("0335");
  });
});

describe("authorizations", () => {
  it("AUTH_MISSING: an auth-required payer rule and no approved authorization covering the date", () => {
    const r = scrub(visit((v) => {
      v.authorizations = [];
      v.payerRules = [{ id: "PR-3", kind: "auth-required", codes: ["J9271"], note: null }];
    }));
    const f = one(r, "AUTH_MISSING");
    expect(f).toMatchObject({ lineId: "c1", autoCorrectable: false, confidence: 1 });
    expect(r.corrected.priorAuthorization).toBeNull();
  });

  it("AUTH_MISSING: an authorization on file that expired before the date of service", () => {
    const r = scrub(visit((v) => { v.authorizations = [{ ...v.authorizations![0]!, to: "2026-01-31" }]; }));
    const f = one(r, "AUTH_MISSING");
    expect(f.confidence).toBe(0.8);
    expect(f.rationale).toContain("AUTH-1 approved 2026-01-01–2026-01-31");
  });

  it("no AUTH_MISSING when neither a rule nor an authorization asks for one", () => {
    expect(scrub(visit((v) => { v.authorizations = []; })).findings).toEqual([]);
  });

  it("AUTH_UNITS: units beyond authorized − used", () => {
    const r = scrub(visit((v) => { v.authorizations = [{ ...v.authorizations![0]!, unitsUsed: 1300 }]; }));
    const f = one(r, "AUTH_UNITS");
    expect(f.rationale).toBe("200 units of J9271 billed; authorization AUTH-1 allows 1400 − 1300 used = 100: request more units before billing");
    expect(f.autoCorrectable).toBe(false);
  });
});

describe("DUPLICATE_LINE and CLAIM_BALANCE", () => {
  it("removes the repeated line and rebalances the total", () => {
    const r = scrub(visit((v) => { v.charges.push({ ...v.charges[1]!, id: "c3" }); }));
    expect(codesOf(r)).toEqual(["DUPLICATE_LINE", "CLAIM_BALANCE"]);
    expect(one(r, "DUPLICATE_LINE").lineId).toBe("c3");
    expect(one(r, "CLAIM_BALANCE")).toMatchObject({ before: { totalCharge: "18757.80" }, after: { totalCharge: "18337.80" } });
    expect(r.corrected.totalCharge).toBe("18337.80");
  });

  it("CLAIM_BALANCE: a captured total that is not the sum of the lines", () => {
    const r = scrub(visit((v) => { v.capturedTotalCharge = "18000.00"; }));
    const f = one(r, "CLAIM_BALANCE");
    expect(f.rationale).toContain("while the captured lines sum to 18337.80");
    expect(r.captured.totalCharge).toBe("18000.00");
    expect(r.corrected.totalCharge).toBe("18337.80");
  });
});

describe("determinism and the claim alone", () => {
  it("the same input gives byte-identical output, with tables loaded afresh", () => {
    const record = visit((v) => {
      v.charges[0] = { ...v.charges[0]!, units: 210, ndc: "0006302602", modifiers: [] };
      v.charges.push({ ...v.charges[1]!, id: "c3" });
    });
    const a = JSON.stringify(scrubVisit(record, tables));
    const b = JSON.stringify(scrubVisit(structuredClone(record), loadCodingTables()));
    expect(a).toBe(b);
    expect(a).toContain("DRUG_UNITS");
  });

  it("reads an 837 (detected by ISA), keeps an unbalanced CLM02, and runs the claim-only checks", () => {
    const { corrected } = scrub(visit());
    const x12 = write837([corrected], parties, envelope).replace(`CLM*enc-1*${corrected.totalCharge}`, "CLM*enc-1*100.00");
    const input = readScrubInput(`\n  ${x12}`);
    expect(input.kind).toBe("837");
    if (input.kind !== "837") return;
    const r = scrubClaim(input.claims[0]!, tables);
    expect(codesOf(r)).toEqual(["CLAIM_BALANCE"]);
    expect(r.captured.totalCharge).toBe("100.00");
  });

  it("on an 837I alone: revenue codes fixed, an NDC of another drug left to a coder (no MAR to say which package)", () => {
    const { corrected } = scrub(visit(() => undefined, cleanHospitalVisit));
    const lines = corrected.lines.map((l, i) => (i === 0 ? { ...l, revenueCode: "0250", drug: { ...l.drug!, ndc11: "50242006001" } } : l));
    const r = scrubClaim({ ...corrected, lines }, tables);
    expect(codesOf(r)).toEqual(["NDC_INVALID", "REV_CODE"]);
    expect(one(r, "NDC_INVALID").autoCorrectable).toBe(false);
    expect(r.corrected.lines[0]?.revenueCode).toBe("0636");
  });

  it("an 837 round trip of a clean corrected claim is clean", () => {
    const { corrected } = scrub(visit());
    const input = readScrubInput(write837([corrected], parties, envelope));
    if (input.kind !== "837") throw new Error("not read as an 837");
    expect(scrubClaim(input.claims[0]!, tables).findings).toEqual([]);
  });

  it("refuses input that is neither JSON nor X12, and names the failing field of a visit record", () => {
    expect(() => readScrubInput("hello")).toThrow(/neither a visit record/);
    expect(() => readScrubInput('{"visitId": "v"}')).toThrow(/dateOfService/);
    expect(() => readScrubInput("{not json")).toThrow(/not valid JSON/);
  });
});

describe("a dependent's claim (837 2000C)", () => {
  const spouse = (address: boolean) => visit((v) => {
    v.coverage = { ...v.coverage, relationship: "spouse", subscriber: { firstName: "Robin", lastName: "Holder", birthDate: "1956-07-11", gender: "male" } };
    v.patient = { ...v.patient, address: address ? { line1: "12 Oak Street", line2: null, city: "Springfield", state: "IL", zip: "62704" } : null };
  });

  it("names the patient in the patient loop (PAT01 01 for a spouse) and the policy holder as the subscriber, in the 837 as sent", () => {
    const r = scrubVisit(spouse(true), tables);
    expect(r.corrected.subscriber).toMatchObject({ firstName: "Robin", lastName: "Holder", birthDate: "1956-07-11", gender: "M" });
    expect(r.corrected.patient).toMatchObject({ relationship: "01", address: { line1: "12 Oak Street", zip: "62704" } });
    expect(r.corrected.patient?.lastName).not.toBe("Holder");
    const x12 = write837([r.corrected], parties, envelope);
    expect(x12).toMatch(/PAT\*01~/);
    expect(x12).toMatch(/NM1\*QC\*1\*/);
    expect(x12).toMatch(/NM1\*IL\*1\*HOLDER\*ROBIN|NM1\*IL\*1\*Holder\*Robin/);
  });

  it("refuses to build a dependent's claim without the patient's address (2010CA N3/N4 are required), naming the field", () => {
    expect(() => scrubVisit(spouse(false), tables)).toThrow(/patient's address/);
  });

  it("a patient who holds the policy has no patient loop", () => {
    expect(scrubVisit(visit(), tables).corrected.patient).toBeNull();
  });
});
