/**
 * The preamble of a CMS quarterly file — the notes above the header row — says which quarter the
 * file is for: "Effective January 1, 2026 through March 31, 2026". A file is accepted only when
 * the preamble exists, states its dates, the dates are exactly one calendar quarter, and what
 * else the preamble says about the quarter agrees:
 * - the crosswalk's title names the quarter's first month ("January 2026 ASP NDC - HCPCS Crosswalk");
 * - the payment-limit file's note names the ASP data it is based on, which is the data of two
 *   quarters before: manufacturers report a quarter's ASP within 30 days of its close (42 CFR 414
 *   subpart J), and CMS publishes the limits built from it for the quarter after next (the 2026
 *   Q1 file: "based on 3Q25 ASP data").
 * Each refusal is an INVALID_DATA_FILE error naming the file, the line and "preamble".
 */
import { BadInputError } from "../errors.js";
import type { CsvTable } from "./csv-file.js";
import { quarterForDates, quarterLabel, quarterSpan, type QuarterSpan } from "./quarters.js";

const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const EFFECTIVE = /effective\s+([a-z]+)\s+(\d{1,2}),\s*(\d{4})\s+through\s+([a-z]+)\s+(\d{1,2}),\s*(\d{4})/i;
const TITLE_MONTH = /^(january|february|march|april|may|june|july|august|september|october|november|december)\s+(\d{4})\s+asp\b/i;
const DATA_QUARTER = /based on\s+([1-4])Q(\d{2})\s+ASP data/i;

function refuse(source: string, line: number, problem: string): never {
  throw new BadInputError(`${source} line ${line}: preamble ${problem}`, { code: "INVALID_DATA_FILE", details: { source, line, column: "preamble" } });
}

/** "January", "1", "2026" → "2026-01-01", or null when that is not a calendar date. */
function isoDate(month: string, day: string, year: string): string | null {
  const m = MONTHS.indexOf(month.toLowerCase());
  if (m === -1) return null;
  const iso = `${year}-${String(m + 1).padStart(2, "0")}-${day.padStart(2, "0")}`;
  const parsed = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== iso ? null : iso;
}

/** Reads and checks the quarter a CMS quarterly file's preamble states. */
export function quarterFromPreamble(table: CsvTable, source: string): QuarterSpan {
  const lines = table.preamble.filter((p) => p.text !== "");
  if (lines.length === 0) refuse(source, table.headerLine, `missing: the header row is the first line; a CMS file begins with notes that state its effective dates`);
  const stated = lines.map((p) => ({ ...p, m: EFFECTIVE.exec(p.text) })).find((p) => p.m !== null);
  if (stated?.m == null) {
    refuse(source, table.headerLine, `(lines 1–${table.headerLine - 1}) has no "Effective <Month> <day>, <year> through <Month> <day>, <year>" line`);
  }
  const [, m1 = "", d1 = "", y1 = "", m2 = "", d2 = "", y2 = ""] = stated.m;
  const from = isoDate(m1, d1, y1);
  const to = isoDate(m2, d2, y2);
  if (from === null || to === null) refuse(source, stated.line, `effective dates "${stated.m[0]}" are not calendar dates`);
  const span = quarterForDates(from, to);
  if (span === null) refuse(source, stated.line, `effective dates ${from} through ${to} are not one calendar quarter`);

  for (const p of lines) {
    const title = TITLE_MONTH.exec(p.text);
    if (title !== null && isoDate(title[1] ?? "", "1", title[2] ?? "") !== span.effectiveFrom) {
      refuse(source, p.line, `title "${title[0]}" does not match the effective dates (${quarterLabel(span.quarter)} begins ${span.effectiveFrom})`);
    }
    const data = DATA_QUARTER.exec(p.text);
    if (data !== null) {
      const expected = dataQuarterFor(span.quarter);
      const said = `20${data[2]}Q${data[1]}`;
      if (said !== expected) refuse(source, p.line, `says the limits are based on ${data[1]}Q${data[2]} ASP data; ${quarterLabel(span.quarter)} limits are based on ${quarterLabel(expected)} data`);
    }
  }
  return span;
}

/** The quarter of ASP data a quarter's payment limits are built from: two quarters before. */
export function dataQuarterFor(quarter: string): string {
  const { effectiveFrom } = quarterSpan(quarter);
  const index = Number(effectiveFrom.slice(0, 4)) * 4 + (Number(effectiveFrom.slice(5, 7)) - 1) / 3 - 2;
  return `${Math.floor(index / 4)}Q${(index % 4) + 1}`;
}
