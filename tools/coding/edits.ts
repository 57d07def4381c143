/**
 * CMS code edits loaded as data: NCCI procedure-to-procedure pairs (a column-2 code is bundled
 * into column 1 unless its modifier indicator allows an NCCI-associated modifier that is present)
 * and MUEs (maximum units per day per code). The checker names the rule that fired.
 */
import path from "node:path";
import { parseMueFile, parsePtpFile, type EditSetting, type Mue, type NcciPair } from "./code-edit-files.js";
import { readDataFile } from "./csv-file.js";
import { codingDataDir } from "./data-files.js";
import { chooseQuarter, type QuarterSpan } from "./quarters.js";

export type { EditSetting, Mue, NcciPair } from "./code-edit-files.js";
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
  /** The file and quarter the edit comes from (its row is `detail.line`). */
  edition: EditEdition;
}

/** NCCI-associated modifiers that bypass an indicator-1 pair. */
const NCCI_MODIFIERS = new Set(["59", "XE", "XP", "XS", "XU", "91", "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "LT", "RT", "LC", "LD", "RC", "LM", "RI", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "24", "25", "57", "27", "79"]);

/** Parses a PTP file in CMS's layouts or the sample's (see code-edit-files.ts). */
export function parseNcci(text: string, source: string): NcciPair[] {
  return parsePtpFile(text, source);
}

/** Parses an MUE file in CMS's layouts or the sample's (see code-edit-files.ts). */
export function parseMue(text: string, source: string): Mue[] {
  return parseMueFile(text, source).mues;
}

/** One imported quarter of PTP edits for a setting (a file, or the parts CMS splits it into). */
export interface PtpQuarter extends QuarterSpan {
  setting: EditSetting;
  /** The files it came from, e.g. ccipra-v324r0-f1.txt. */
  sources: string[];
  pairs: NcciPair[];
}

/** One imported quarter of MUEs for a setting. */
export interface MueQuarter extends QuarterSpan {
  setting: EditSetting;
  sources: string[];
  mues: Map<string, Mue>;
}

/** The quarters imported from CMS's files, each list oldest first. */
export interface ImportedEdits {
  ptp: PtpQuarter[];
  mue: MueQuarter[];
}

/** Which edits a date of service is checked against (the rule a finding cites). */
export interface EditEdition {
  /** The imported quarter used; null when the shipped sample is. */
  quarter: string | null;
  /** The quarter in force on the date of service. */
  quarterInForce: string;
  setting: EditSetting;
  /** The CMS files (or the sample file) the edits come from. */
  sources: string[];
  /** True when the quarter in force is not imported and an earlier one is used. */
  stale: boolean;
  /** True when these are the shipped samples, not CMS's files. */
  sample: boolean;
}

const SAMPLE_PTP = "ncci-ptp-sample.csv";
const SAMPLE_MUE = "mue-sample.csv";

/** Whether a pair applies on a date: from its effective date up to, not including, its deletion date. */
export const pairInForce = (p: NcciPair, dateOfService: string): boolean => p.effective <= dateOfService && (p.deleted === null || dateOfService < p.deleted);

const pairKey = (column1: string, column2: string) => `${column1} ${column2}`;

function indexPairs(pairs: NcciPair[]): Map<string, NcciPair[]> {
  const index = new Map<string, NcciPair[]>();
  for (const p of pairs) {
    const k = pairKey(p.column1, p.column2);
    const list = index.get(k);
    if (list === undefined) index.set(k, [p]);
    else list.push(p);
  }
  return index;
}

/**
 * The loaded edits and the checker. Each date of service is checked against the edits in force
 * that day (CMS: an edit applies to dates of service from its effective date; the deletion date is
 * the first on which it no longer applies — a pair deleted on the day it took effect never applied):
 * the imported quarter for the claim's setting whose dates hold the date of service; when that
 * quarter is not imported, the latest imported quarter that began before it (stale); when none
 * did, the shipped sample. `pairs`, `mues` and `sample` describe the sample (or the files
 * `loadCodeEdits` was given).
 */
export class CodeEdits {
  private readonly sampleIndex: Map<string, NcciPair[]>;
  private readonly quarterIndex = new WeakMap<PtpQuarter, Map<string, NcciPair[]>>();

  constructor(
    readonly pairs: NcciPair[], readonly mues: Map<string, Mue>, readonly sample: boolean,
    readonly imported: ImportedEdits = { ptp: [], mue: [] },
    private readonly sampleSources: { ptp: string; mue: string } = { ptp: SAMPLE_PTP, mue: SAMPLE_MUE },
  ) {
    this.sampleIndex = indexPairs(pairs);
  }

  /** The same base edits with other imported quarters (after an import). */
  withImported(imported: ImportedEdits): CodeEdits {
    return new CodeEdits(this.pairs, this.mues, this.sample, imported, this.sampleSources);
  }

  /** The PTP edits a date of service is checked against, and where they come from. */
  ptpEdition(dateOfService: string, setting: EditSetting = "practitioner"): EditEdition & { index: Map<string, NcciPair[]> } {
    const choice = chooseQuarter(this.imported.ptp.filter((q) => q.setting === setting), dateOfService);
    if (choice.chosen === null) return { ...this.sampleEdition(choice.inForce, setting, this.sampleSources.ptp), index: this.sampleIndex };
    const q = choice.chosen;
    let index = this.quarterIndex.get(q);
    if (index === undefined) {
      index = indexPairs(q.pairs);
      this.quarterIndex.set(q, index);
    }
    return { quarter: q.quarter, quarterInForce: choice.inForce, setting, sources: q.sources, stale: choice.stale, sample: false, index };
  }

  /** The MUEs a date of service is checked against, and where they come from. */
  mueEdition(dateOfService: string, setting: EditSetting = "practitioner"): EditEdition & { mues: Map<string, Mue> } {
    const choice = chooseQuarter(this.imported.mue.filter((q) => q.setting === setting), dateOfService);
    if (choice.chosen === null) return { ...this.sampleEdition(choice.inForce, setting, this.sampleSources.mue), mues: this.mues };
    const q = choice.chosen;
    return { quarter: q.quarter, quarterInForce: choice.inForce, setting, sources: q.sources, stale: choice.stale, sample: false, mues: q.mues };
  }

  /** The PTP edit for column 1 / column 2 in force on the date of service, if any. */
  pairOn(column1: string, column2: string, dateOfService: string, setting: EditSetting = "practitioner"): NcciPair | undefined {
    return this.ptpEdition(dateOfService, setting).index.get(pairKey(column1, column2))?.find((p) => pairInForce(p, dateOfService));
  }

  /** Every PTP edit in force on the date of service. */
  pairsOn(dateOfService: string, setting: EditSetting = "practitioner"): NcciPair[] {
    return [...this.ptpEdition(dateOfService, setting).index.values()].flat().filter((p) => pairInForce(p, dateOfService));
  }

  /** The MUE for a code in force on the date of service, if any. */
  mueOn(code: string, dateOfService: string, setting: EditSetting = "practitioner"): Mue | undefined {
    return this.mueEdition(dateOfService, setting).mues.get(code);
  }

  /** Violations among lines (grouped by date of service), each against the edits in force that day. */
  check(lines: EditLine[], setting: EditSetting = "practitioner"): EditViolation[] {
    const out: EditViolation[] = [];
    const byDate = new Map<string, EditLine[]>();
    for (const l of lines) byDate.set(l.dateOfService, [...(byDate.get(l.dateOfService) ?? []), l]);
    for (const [dos, list] of byDate) {
      const { index, ...ptpEdition } = this.ptpEdition(dos, setting);
      const seen = new Set<string>();
      for (const col1 of list) {
        for (const col2 of list) {
          if (col1.code === col2.code || seen.has(pairKey(col1.code, col2.code))) continue;
          const p = index.get(pairKey(col1.code, col2.code))?.find((e) => pairInForce(e, dos));
          if (p === undefined) continue;
          seen.add(pairKey(col1.code, col2.code));
          const column2Lines = list.filter((l) => l.code === p.column2);
          const bypass = p.modifierIndicator === "1" && column2Lines.some((l) => l.modifiers.some((m) => NCCI_MODIFIERS.has(m)));
          if (bypass || p.modifierIndicator === "9") continue;
          out.push({
            rule: "NCCI_PTP", codes: [p.column1, p.column2], dateOfService: dos, detail: p, edition: ptpEdition,
            message: p.modifierIndicator === "0"
              ? `NCCI: ${p.column2} is never payable with ${p.column1} (modifier indicator 0) — ${p.rationale}`
              : `NCCI: ${p.column2} is bundled into ${p.column1} unless a distinct-service modifier (59/XU …) is documented — ${p.rationale}`,
          });
        }
      }
      const { mues, ...mueEdition } = this.mueEdition(dos, setting);
      const units = new Map<string, number>();
      for (const l of list) units.set(l.code, (units.get(l.code) ?? 0) + l.units);
      for (const [code, total] of units) {
        const mue = mues.get(code);
        if (mue !== undefined && total > mue.maxUnits) {
          out.push({
            rule: "MUE", codes: [code], dateOfService: dos, detail: mue, edition: mueEdition,
            message: `MUE: ${total} units of ${code} on ${dos} exceed ${mue.maxUnits} (adjudication indicator ${mue.adjudicationIndicator}) — ${mue.rationale}`,
          });
        }
      }
    }
    return out;
  }

  private sampleEdition(quarterInForce: string, setting: EditSetting, source: string): EditEdition {
    return { quarter: null, quarterInForce, setting, sources: [source], stale: false, sample: this.sample };
  }
}

/** Loads NCCI and MUE files (the shipped samples by default). */
export function loadCodeEdits(files: { ncci?: string; mue?: string } = {}): CodeEdits {
  const ncciFile = files.ncci ?? path.join(codingDataDir(), SAMPLE_PTP);
  const mueFile = files.mue ?? path.join(codingDataDir(), SAMPLE_MUE);
  const mues = parseMue(readDataFile(mueFile), path.basename(mueFile));
  return new CodeEdits(
    parseNcci(readDataFile(ncciFile), path.basename(ncciFile)), new Map(mues.map((m) => [m.code, m])), files.ncci === undefined || files.mue === undefined,
    { ptp: [], mue: [] }, { ptp: path.basename(ncciFile), mue: path.basename(mueFile) },
  );
}
