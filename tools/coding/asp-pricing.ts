/**
 * CMS quarterly ASP payment-limit files: loaded side by side, looked up by HCPCS and date of
 * service (the quarter in force). Payment limit = ASP + 6 % per billing unit; the HCPCS dosage
 * defines one billing unit. Prices stay decimal strings and carry their quarter.
 */
import path from "node:path";
import { BadInputError } from "../errors.js";
import { quarterFromPreamble } from "./cms-preamble.js";
import { badRow, readCsvTable, readDataFile, requireColumns } from "./csv-file.js";
import { codingDataDir } from "./data-files.js";
import { parseDose, type Dose } from "./dose.js";
import { chooseQuarter, type QuarterSpan } from "./quarters.js";

/** One HCPCS row of a quarter's file. */
export interface AspRow {
  hcpcs: string;
  description: string;
  /** The billing unit, e.g. 10 MG. */
  dosage: Dose;
  dosageText: string;
  /** Per billing unit; null where CMS publishes "N/A" (priced by the contractor). */
  paymentLimit: string | null;
  coinsurancePercent: string;
  quarter: string;
  /** The line of the file it was read from. */
  line?: number;
}

/** One quarter's file. */
export interface AspQuarter extends QuarterSpan {
  rows: Map<string, AspRow>;
}

/** The columns a payment-limit file must have (CMS's names). */
export const ASP_COLUMNS = ["HCPCS Code", "Short Description", "HCPCS Code Dosage", "Payment Limit", "Co-insurance Percentage"] as const;

const HCPCS = /^[A-Z0-9]\d{3}[A-Z0-9]$/;
const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * One row as the pricing uses it. A dosage that does not parse ("PER VIAL", "Less than or equal
 * to 7 days of therapy") is priced per unit as given.
 */
export function aspRow(fields: Omit<AspRow, "dosage">): AspRow {
  let dosage: Dose;
  try {
    dosage = parseDose(fields.dosageText, "HCPCS dosage");
  } catch {
    dosage = { amount: parseDose("1 units").amount, unit: "units" };
  }
  return { ...fields, dosage };
}

/**
 * Parses one ASP payment-limit file, strictly: the preamble states one calendar quarter (see
 * `cms-preamble.ts`), the header has every column in `ASP_COLUMNS`, and every row has a HCPCS
 * code (once), a dosage, a payment limit (decimal, or N/A) and a coinsurance percentage (0–100).
 * A failure is an INVALID_DATA_FILE error naming the file, line and column.
 */
export function parseAspFile(text: string, source: string): AspQuarter {
  const table = readCsvTable(text, source, (cell) => cell.toLowerCase() === "hcpcs code", '"HCPCS Code"');
  requireColumns(source, table, ASP_COLUMNS);
  const { quarter, effectiveFrom, effectiveTo } = quarterFromPreamble(table, source);
  const rows = new Map<string, AspRow>();
  const lineOf = new Map<string, number>();
  for (const row of table.rows) {
    const v = row.values;
    const hcpcs = v["HCPCS Code"] ?? "";
    if (!HCPCS.test(hcpcs)) badRow(source, row, "HCPCS Code", `"${hcpcs}" is not a HCPCS code`);
    if (lineOf.has(hcpcs)) badRow(source, row, "HCPCS Code", `${hcpcs} is listed twice (first on line ${lineOf.get(hcpcs)})`);
    lineOf.set(hcpcs, row.line);
    const dosageText = v["HCPCS Code Dosage"] ?? "";
    if (dosageText === "") badRow(source, row, "HCPCS Code Dosage", "is empty");
    const limit = v["Payment Limit"] ?? "";
    if (!DECIMAL.test(limit) && limit.toUpperCase() !== "N/A") badRow(source, row, "Payment Limit", `"${limit}" is not a decimal amount or N/A`);
    const coins = v["Co-insurance Percentage"] ?? "";
    if (!DECIMAL.test(coins) || Number(coins) > 100) badRow(source, row, "Co-insurance Percentage", `"${coins}" is not a percentage`);
    rows.set(hcpcs, aspRow({ hcpcs, description: v["Short Description"] ?? "", dosageText, paymentLimit: limit.toUpperCase() === "N/A" ? null : limit, coinsurancePercent: coins, quarter, line: row.line }));
  }
  if (rows.size === 0) throw new BadInputError(`${source}: no HCPCS rows after the header on line ${table.headerLine}`, { code: "INVALID_DATA_FILE", details: { source, line: table.headerLine } });
  return { quarter, effectiveFrom, effectiveTo, rows };
}

/** A row chosen for a date of service, with the quarter it came from. */
export interface PricedRow {
  /** The row, or null (code unknown in that quarter, or no quarter loaded on or before the date). */
  row: AspRow | null;
  /** The quarter in force on the date of service. */
  quarterInForce: string;
  /** The quarter the row was taken from (null when no quarter was usable). */
  priceQuarter: string | null;
  /** True when the quarter in force is not loaded and an earlier quarter's file was used. */
  stale: boolean;
}

/** Several quarters side by side. */
export class AspPricing {
  private readonly quarters: AspQuarter[];

  constructor(quarters: AspQuarter[]) {
    this.quarters = [...quarters].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  }

  /** The quarters loaded, oldest first. */
  list(): { quarter: string; effectiveFrom: string; effectiveTo: string; codes: number }[] {
    return this.quarters.map((q) => ({ quarter: q.quarter, effectiveFrom: q.effectiveFrom, effectiveTo: q.effectiveTo, codes: q.rows.size }));
  }

  /** The row in force for `hcpcs` on `dateOfService`, or null (unknown code or no quarter loaded). */
  lookup(hcpcs: string, dateOfService: string): AspRow | null {
    const q = this.quarters.find((x) => dateOfService >= x.effectiveFrom && dateOfService <= x.effectiveTo);
    return q?.rows.get(hcpcs) ?? null;
  }

  /**
   * The row for `hcpcs` from the quarter in force on `dateOfService`; when that quarter is not
   * loaded, from the latest loaded quarter that began before the date, marked stale (never from
   * a later quarter). A code missing from the chosen quarter is not looked for elsewhere.
   */
  priceRow(hcpcs: string, dateOfService: string): PricedRow {
    const { inForce, chosen, stale } = chooseQuarter(this.quarters, dateOfService);
    return { row: chosen?.rows.get(hcpcs) ?? null, quarterInForce: inForce, priceQuarter: chosen?.quarter ?? null, stale };
  }

  /** The latest quarter's row for a code (catalogue facts such as the billing unit). */
  latest(hcpcs: string): AspRow | null {
    for (let i = this.quarters.length - 1; i >= 0; i -= 1) {
      const row = this.quarters[i]?.rows.get(hcpcs);
      if (row !== undefined) return row;
    }
    return null;
  }
}

/** The shipped payment-limit file (CMS 2026 Q1). */
export const SHIPPED_ASP_FILE = "asp-payment-limits-2026-q1.csv";

/** Loads ASP files (the shipped 2026 Q1 file by default). */
export function loadAspPricing(files: string[] = [path.join(codingDataDir(), SHIPPED_ASP_FILE)]): AspPricing {
  return new AspPricing(files.map((f) => parseAspFile(readDataFile(f), path.basename(f))));
}
