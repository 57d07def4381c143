/**
 * CMS's quarterly NCCI procedure-to-procedure (PTP) and medically unlikely edit (MUE) files, read
 * in the layouts CMS publishes (www.cms.gov → Medicare NCCI PTP Edits / Medically Unlikely Edits):
 *
 * - PTP, practitioner (`ccipra-v…-f1.txt` … `-f4.txt`) and hospital outpatient (`ccioph-v…`):
 *   tab-delimited text, or the XLSX saved as CSV. An AMA/CPT copyright preamble, then a header row
 *   `Column 1 | Column 2 | *=in existence prior to 1996 | Effective Date | Deletion Date | Modifier |
 *   PTP Edit Rationale`, whose legends (`*=no data`, `0=not allowed`, `1=allowed`,
 *   `9=not applicable`) sit in the header cells or in rows right under it. Dates are YYYYMMDD; a
 *   deletion date of `*` means none.
 * - MUE, practitioner and outpatient hospital: CSV (or the XLSX saved as CSV / tab text) with a
 *   quoted copyright preamble, then `HCPCS/CPT Code | Practitioner Services MUE Values` (or
 *   `Outpatient Hospital Services MUE Values`, `Facility Services MUE Values`) `| MUE Adjudication
 *   Indicator | MUE Rationale`; the indicator cell is its digit and name ("3 Date of Service Edit: Clinical").
 *
 * Parsing is strict: a row that does not read is refused as INVALID_DATA_FILE naming the file,
 * line and column, so a clinic never checks claims against half a file.
 */
import { parse } from "csv-parse/sync";
import { BadInputError } from "../errors.js";
import { isoDate } from "../edi/values.js";
import { badRow, type CsvRow } from "./csv-file.js";

/** The setting a file's edits apply to: practitioner (837P) or hospital outpatient (837I). */
export type EditSetting = "practitioner" | "hospital";

/** One PTP pair, as CMS publishes it. */
export interface NcciPair {
  column1: string;
  column2: string;
  /** First date of service the edit applies to (ISO). */
  effective: string;
  /** The deletion date (ISO): the edit no longer applies from this date on; null while active. */
  deleted: string | null;
  modifierIndicator: "0" | "1" | "9";
  rationale: string;
  /** The file line it came from (the rule a finding cites). */
  line?: number;
  /** The file it came from, when imported (a PTP quarter may come in parts). */
  source?: string;
}

/** One MUE. */
export interface Mue {
  code: string;
  maxUnits: number;
  adjudicationIndicator: "1" | "2" | "3";
  rationale: string;
  line?: number;
  source?: string;
}

/** A HCPCS Level II or CPT code (five characters: 96413, J9271, 0591T, 0001A). */
const CODE = /^[0-9A-Z]{5}$/;

/** A table read from either layout: data rows keyed by the header's (normalised) columns. */
interface EditTable {
  header: string[];
  headerLine: number;
  rows: CsvRow[];
}

/**
 * Splits text into records: tab-delimited when the header row holds a tab (CMS's .txt files,
 * where a rationale may carry a stray quote), else CSV.
 */
