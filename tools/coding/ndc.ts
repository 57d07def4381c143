/**
 * NDC normalisation (FDA 10-digit labeler-product-package in 4-4-2, 5-3-2 or 5-4-1 → the
 * 11-digit 5-4-2 billing format, padding the short segment with a leading zero) and the CMS
 * NDC–HCPCS crosswalk: HCPCS, package size and billing units per package for each NDC, one
 * file per quarter, looked up by the quarter in force on a date of service.
 */
import path from "node:path";
import { BadInputError } from "../errors.js";
import { quarterFromPreamble } from "./cms-preamble.js";
import { badRow, readCsvTable, readDataFile, requireColumns, type CsvRow } from "./csv-file.js";
import { codingDataDir } from "./data-files.js";
import { chooseQuarter, type QuarterSpan } from "./quarters.js";

/** The result of normalising an NDC as typed. */
export type NdcNormalization =
  | { ok: true; ndc11: string; format: "4-4-2" | "5-3-2" | "5-4-1" | "5-4-2" | "11-digit" }
  | { ok: false; reason: "invalid" | "ambiguous-10-digit"; candidates: string[]; message: string };

/** Hyphenated 4-4-2/5-3-2/5-4-1/5-4-2 or 11 digits → 11 digits; bare 10 digits → candidates only. */
export function normalizeNdc(input: string): NdcNormalization {
  const s = input.trim();
  const parts = s.split("-");
  if (parts.length === 3 && parts.every((p) => /^\d+$/.test(p))) {
    const [a = "", b = "", c = ""] = parts;
    const shape = `${a.length}-${b.length}-${c.length}`;
    switch (shape) {
      case "4-4-2":
        return { ok: true, ndc11: `0${a}${b}${c}`, format: "4-4-2" };
      case "5-3-2":
        return { ok: true, ndc11: `${a}0${b}${c}`, format: "5-3-2" };
      case "5-4-1":
        return { ok: true, ndc11: `${a}${b}0${c}`, format: "5-4-1" };
      case "5-4-2":
        return { ok: true, ndc11: `${a}${b}${c}`, format: "5-4-2" };
      default:
        return { ok: false, reason: "invalid", candidates: [], message: `NDC "${input}" has segments ${shape}; expected 4-4-2, 5-3-2, 5-4-1 or 5-4-2` };
    }
  }
  if (/^\d{11}$/.test(s)) return { ok: true, ndc11: s, format: "11-digit" };
  if (/^\d{10}$/.test(s)) {
    // Without hyphens a 10-digit NDC could be any of the three layouts.
    const candidates = [`0${s}`, `${s.slice(0, 5)}0${s.slice(5)}`, `${s.slice(0, 9)}0${s.slice(9)}`];
    return { ok: false, reason: "ambiguous-10-digit", candidates, message: `NDC "${input}" has 10 digits without hyphens; it is one of ${candidates.join(", ")}` };
  }
  return { ok: false, reason: "invalid", candidates: [], message: `NDC "${input}" is not 10 or 11 digits` };
}

/** 00006302602 → 00006-3026-02. */
export const hyphenate = (ndc11: string): string => `${ndc11.slice(0, 5)}-${ndc11.slice(5, 9)}-${ndc11.slice(9)}`;

/** One crosswalk row. */
export interface CrosswalkEntry {
  ndc11: string;
  hcpcs: string;
  hcpcsDescription: string;
  labeler: string;
  drugName: string;
  hcpcsDosage: string;
  packageSize: number | null;
  packageQuantity: number | null;
  /** Billing units in one item of the package (CMS BILLUNITS). */
  billingUnits: number | null;
  billingUnitsPerPackage: number | null;
  /** The line of the file it was read from. */
  line?: number;
}

/** A row of the file that is not an NDC product and was left out, with why. */
export interface SkippedRow {
  line: number;
  column: string;
  reason: string;
}

/** One quarter's crosswalk file. */
export interface CrosswalkQuarter extends QuarterSpan {
  entries: CrosswalkEntry[];
  /** Rows left out: CMS lists some products under an alternate id instead of an NDC. */
  skipped: SkippedRow[];
}

