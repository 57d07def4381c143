import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseMueFile, parsePtpFile } from "../../../tools/coding/code-edit-files.js";
import { parseCodeEditFile } from "../../../tools/coding/code-edit-import.js";
import { loadCodeEdits, type EditLine, type ImportedEdits } from "../../../tools/coding/edits.js";
import { AppError } from "../../../tools/errors.js";

const fixture = (f: string) => readFileSync(path.resolve(import.meta.dirname, "../../fixtures/cms", f));
const text = (f: string) => fixture(f).toString("utf8");

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("NCCI PTP files in CMS's layouts", () => {
  it("reads the tab-delimited practitioner file past its copyright preamble, with the header's legends in its cells", () => {
    const pairs = parsePtpFile(text("ncci-ptp-practitioner-2026q3-f1.txt"), "ccipra.txt");
    expect(pairs).toHaveLength(10);
    expect(pairs[0]).toEqual({ column1: "96413", column2: "96360", effective: "2010-01-01", deleted: null, modifierIndicator: "1", rationale: "Misuse of column two code with column one code", line: 5 });
    // A pair deleted on the day it took effect (CMS writes indicator 9 for these).
    expect(pairs.find((p) => p.column1 === "96372")).toMatchObject({ effective: "2012-01-01", deleted: "2012-01-01", modifierIndicator: "9" });
    // The "*" in the prior-to-1996 column is accepted.
    expect(pairs.find((p) => p.column2 === "36000")).toMatchObject({ effective: "1996-01-01" });
  });

  it("reads the workbook saved as CSV, whose legends sit in rows under the header", () => {
    const pairs = parsePtpFile(text("ncci-ptp-practitioner-2026q4.csv"), "q4.csv");
    expect(pairs).toHaveLength(10);
    expect(pairs[0]?.line).toBe(8);
    expect(pairs.find((p) => p.column2 === "96374" && p.column1 === "96413")).toMatchObject({ deleted: "2026-11-15" });
  });

  it("keeps a row whose two codes are the same (CMS's files may carry them) and never fires it", () => {
    const same = text("ncci-ptp-practitioner-2026q3-f1.txt").replace("96409\t96374", "96374\t96374");
    const pairs = parsePtpFile(same, "ccipra.txt");
    expect(pairs.filter((p) => p.column1 === p.column2)).toHaveLength(1);
    const edits = loadCodeEdits().withImported({ ptp: [{ quarter: "2026Q3", effectiveFrom: "2026-07-01", effectiveTo: "2026-09-30", setting: "practitioner", sources: ["ccipra.txt"], pairs }], mue: [] });
    expect(edits.check([{ code: "96374", units: 1, modifiers: [], dateOfService: "2026-08-01" }, { code: "96374", units: 1, modifiers: [], dateOfService: "2026-08-01" }]).filter((v) => v.rule === "NCCI_PTP")).toEqual([]);
  });

  it("still reads the shipped sample's layout", () => {
    expect(loadCodeEdits().pairs.length).toBeGreaterThan(5);
  });

  it.each([
    ["an effective date that is not a date", (s: string) => s.replace("96413\t96365\t\t20100101", "96413\t96365\t\t20101301"), 6, "Effective Date", /"20101301" is not a date/],
    ["a modifier indicator of 2", (s: string) => s.replace("96409\t96374\t\t20100101\t*\t1", "96409\t96374\t\t20100101\t*\t2"), 8, "Modifier", /"2" is not 0/],
    ["a code of four characters", (s: string) => s.replace("96416\t96413", "9641\t96413"), 9, "Column 1", /"9641" is not a HCPCS\/CPT code/],
    ["a deletion date before the effective date", (s: string) => s.replace("96365\t96360\t\t20100101\t*", "96365\t96360\t\t20100101\t20091231"), 10, "Deletion Date", /before the effective date/],
    ["a deletion date that is neither a date nor *", (s: string) => s.replace("96360\t96374\t\t20100101\t*", "96360\t96374\t\t20100101\tnone"), 11, "Deletion Date", /"none" is not a date/],
  ])("refuses %s, naming the file, line and column", (_name, spoil, line, column, message) => {
    const error = refusal(() => parsePtpFile(spoil(text("ncci-ptp-practitioner-2026q3-f1.txt")), "ccipra-v333r0-f1.txt"));
    expect(error.code).toBe("INVALID_DATA_FILE");
    expect(error.status).toBe(400);
    expect(error.message).toMatch(new RegExp(`^ccipra-v333r0-f1\\.txt line ${line}: ${column}`));
    expect(error.message).toMatch(message);
    expect(error.details).toMatchObject({ source: "ccipra-v333r0-f1.txt", line, column });
  });

  it("refuses a file without the header row, and one whose header lacks a column", () => {
    expect(refusal(() => parsePtpFile("a,b,c\n1,2,3\n", "x.csv")).message).toMatch(/no header row starting with "Column 1"/);
    const noModifier = text("ncci-ptp-practitioner-2026q3-f1.txt").replace("Modifier 0=not allowed 1=allowed 9=not applicable", "Mod");
    expect(refusal(() => parsePtpFile(noModifier, "x.txt")).details).toMatchObject({ line: 4, column: "Modifier" });
  });

  it("takes setting and part from CMS's file names, and requires the quarter", () => {
    const f = parseCodeEditFile("ncci-ptp", fixture("ncci-ptp-practitioner-2026q3-f1.txt"), "ccioph-v333r0-f2.txt", { quarter: "2026Q3" });
    expect([f.setting, f.part, f.effectiveFrom, f.effectiveTo, f.rows]).toEqual(["hospital", "f2", "2026-07-01", "2026-09-30", 10]);
    expect(refusal(() => parseCodeEditFile("ncci-ptp", fixture("ncci-ptp-practitioner-2026q3-f1.txt"), "edits.txt", { quarter: "2026Q3" })).message).toMatch(/say which setting/);
    expect(refusal(() => parseCodeEditFile("ncci-ptp", fixture("ncci-ptp-practitioner-2026q3-f1.txt"), "ccipra.txt", { quarter: "Q3" })).message).toMatch(/like 2026Q4/);
  });
});

