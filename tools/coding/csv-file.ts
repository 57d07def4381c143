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

/** Parses CSV text whose header row is the first row whose first cell is `firstHeader`. */
export function readCsvWithPreamble(text: string, source: string, firstHeader: string): CsvRow[] {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { relax_column_count: true, skip_empty_lines: false, bom: true, trim: false, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const e = error as { lines?: number; message: string };
    throw new BadInputError(`${source}: CSV does not parse at line ${e.lines ?? "?"}: ${e.message}`, { code: "INVALID_DATA_FILE", details: { source, line: e.lines } });
  }
  const records = parsed.map((p) => p.record);
  const headerAt = records.findIndex((r) => (r[0] ?? "").trim().toLowerCase() === firstHeader.toLowerCase());
  if (headerAt === -1) {
    throw new BadInputError(`${source}: no header row starting with "${firstHeader}"`, { code: "INVALID_DATA_FILE", details: { source } });
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
  return rows;
}

/** Reads a file as text, naming it when it cannot be read. */
export function readDataFile(file: string): string {
  try {
    return readFileSync(file, "latin1");
  } catch (error) {
    throw new BadInputError(`Cannot read ${file}: ${(error as Error).message}`, { code: "INVALID_DATA_FILE", details: { file } });
  }
}

/** Refuses a row, naming the file, line and column. */
export function badRow(source: string, row: CsvRow, column: string, problem: string): never {
  throw new BadInputError(`${source} line ${row.line}: ${column} ${problem}`, { code: "INVALID_DATA_FILE", details: { source, line: row.line, column } });
}
