/**
 * Reads the CMS-style CSV files: a preamble of notes, a header row, data rows, often many empty
 * trailing columns. Rows are returned keyed by header with their 1-based line numbers; a file
 * without the expected header, or a row that does not parse, is refused with its line number.
 */
import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { BadInputError } from "../errors.js";

/** A data row with the line it came from. */
export interface CsvRow {
  line: number;
  values: Record<string, string>;
}

/** A CSV file split into its preamble, header row and data rows. */
export interface CsvTable {
  /** The records before the header row: their line and text (non-empty cells, space-separated). */
  preamble: { line: number; text: string }[];
  /** Column names, trimmed ("" for the empty trailing columns CMS files carry). */
  header: string[];
  /** The 1-based line of the header row. */
  headerLine: number;
  rows: CsvRow[];
}

/**
 * Parses CSV text whose header row is the first row whose first cell `isHeader` accepts;
 * `headerName` describes that cell in the error when no row does.
 */
export function readCsvTable(text: string, source: string, isHeader: (firstCell: string) => boolean, headerName: string): CsvTable {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { relax_column_count: true, skip_empty_lines: false, bom: true, trim: false, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const e = error as { lines?: number; message: string };
    throw new BadInputError(`${source}: CSV does not parse at line ${e.lines ?? "?"}: ${e.message}`, { code: "INVALID_DATA_FILE", details: { source, line: e.lines } });
  }
  const records = parsed.map((p) => p.record);
  const headerAt = records.findIndex((r) => isHeader((r[0] ?? "").trim()));
  if (headerAt === -1) {
    throw new BadInputError(`${source}: no header row starting with ${headerName}`, { code: "INVALID_DATA_FILE", details: { source, column: headerName } });
  }
  const header = (records[headerAt] as string[]).map((h) => h.trim());
  const rows: CsvRow[] = [];
  for (let i = headerAt + 1; i < records.length; i += 1) {
    const r = records[i] as string[];
    if (r.every((c) => c.trim() === "")) continue;
    const values: Record<string, string> = {};
    header.forEach((h, k) => {
      if (h !== "") values[h] = (r[k] ?? "").trim();
    });
    // csv-parse counts the line a record ends on; quoted notes can span lines.
    rows.push({ line: parsed[i]?.info.lines ?? i + 1, values });
  }
  const preamble = records.slice(0, headerAt).map((r, i) => ({ line: parsed[i]?.info.lines ?? i + 1, text: r.map((c) => c.trim()).filter((c) => c !== "").join(" ") }));
  return { preamble, header, headerLine: parsed[headerAt]?.info.lines ?? headerAt + 1, rows };
}

/** Parses CSV text whose header row is the first row whose first cell is `firstHeader`. */
export function readCsvWithPreamble(text: string, source: string, firstHeader: string): CsvRow[] {
  return readCsvTable(text, source, (cell) => cell.toLowerCase() === firstHeader.toLowerCase(), `"${firstHeader}"`).rows;
}

/** Refuses a table whose header lacks one of `columns`, naming the header line and the column. */
export function requireColumns(source: string, table: CsvTable, columns: readonly string[]): void {
  const present = new Set(table.header.map((h) => h.toLowerCase()));
  const missing = columns.find((c) => !present.has(c.toLowerCase()));
  if (missing !== undefined) {
    throw new BadInputError(`${source} line ${table.headerLine}: required column "${missing}" is missing from the header row`, {
      code: "INVALID_DATA_FILE", details: { source, line: table.headerLine, column: missing },
    });
  }
}

/**
 * Decodes a data file's bytes: UTF-8 when they are valid UTF-8, else Windows-1252/Latin-1, the
 * encoding CMS's CSV files use (the 2026 Q1 ASP file writes "1 million PFU" with a 0xA0 space).
 */
export function decodeDataFile(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return Buffer.from(bytes).toString("latin1");
  }
}

/** Reads a file's bytes, naming it when it cannot be read. */
export function readDataFileBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new BadInputError(`Cannot read ${file}: ${(error as Error).message}`, { code: "INVALID_DATA_FILE", details: { file } });
  }
}

/** Reads a file as text (see `decodeDataFile`), naming it when it cannot be read. */
export function readDataFile(file: string): string {
  return decodeDataFile(readDataFileBytes(file));
}

/** Refuses a row, naming the file, line and column. */
export function badRow(source: string, row: CsvRow, column: string, problem: string): never {
  throw new BadInputError(`${source} line ${row.line}: ${column} ${problem}`, { code: "INVALID_DATA_FILE", details: { source, line: row.line, column } });
}