describe("MUE files in CMS's layouts", () => {
  it("reads the practitioner CSV with its quoted AMA notice, the indicator written as CMS writes it", () => {
    const { mues, setting } = parseMueFile(text("mue-practitioner-2026q3.csv"), "mue.csv");
    expect(setting).toBe("practitioner");
    expect(mues.find((m) => m.code === "96367")).toEqual({ code: "96367", maxUnits: 4, adjudicationIndicator: "3", rationale: "Clinical: Data", line: 6 });
  });

  it("reads the outpatient hospital table as tab-delimited text and knows its setting from the header", () => {
    const f = parseCodeEditFile("mue", fixture("mue-hospital-2026q4.txt"), "MCR_MUE_upload.txt", { quarter: "2026Q4" });
    expect([f.setting, f.rows]).toEqual(["hospital", 2]);
    expect(refusal(() => parseCodeEditFile("mue", fixture("mue-hospital-2026q4.txt"), "x.txt", { quarter: "2026Q4", setting: "practitioner" })).message).toMatch(/Outpatient Hospital Services table/);
  });

  it.each([
    ["a value that is not a whole number", (s: string) => s.replace('"96367","4"', '"96367","4.5"'), 6, "Practitioner Services MUE Values", /"4\.5" is not a whole number/],
    ["an adjudication indicator of 4", (s: string) => s.replace('"96367","4","3 Date', '"96367","4","4 Date'), 6, "MUE Adjudication Indicator", /is not 1/],
    ["a code listed twice", (s: string) => s.replace('"96374"', '"96367"'), 7, "HCPCS/CPT Code", /listed twice \(first on line 6\)/],
  ])("refuses %s, naming the row and column", (_name, spoil, line, column, message) => {
    const error = refusal(() => parseMueFile(spoil(text("mue-practitioner-2026q3.csv")), "mue-q3.csv"));
    expect(error.details).toMatchObject({ source: "mue-q3.csv", line, column });
    expect(error.message).toMatch(message);
  });

  it("refuses the DME supplier table", () => {
    const dme = text("mue-practitioner-2026q3.csv").replace("Practitioner Services MUE Values", "DME Supplier Services MUE Values");
    expect(refusal(() => parseMueFile(dme, "dme.csv")).message).toMatch(/DME supplier MUE table is not used/);
  });
});