/** One quarter's entries, indexed. */
class CrosswalkIndex implements QuarterSpan {
  readonly quarter: string;
  readonly effectiveFrom: string;
  readonly effectiveTo: string;
  readonly byNdc = new Map<string, CrosswalkEntry[]>();
  readonly byHcpcs = new Map<string, CrosswalkEntry[]>();

  constructor(q: CrosswalkQuarter) {
    this.quarter = q.quarter;
    this.effectiveFrom = q.effectiveFrom;
    this.effectiveTo = q.effectiveTo;
    for (const e of q.entries) {
      this.byNdc.set(e.ndc11, [...(this.byNdc.get(e.ndc11) ?? []), e]);
      this.byHcpcs.set(e.hcpcs, [...(this.byHcpcs.get(e.hcpcs) ?? []), e]);
    }
  }
}

/**
 * The NDC–HCPCS crosswalk, several quarters side by side. Every lookup takes an optional date of
 * service: the quarter in force on that date, else the latest loaded quarter that began before
 * it (as ASP pricing does); without a date, the latest quarter (catalogue facts such as vial sizes).
 */
export class NdcCrosswalk {
  private readonly quarters: CrosswalkIndex[];

  constructor(quarters: CrosswalkQuarter[]) {
    this.quarters = [...quarters].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom)).map((q) => new CrosswalkIndex(q));
  }

  /** NDCs in the latest quarter. */
  get size(): number {
    return this.quarters.at(-1)?.byNdc.size ?? 0;
  }

  /** The quarters loaded, oldest first. */
  list(): { quarter: string; effectiveFrom: string; effectiveTo: string; ndcs: number }[] {
    return this.quarters.map((q) => ({ quarter: q.quarter, effectiveFrom: q.effectiveFrom, effectiveTo: q.effectiveTo, ndcs: q.byNdc.size }));
  }

  private index(dateOfService?: string): CrosswalkIndex | undefined {
    return dateOfService === undefined ? this.quarters.at(-1) : chooseQuarter(this.quarters, dateOfService).chosen ?? undefined;
  }

  /** Entries for an 11-digit NDC (one NDC may map to more than one HCPCS). */
  entries(ndc11: string, dateOfService?: string): CrosswalkEntry[] {
    return this.index(dateOfService)?.byNdc.get(ndc11) ?? [];
  }

  /** Packages of a HCPCS. */
  packages(hcpcs: string, dateOfService?: string): CrosswalkEntry[] {
    return this.index(dateOfService)?.byHcpcs.get(hcpcs) ?? [];
  }

  /**
   * Resolves what a person typed: normalises it, and settles a bare 10-digit NDC through the
   * crosswalk when exactly one layout is a known product.
   */
  resolve(input: string, dateOfService?: string): NdcNormalization & { entries: CrosswalkEntry[] } {
    const n = normalizeNdc(input);
    if (n.ok) return { ...n, entries: this.entries(n.ndc11, dateOfService) };
    if (n.reason === "ambiguous-10-digit") {
      const known = n.candidates.filter((c) => this.entries(c, dateOfService).length > 0);
      if (known.length === 1) return { ok: true, ndc11: known[0] as string, format: "11-digit", entries: this.entries(known[0] as string, dateOfService) };
      return { ...n, candidates: known.length > 1 ? known : n.candidates, message: known.length > 1 ? `${n.message}; ${known.length} of them are in the crosswalk` : `${n.message}; none is in the crosswalk`, entries: [] };
    }
    return { ...n, entries: [] };
  }

  /** Whether the NDC is crosswalked to the HCPCS (an NDC billed under another code is a mismatch). */
  matches(ndc11: string, hcpcs: string, dateOfService?: string): { known: boolean; matches: boolean; hcpcs: string[] } {
    const codes = this.entries(ndc11, dateOfService).map((e) => e.hcpcs);
    return { known: codes.length > 0, matches: codes.includes(hcpcs), hcpcs: [...new Set(codes)] };
  }
}

/** The columns a crosswalk file must have besides its code column (CMS's names). */
export const CROSSWALK_COLUMNS = ["Short Description", "LABELER NAME", "NDC2", "Drug Name", "HCPCS dosage", "PKG SIZE", "PKG QTY", "BILLUNITS", "BILLUNITSPKG"] as const;