function records(text: string, source: string, headerCell: RegExp): { cells: string[]; line: number }[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const headerLine = lines.find((l) => headerCell.test(firstCell(l)));
  if (headerLine !== undefined && headerLine.includes("\t")) return lines.map((l, i) => ({ cells: l.split("\t"), line: i + 1 }));
  try {
    const parsed = parse(text, { relax_column_count: true, skip_empty_lines: false, bom: true, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
    return parsed.map((p) => ({ cells: p.record, line: p.info.lines }));
  } catch (error) {
    const e = error as { lines?: number; message: string };
    throw new BadInputError(`${source}: CSV does not parse at line ${e.lines ?? "?"}: ${e.message}`, { code: "INVALID_DATA_FILE", details: { source, line: e.lines, column: "(file)" } });
  }
}

const firstCell = (line: string): string => (line.split(/[\t,]/)[0] ?? "").replace(/^"|"$/g, "").trim();
const blank = (cells: string[]): boolean => cells.every((c) => c.trim() === "");
/** A legend row under the header: no codes, and only "x=meaning" cells ("*=no data", "0=not allowed"). */
const isLegend = (cells: string[]): boolean =>
  (cells[0] ?? "").trim() === "" && (cells[1] ?? "").trim() === "" && cells.every((c) => c.trim() === "" || c.includes("="));

/**
 * Finds the header row (first cell matching `headerCell`), names each column by `columnOf`, and
 * keys the data rows by those names. Rows right under the header whose first cell is empty are the
 * header's legends when they hold nothing but "x=meaning" cells (the XLSX export puts
 * "0=not allowed" … there) and are skipped; any other row is data, checked by the caller.
 */
function readEditTable(text: string, source: string, headerCell: RegExp, headerName: string, columnOf: (cell: string) => string | null): EditTable {
  const recs = records(text, source, headerCell);
  const at = recs.findIndex((r) => headerCell.test((r.cells[0] ?? "").trim()));
  if (at === -1) throw new BadInputError(`${source}: no header row starting with "${headerName}" — is this the CMS file?`, { code: "INVALID_DATA_FILE", details: { source, column: headerName } });
  const headerRec = recs[at] as { cells: string[]; line: number };
  const header = headerRec.cells.map((c) => columnOf(c.replace(/\s+/g, " ").trim()) ?? "");
  const rows: CsvRow[] = [];
  let legends = true;
  for (const r of recs.slice(at + 1)) {
    if (blank(r.cells)) continue;
    if (legends && isLegend(r.cells)) continue;
    legends = false;
    const values: Record<string, string> = {};
    header.forEach((h, k) => {
      if (h !== "") values[h] = (r.cells[k] ?? "").trim();
    });
    rows.push({ line: r.line, values });
  }
  return { header, headerLine: headerRec.line, rows };
}

function requireHeader(source: string, table: EditTable, columns: readonly string[]): void {
  for (const c of columns) {
    if (!table.header.includes(c)) {
      throw new BadInputError(`${source} line ${table.headerLine}: required column "${c}" is missing from the header row`, {
        code: "INVALID_DATA_FILE", details: { source, line: table.headerLine, column: c },
      });
    }
  }
  if (table.rows.length === 0) throw new BadInputError(`${source}: no edits under the header row`, { code: "INVALID_DATA_FILE", details: { source, line: table.headerLine, column: "(file)" } });
}

/** PTP column names as CMS labels them (with or without their legends). */
function ptpColumn(cell: string): string | null {
  const c = cell.toLowerCase();
  if (c === "column 1") return "Column 1";
  if (c === "column 2") return "Column 2";
  if (c.includes("prior to 1996")) return "Prior to 1996";
  if (c.startsWith("effective date")) return "Effective Date";
  if (c.startsWith("deletion date")) return "Deletion Date";
  if (c.startsWith("modifier")) return "Modifier";
  if (c.includes("rationale")) return "PTP Edit Rationale";
  return null;
}

const code = (source: string, row: CsvRow, column: string): string => {
  const v = (row.values[column] ?? "").toUpperCase();
  if (!CODE.test(v)) badRow(source, row, column, `"${row.values[column] ?? ""}" is not a HCPCS/CPT code (five letters or digits)`);
  return v;
};

/** Parses a PTP file (either setting) or the shipped sample; refuses the first malformed row. */
export function parsePtpFile(text: string, source: string): NcciPair[] {
  const table = readEditTable(text, source, /^column 1$/i, "Column 1", ptpColumn);
  requireHeader(source, table, ["Column 1", "Column 2", "Effective Date", "Deletion Date", "Modifier"]);
  return table.rows.map((row) => {
    const v = row.values;
    const column1 = code(source, row, "Column 1");
    const column2 = code(source, row, "Column 2");
    const prior = v["Prior to 1996"];
    if (prior !== undefined && prior !== "" && prior !== "*") badRow(source, row, "*=in existence prior to 1996", `"${prior}" is neither * nor empty`);
    const effective = isoDate(v["Effective Date"] ?? "");
    if (effective === null) badRow(source, row, "Effective Date", `"${v["Effective Date"] ?? ""}" is not a date (YYYYMMDD)`);
    const del = v["Deletion Date"] ?? "";
    let deleted: string | null = null;
    if (del !== "*" && del !== "") {
      deleted = isoDate(del);
      if (deleted === null) badRow(source, row, "Deletion Date", `"${del}" is not a date (YYYYMMDD) or * (no data)`);
    }
    if (deleted !== null && deleted < effective) badRow(source, row, "Deletion Date", `${del} is before the effective date ${v["Effective Date"] ?? ""}`);
    const indicator = v.Modifier ?? "";
    if (indicator !== "0" && indicator !== "1" && indicator !== "9") badRow(source, row, "Modifier", `"${indicator}" is not 0 (not allowed), 1 (allowed) or 9 (not applicable)`);
    return { column1, column2, effective, deleted, modifierIndicator: indicator, rationale: v["PTP Edit Rationale"] ?? "", line: row.line };
  });
}

/** The setting an MUE values column names: "Practitioner Services MUE Values" → practitioner. */
function mueSetting(header: string): EditSetting | "unknown" | "dme" {
  const h = header.toLowerCase();
  if (h.startsWith("practitioner")) return "practitioner";
  if (h.startsWith("outpatient hospital") || h.startsWith("facility")) return "hospital";
  if (h.startsWith("dme")) return "dme";
  return "unknown";
}

/** A parsed MUE file and the setting its header names (null for a header that names none, like the sample's "MUE Values"). */
export interface MueFile {
  mues: Mue[];
  setting: EditSetting | null;
}

/** Parses an MUE file (either setting) or the shipped sample; refuses the first malformed row. */
export function parseMueFile(text: string, source: string): MueFile {
  let valuesHeader = "";
  const table = readEditTable(text, source, /^hcpcs\/cpt code$/i, "HCPCS/CPT Code", (cell) => {
    const c = cell.toLowerCase();
    if (c === "hcpcs/cpt code") return "HCPCS/CPT Code";
    if (c.endsWith("mue values")) {
      valuesHeader = cell;
      return "MUE Values";
    }
    if (c.startsWith("mue adjudication indicator")) return "MUE Adjudication Indicator";
    if (c.startsWith("mue rationale")) return "MUE Rationale";
    return null;
  });
  requireHeader(source, table, ["HCPCS/CPT Code", "MUE Values", "MUE Adjudication Indicator"]);
  const setting = mueSetting(valuesHeader);
  if (setting === "dme") {
    throw new BadInputError(`${source} line ${table.headerLine}: "${valuesHeader}" — the DME supplier MUE table is not used for infusion claims; import the practitioner or outpatient hospital table`, {
      code: "INVALID_DATA_FILE", details: { source, line: table.headerLine, column: valuesHeader },
    });
  }
  const seen = new Map<string, number>();
  const mues = table.rows.map((row): Mue => {
    const v = row.values;
    const c = code(source, row, "HCPCS/CPT Code");
    const first = seen.get(c);
    if (first !== undefined) badRow(source, row, "HCPCS/CPT Code", `${c} is listed twice (first on line ${first})`);
    seen.set(c, row.line);
    const raw = v["MUE Values"] ?? "";
    if (!/^\d+$/.test(raw)) badRow(source, row, valuesHeader, `"${raw}" is not a whole number of units`);
    const mai = /^([123])(\s.*)?$/.exec(v["MUE Adjudication Indicator"] ?? "");
    if (mai === null) badRow(source, row, "MUE Adjudication Indicator", `"${v["MUE Adjudication Indicator"] ?? ""}" is not 1 (line edit), 2 (date of service edit: policy) or 3 (date of service edit: clinical)`);
    return { code: c, maxUnits: Number(raw), adjudicationIndicator: mai[1] as Mue["adjudicationIndicator"], rationale: v["MUE Rationale"] ?? "", line: row.line };
  });
  return { mues, setting: setting === "unknown" ? null : setting };
}