describe("CodeEdits by date of service", () => {
  const ptp = (f: string, quarter: string, from: string, to: string) => ({ quarter, effectiveFrom: from, effectiveTo: to, setting: "practitioner" as const, sources: [f], pairs: parsePtpFile(text(f), f) });
  const mue = (f: string, quarter: string, from: string, to: string) => {
    const { mues } = parseMueFile(text(f), f);
    return { quarter, effectiveFrom: from, effectiveTo: to, setting: "practitioner" as const, sources: [f], mues: new Map(mues.map((m) => [m.code, m])) };
  };
  const imported: ImportedEdits = {
    ptp: [ptp("ncci-ptp-practitioner-2026q3-f1.txt", "2026Q3", "2026-07-01", "2026-09-30"), ptp("ncci-ptp-practitioner-2026q4.csv", "2026Q4", "2026-10-01", "2026-12-31")],
    mue: [mue("mue-practitioner-2026q3.csv", "2026Q3", "2026-07-01", "2026-09-30"), mue("mue-practitioner-2026q4.csv", "2026Q4", "2026-10-01", "2026-12-31")],
  };
  const edits = loadCodeEdits().withImported(imported);
  const lines = (dos: string, ...codes: [string, number][]): EditLine[] => codes.map(([code, units]) => ({ code, units, modifiers: [], dateOfService: dos }));

  it("honours a pair deleted mid-quarter: in force the day before its deletion date, not on it", () => {
    expect(edits.pairOn("96413", "96374", "2026-11-14")).toMatchObject({ deleted: "2026-11-15", line: 10 });
    expect(edits.pairOn("96413", "96374", "2026-11-15")).toBeUndefined();
    expect(edits.check(lines("2026-11-14", ["96413", 1], ["96374", 1])).map((v) => [v.rule, v.codes, v.edition.quarter, v.edition.sources])).toEqual([
      ["NCCI_PTP", ["96413", "96374"], "2026Q4", ["ncci-ptp-practitioner-2026q4.csv"]],
    ]);
    expect(edits.check(lines("2026-11-20", ["96413", 1], ["96374", 1]))).toEqual([]);
  });

  it("uses the quarter in force on the date of service, side by side with others", () => {
    // J9271: 100 units in Q3, 80 in Q4.
    expect(edits.check(lines("2026-09-30", ["J9271", 90]))).toEqual([]);
    expect(edits.check(lines("2026-10-01", ["J9271", 90])).map((v) => [v.rule, v.edition.quarter, (v.detail as { maxUnits: number }).maxUnits])).toEqual([["MUE", "2026Q4", 80]]);
    // A pair the Q4 file adds (effective 2026-10-01) is no edit in Q3.
    expect(edits.pairOn("96413", "96367", "2026-09-15")).toBeUndefined();
    expect(edits.pairOn("96413", "96367", "2026-10-15")?.rationale).toMatch(/Misuse/);
    // A retroactively deleted pair never applies.
    expect(edits.pairOn("96372", "96401", "2026-08-01")).toBeUndefined();
  });

  it("falls back to the shipped sample before any imported quarter, and marks a later date stale", () => {
    const early = edits.mueEdition("2026-03-01");
    expect([early.sample, early.quarter, early.sources]).toEqual([true, null, ["mue-sample.csv"]]);
    // The sample has 96416/96413 (indicator 0) too; the sample's J9271 MUE is checked for a Q1 date.
    expect(edits.check(lines("2026-03-01", ["96416", 1], ["96413", 1]))[0]?.edition.sample).toBe(true);
    const late = edits.ptpEdition("2027-02-01");
    expect([late.quarter, late.quarterInForce, late.stale]).toEqual(["2026Q4", "2027Q1", true]);
    // Hospital claims: no hospital quarter imported, the sample applies.
    expect(edits.ptpEdition("2026-11-01", "hospital").sample).toBe(true);
  });

  it("keeps the existing callers' view: the sample's pairs and MUEs, and a modifier that bypasses an indicator-1 pair", () => {
    expect(edits.sample).toBe(true);
    expect(edits.mues.get("96413")?.maxUnits).toBe(1);
    expect(edits.check([{ code: "96413", units: 1, modifiers: [], dateOfService: "2026-11-01" }, { code: "96360", units: 1, modifiers: ["XU"], dateOfService: "2026-11-01" }])).toEqual([]);
  });
});
