/**
 * CMS quarterly ASP payment-limit files: loaded side by side, looked up by HCPCS and date of
 * service (the quarter in force). Payment limit = ASP + 6 % per billing unit; the HCPCS dosage
 * defines one billing unit. Prices stay decimal strings and carry their quarter.
 */
import path from "node:path";
import { BadInputError } from "../errors.js";
import { badRow, readCsvWithPreamble, readDataFile } from "./csv-file.js";
import { codingDataDir } from "./data-files.js";
import { parseDose, type Dose } from "./dose.js";

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
}

/** One quarter's file. */
export interface AspQuarter {
  quarter: string;
  effectiveFrom: string;
  effectiveTo: string;
  rows: Map<string, AspRow>;
}

const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

/** Reads "Effective January 1, 2026 through March 31, 2026" from the preamble. */
function effectiveDates(text: string, source: string): { from: string; to: string; quarter: string } {
  const m = /effective\s+([a-z]+)\s+(\d{1,2}),\s*(\d{4})\s+through\s+([a-z]+)\s+(\d{1,2}),\s*(\d{4})/i.exec(text.slice(0, 4000));
  if (m === null) throw new BadInputError(`${source}: no "Effective … through …" line in the preamble`, { code: "INVALID_DATA_FILE", details: { source } });
  const date = (month: string, day: string, year: string) => {
    const mi = MONTHS.indexOf(month.toLowerCase());
    if (mi === -1) throw new BadInputError(`${source}: unknown month ${month}`, { code: "INVALID_DATA_FILE" });
    return `${year}-${String(mi + 1).padStart(2, "0")}-${day.padStart(2, "0")}`;
  };
  const from = date(m[1] ?? "", m[2] ?? "", m[3] ?? "");
  return { from, to: date(m[4] ?? "", m[5] ?? "", m[6] ?? ""), quarter: `${from.slice(0, 4)}Q${Math.floor(Number(from.slice(5, 7)) / 3.01) + 1}` };
}

/** Parses one ASP payment-limit file. */
export function parseAspFile(text: string, source: string): AspQuarter {
  const { from, to, quarter } = effectiveDates(text, source);
  const rows = new Map<string, AspRow>();
  for (const row of readCsvWithPreamble(text, source, "HCPCS Code")) {
    const v = row.values;
    const hcpcs = v["HCPCS Code"] ?? "";
    if (!/^[A-Z0-9]\d{3}[A-Z0-9]$/.test(hcpcs)) badRow(source, row, "HCPCS Code", `"${hcpcs}" is not a HCPCS code`);
    const limit = v["Payment Limit"] ?? "";
    if (!/^\d+(\.\d+)?$/.test(limit) && limit.toUpperCase() !== "N/A") badRow(source, row, "Payment Limit", `"${limit}" is not a decimal amount or N/A`);
    const coins = v["Co-insurance Percentage"] ?? "";
    if (!/^\d+(\.\d+)?$/.test(coins)) badRow(source, row, "Co-insurance Percentage", `"${coins}" is not a percentage`);
    const dosageText = v["HCPCS Code Dosage"] ?? "";
    let dosage: Dose;
    try {
      dosage = parseDose(dosageText, "HCPCS dosage");
    } catch {
      // Some rows describe the unit in words ("PER DOSE", "EA"); they are priced per unit as given.
      dosage = { amount: parseDose("1 units").amount, unit: "units" };
    }
    rows.set(hcpcs, { hcpcs, description: v["Short Description"] ?? "", dosage, dosageText, paymentLimit: limit.toUpperCase() === "N/A" ? null : limit, coinsurancePercent: coins, quarter });
  }
  if (rows.size === 0) throw new BadInputError(`${source}: no HCPCS rows`, { code: "INVALID_DATA_FILE", details: { source } });
  return { quarter, effectiveFrom: from, effectiveTo: to, rows };
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

  /** The latest quarter's row for a code (catalogue facts such as the billing unit). */
  latest(hcpcs: string): AspRow | null {
    for (let i = this.quarters.length - 1; i >= 0; i -= 1) {
      const row = this.quarters[i]?.rows.get(hcpcs);
      if (row !== undefined) return row;
    }
    return null;
  }
}

/** Loads ASP files (the shipped 2026 Q1 file by default). */
export function loadAspPricing(files: string[] = [path.join(codingDataDir(), "asp-payment-limits-2026-q1.csv")]): AspPricing {
  return new AspPricing(files.map((f) => parseAspFile(readDataFile(f), path.basename(f))));
}
