/**
 * CMS code edits loaded as data: NCCI procedure-to-procedure pairs (a column-2 code is bundled
 * into column 1 unless its modifier indicator allows an NCCI-associated modifier that is present)
 * and MUEs (maximum units per day per code). The checker names the rule that fired.
 */
import path from "node:path";
import { badRow, readCsvWithPreamble, readDataFile } from "./csv-file.js";
import { codingDataDir } from "./data-files.js";
import { isoDate } from "../edi/values.js";

/** One PTP pair. */
export interface NcciPair {
  column1: string;
  column2: string;
  effective: string;
  deleted: string | null;
  modifierIndicator: "0" | "1" | "9";
  rationale: string;
}

/** One MUE. */
export interface Mue {
  code: string;
  maxUnits: number;
  adjudicationIndicator: "1" | "2" | "3";
  rationale: string;
}

/** A line to check. */
export interface EditLine {
  code: string;
  modifiers: string[];
  units: number;
  dateOfService: string;
}

/** A violated edit. */
export interface EditViolation {
  rule: "NCCI_PTP" | "MUE";
  codes: string[];
  dateOfService: string;
  message: string;
  detail: NcciPair | Mue;
}

/** NCCI-associated modifiers that bypass an indicator-1 pair. */
const NCCI_MODIFIERS = new Set(["59", "XE", "XP", "XS", "XU", "91", "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "LT", "RT", "LC", "LD", "RC", "LM", "RI", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "24", "25", "57", "27", "79"]);

const d8iso = (v: string) => (v === "" || v === "*" ? null : isoDate(v));

export function parseNcci(text: string, source: string): NcciPair[] {
  return readCsvWithPreamble(text, source, "Column 1").map((row) => {
    const v = row.values;
    const effective = d8iso(v["Effective Date"] ?? "");
    if (effective === null) badRow(source, row, "Effective Date", `"${v["Effective Date"] ?? ""}" is not CCYYMMDD`);
    const indicator = v["Modifier Indicator"] ?? "";
    if (indicator !== "0" && indicator !== "1" && indicator !== "9") badRow(source, row, "Modifier Indicator", `"${indicator}" is not 0, 1 or 9`);
    return { column1: v["Column 1"] ?? "", column2: v["Column 2"] ?? "", effective, deleted: d8iso(v["Deletion Date"] ?? ""), modifierIndicator: indicator, rationale: v.Rationale ?? "" };
  });
}

export function parseMue(text: string, source: string): Mue[] {
  return readCsvWithPreamble(text, source, "HCPCS/CPT Code").map((row) => {
    const v = row.values;
    const max = Number(v["MUE Values"]);
    if (!Number.isInteger(max) || max < 0) badRow(source, row, "MUE Values", `"${v["MUE Values"] ?? ""}" is not a whole number`);
    const mai = (v["MUE Adjudication Indicator"] ?? "").slice(0, 1);
    if (mai !== "1" && mai !== "2" && mai !== "3") badRow(source, row, "MUE Adjudication Indicator", `"${v["MUE Adjudication Indicator"] ?? ""}" is not 1, 2 or 3`);
    return { code: v["HCPCS/CPT Code"] ?? "", maxUnits: max, adjudicationIndicator: mai, rationale: v["MUE Rationale"] ?? "" };
  });
}

/** The loaded edits and the checker. */
export class CodeEdits {
  constructor(readonly pairs: NcciPair[], readonly mues: Map<string, Mue>, readonly sample: boolean) {}

  /** Violations among lines (grouped by date of service). */
  check(lines: EditLine[]): EditViolation[] {
    const out: EditViolation[] = [];
    const byDate = new Map<string, EditLine[]>();
    for (const l of lines) byDate.set(l.dateOfService, [...(byDate.get(l.dateOfService) ?? []), l]);
    for (const [dos, list] of byDate) {
      for (const p of this.pairs) {
        if (dos < p.effective || (p.deleted !== null && dos > p.deleted)) continue;
        const col1 = list.find((l) => l.code === p.column1);
        const col2 = list.find((l) => l.code === p.column2);
        if (col1 === undefined || col2 === undefined) continue;
        const bypass = p.modifierIndicator === "1" && col2.modifiers.some((m) => NCCI_MODIFIERS.has(m));
        if (bypass || p.modifierIndicator === "9") continue;
        out.push({
          rule: "NCCI_PTP", codes: [p.column1, p.column2], dateOfService: dos, detail: p,
          message: p.modifierIndicator === "0"
            ? `NCCI: ${p.column2} is never payable with ${p.column1} (modifier indicator 0) — ${p.rationale}`
            : `NCCI: ${p.column2} is bundled into ${p.column1} unless a distinct-service modifier (59/XU …) is documented — ${p.rationale}`,
        });
      }
      const units = new Map<string, number>();
      for (const l of list) units.set(l.code, (units.get(l.code) ?? 0) + l.units);
      for (const [code, total] of units) {
        const mue = this.mues.get(code);
        if (mue !== undefined && total > mue.maxUnits) {
          out.push({ rule: "MUE", codes: [code], dateOfService: dos, detail: mue, message: `MUE: ${total} units of ${code} on ${dos} exceed ${mue.maxUnits} (adjudication indicator ${mue.adjudicationIndicator}) — ${mue.rationale}` });
        }
      }
    }
    return out;
  }
}

/** Loads NCCI and MUE files (the shipped samples by default). */
export function loadCodeEdits(files: { ncci?: string; mue?: string } = {}): CodeEdits {
  const ncciFile = files.ncci ?? path.join(codingDataDir(), "ncci-ptp-sample.csv");
  const mueFile = files.mue ?? path.join(codingDataDir(), "mue-sample.csv");
  const mues = parseMue(readDataFile(mueFile), path.basename(mueFile));
  return new CodeEdits(parseNcci(readDataFile(ncciFile), path.basename(ncciFile)), new Map(mues.map((m) => [m.code, m])), files.ncci === undefined || files.mue === undefined);
}
