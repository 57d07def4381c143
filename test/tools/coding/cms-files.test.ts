import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseAspFile } from "../../../tools/coding/asp-pricing.js";
import { parseCmsFile } from "../../../tools/coding/cms-files.js";
import { codingDataDir } from "../../../tools/coding/data-files.js";
import { parseCrosswalkFile } from "../../../tools/coding/ndc.js";
import { AppError } from "../../../tools/errors.js";

const shipped = (f: string) => readFileSync(path.join(codingDataDir(), f), "latin1");
const fixture = (f: string) => readFileSync(path.resolve(import.meta.dirname, "../../fixtures/cms", f));
const ASP_HEADER = "HCPCS Code,Short Description,HCPCS Code Dosage,Payment Limit,Co-insurance Percentage,Notes";
const aspFile = (preamble: string[], rows: string[], header = ASP_HEADER) => [...preamble, header, ...rows, ""].join("\r\n");
const Q4 = ["Payment Allowance Limits for Medicare Part B Drugs", '"Effective October 1, 2026 through December 31, 2026"', "Note 1: Payment allowance limits subject to the ASP methodology are based on 2Q26 ASP data."];

/** The error a parse throws, for its code, message and details. */
function refusal(parse: () => unknown): AppError {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("the file was accepted");
}

describe("CMS payment-limit file validation (strict)", () => {
  it("reads the shipped 2026 Q1 file: its quarter from the preamble, 877 codes", () => {
    const q = parseAspFile(shipped("asp-payment-limits-2026-q1.csv"), "asp.csv");
    expect([q.quarter, q.effectiveFrom, q.effectiveTo, q.rows.size]).toEqual(["2026Q1", "2026-01-01", "2026-03-31", 877]);
  });

  it("refuses a file missing a required column, naming the header line and the column", () => {
    const e = refusal(() => parseAspFile(aspFile(Q4, ["J9271,Inj pembrolizumab,1 MG,65.699"], "HCPCS Code,Short Description,HCPCS Code Dosage,Payment Limit"), "no-coins.csv"));
    expect(e.code).toBe("INVALID_DATA_FILE");
    expect(e.details).toEqual({ source: "no-coins.csv", line: 4, column: "Co-insurance Percentage" });
    expect(e.message).toContain("no-coins.csv line 4");
  });

  it("refuses a file whose header row is its first line (no preamble)", () => {
    const e = refusal(() => parseAspFile(aspFile([], ["J9271,Inj pembrolizumab,1 MG,65.699,20.000,"]), "bare.csv"));
    expect(e.details).toMatchObject({ source: "bare.csv", line: 1, column: "preamble" });
  });

  it("refuses a preamble without the effective dates", () => {
    const e = refusal(() => parseAspFile(aspFile(["Payment Allowance Limits for Medicare Part B Drugs", "Note 1: something"], ["J9271,Inj,1 MG,65.699,20.000,"]), "nodates.csv"));
    expect(e.details).toMatchObject({ source: "nodates.csv", line: 3, column: "preamble" });
    expect(e.message).toMatch(/no "Effective/);
  });

  it("refuses effective dates that are not one calendar quarter, or that the rest of the preamble contradicts", () => {
    const half = refusal(() => parseAspFile(aspFile(['"Effective January 1, 2026 through June 30, 2026"'], ["J9271,Inj,1 MG,65.699,20.000,"]), "half.csv"));
    expect(half.message).toContain("not one calendar quarter");
    expect(half.details).toMatchObject({ line: 1, column: "preamble" });
    const note = refusal(() => parseAspFile(aspFile([Q4[1] as string, "Note 1: Payment allowance limits subject to the ASP methodology are based on 3Q25 ASP data."], ["J9271,Inj,1 MG,65.699,20.000,"]), "note.csv"));
    expect(note.message).toContain("2026 Q4 limits are based on 2026 Q2 data");
    expect(note.details).toMatchObject({ line: 2, column: "preamble" });
    const bad = refusal(() => parseAspFile(aspFile(['"Effective February 30, 2026 through March 31, 2026"'], ["J9271,Inj,1 MG,65.699,20.000,"]), "feb30.csv"));
    expect(bad.message).toContain("not calendar dates");
  });

  it("refuses a bad row with its line and column: payment limit, HCPCS, coinsurance, a code listed twice", () => {
    const rows = ["J9271,Inj pembrolizumab,1 MG,65.699,20.000,", "J9035,Bevacizumab,10 MG,8O.99,20.000,"];
    expect(refusal(() => parseAspFile(aspFile(Q4, rows), "limit.csv")).details).toEqual({ source: "limit.csv", line: 6, column: "Payment Limit" });
    expect(refusal(() => parseAspFile(aspFile(Q4, ["J927,Inj,1 MG,65.699,20.000,"]), "code.csv")).details).toEqual({ source: "code.csv", line: 5, column: "HCPCS Code" });
    expect(refusal(() => parseAspFile(aspFile(Q4, ["J9271,Inj,1 MG,65.699,120,"]), "coins.csv")).details).toMatchObject({ column: "Co-insurance Percentage" });
    const twice = refusal(() => parseAspFile(aspFile(Q4, ["J9271,Inj,1 MG,65.699,20.000,", "J9271,Inj,1 MG,60.000,20.000,"]), "twice.csv"));
    expect(twice.message).toContain("listed twice (first on line 5)");
  });

  it("refuses a file for another quarter than the one asked for, and a binary file", () => {
    const e = refusal(() => parseCmsFile("asp", fixture("synthetic-asp-payment-limits-2026-q4.csv"), "q4.csv", "2027Q1"));
    expect(e.message).toContain("the preamble says 2026 Q4");
    expect(e.details).toMatchObject({ column: "preamble", quarter: "2026Q4", expectedQuarter: "2027Q1" });
    const zip = refusal(() => parseCmsFile("asp", Buffer.from("PK\u0003\u0004\u0000\u0000rest"), "asp.zip"));
    expect(e.code).toBe("INVALID_DATA_FILE");
    expect(zip.message).toContain("still zipped");
  });

  it("hashes the bytes as downloaded (Windows-1252 text decoded, not altered)", () => {
    const bytes = fixture("synthetic-asp-payment-limits-2026-q4.csv");
    const f = parseCmsFile("asp", bytes, "q4.csv");
    expect(f).toMatchObject({ kind: "asp", quarter: "2026Q4", rows: 877, skipped: [] });
    expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(f.kind === "asp" && f.asp.rows.get("J9325")?.dosageText).toBe("1 million\u00a0PFU");
  });
});

describe("CMS NDC–HCPCS crosswalk validation (strict)", () => {
  it("reads the shipped 2026 Q1 crosswalk and leaves out, with its line, the one product listed under an alternate id", () => {
    const q = parseCrosswalkFile(shipped("asp-ndc-hcpcs-crosswalk-2026-q1.csv"), "cw.csv");
    expect([q.quarter, q.entries.length]).toEqual(["2026Q1", 7124]);
    expect(q.skipped).toEqual([{ line: 4897, column: "NDC2", reason: expect.stringContaining("888867413689") }]);
  });

  const header = "_2026_CODE,Short Description,LABELER NAME,NDC2,Drug Name,HCPCS dosage,PKG SIZE,PKG QTY,BILLUNITS,BILLUNITSPKG";
  const preamble = ["October 2026 ASP NDC - HCPCS Crosswalk for Medicare Part B Drugs", '"     Effective October 1, 2026 through December 31, 2026"'];
  const cw = (rows: string[], title = preamble, h = header) => [...title, h, ...rows, ""].join("\r\n");

  it("refuses a title that names another quarter than the effective dates", () => {
    const e = refusal(() => parseCrosswalkFile(cw(["J9271,Inj pembrolizumab,Merck,00006-3026-02,Keytruda,1 MG,4,1,100,100"], ["July 2026 ASP NDC - HCPCS Crosswalk", preamble[1] as string]), "title.csv"));
    expect(e.details).toMatchObject({ line: 1, column: "preamble" });
  });

  it("refuses a missing column and a package count that is not a number, with line and column", () => {
    expect(refusal(() => parseCrosswalkFile(cw([], preamble, header.replace(",BILLUNITSPKG", "")), "cols.csv")).details).toEqual({ source: "cols.csv", line: 3, column: "BILLUNITSPKG" });
    const e = refusal(() => parseCrosswalkFile(cw(["J9271,Inj pembrolizumab,Merck,00006-3026-02,Keytruda,1 MG,4,1,100,one hundred"]), "num.csv"));
    expect(e.details).toEqual({ source: "num.csv", line: 4, column: "BILLUNITSPKG" });
  });
});