/** The code column: `_2026_CODE` (named for the year) in CMS's files, `HCPCS` or `HCPCS Code` in others. */
const CODE_COLUMN = /^(_\d{4}_CODE|HCPCS|HCPCS Code)$/i;
const HCPCS = /^[A-Z0-9]\d{3}[A-Z0-9]$/;
const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * Parses one quarter's CMS crosswalk file, strictly: the preamble states one calendar quarter
 * (see `cms-preamble.ts`), the header has the code column and every column in
 * `CROSSWALK_COLUMNS`, each row has a HCPCS code, and package size, quantity and billing units
 * are decimals (or empty). A failure is an INVALID_DATA_FILE error naming the file, line and
 * column. A row whose NDC2 is not an NDC is left out and reported in `skipped`: CMS lets a
 * manufacturer report a product under an alternate id when it has no NDC (the 2026 Q1 file lists
 * one such row), and nothing can bill it by NDC.
 */
export function parseCrosswalkFile(text: string, source: string): CrosswalkQuarter {
  const table = readCsvTable(text, source, (cell) => CODE_COLUMN.test(cell), '"_<year>_CODE" or "HCPCS"');
  const codeColumn = table.header[0] as string;
  requireColumns(source, table, CROSSWALK_COLUMNS);
  const span = quarterFromPreamble(table, source);
  // Column names as the file spells them (CMS's capitalisation varies between files).
  const named = new Map(table.header.filter((h) => h !== "").map((h) => [h.toLowerCase(), h]));
  const get = (row: CsvRow, column: string): string => row.values[named.get(column.toLowerCase()) ?? column] ?? "";
  const number = (row: CsvRow, column: string): number | null => {
    const v = get(row, column);
    if (v === "") return null;
    if (!DECIMAL.test(v)) badRow(source, row, column, `"${v}" is not a number`);
    return Number(v);
  };
  const entries: CrosswalkEntry[] = [];
  const skipped: SkippedRow[] = [];
  const seen = new Map<string, number>();
  for (const row of table.rows) {
    const hcpcs = get(row, codeColumn);
    if (!HCPCS.test(hcpcs)) badRow(source, row, codeColumn, `"${hcpcs}" is not a HCPCS code`);
    const n = normalizeNdc(get(row, "NDC2"));
    if (!n.ok) {
      skipped.push({ line: row.line, column: "NDC2", reason: `${n.message}: left out (an alternate id, not an NDC)` });
      continue;
    }
    const key = `${n.ndc11} ${hcpcs}`;
    if (seen.has(key)) badRow(source, row, "NDC2", `${n.ndc11} is crosswalked to ${hcpcs} twice (first on line ${seen.get(key)})`);
    seen.set(key, row.line);
    entries.push({
      ndc11: n.ndc11, hcpcs, hcpcsDescription: get(row, "Short Description"), labeler: get(row, "LABELER NAME"), drugName: get(row, "Drug Name"),
      hcpcsDosage: get(row, "HCPCS dosage"), packageSize: number(row, "PKG SIZE"), packageQuantity: number(row, "PKG QTY"),
      billingUnits: number(row, "BILLUNITS"), billingUnitsPerPackage: number(row, "BILLUNITSPKG"), line: row.line,
    });
  }
  if (entries.length === 0) throw new BadInputError(`${source}: no NDC rows after the header on line ${table.headerLine}`, { code: "INVALID_DATA_FILE", details: { source, line: table.headerLine } });
  return { ...span, entries, skipped };
}

/** Parses a CMS crosswalk file into a one-quarter crosswalk. */
export function parseCrosswalk(text: string, source: string): NdcCrosswalk {
  return new NdcCrosswalk([parseCrosswalkFile(text, source)]);
}

/** The shipped crosswalk file (CMS 2026 Q1). */
export const SHIPPED_CROSSWALK_FILE = "asp-ndc-hcpcs-crosswalk-2026-q1.csv";

/** Loads the shipped 2026 Q1 crosswalk (or another file). */
export function loadCrosswalk(file = path.join(codingDataDir(), SHIPPED_CROSSWALK_FILE)): NdcCrosswalk {
  return parseCrosswalk(readDataFile(file), path.basename(file));
}
