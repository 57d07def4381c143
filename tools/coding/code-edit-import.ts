/**
 * An NCCI PTP or MUE file as a clinic downloads it from CMS, validated in full before anything is
 * written (see code-edit-files.ts for the layouts): decoded, parsed strictly, and placed — its
 * quarter (CMS's NCCI files do not state it in a form a program can rely on, so the importer names
 * it), its setting (from the MUE table's header, the file's name `ccipra`/`ccioph`, or the
 * importer), and its part (`-f1` … in CMS's part names).
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { BadInputError } from "../errors.js";
import { parseMueFile, parsePtpFile, type EditSetting, type Mue, type NcciPair } from "./code-edit-files.js";
import { decodeDataFile } from "./csv-file.js";
import { isQuarterName, quarterSpan, type QuarterSpan } from "./quarters.js";

/** The two NCCI files. */
export const CodeEditFileKind = z.enum(["ncci-ptp", "mue"]).describe("ncci-ptp: NCCI procedure-to-procedure edits; mue: medically unlikely edits");
export type CodeEditFileKind = z.infer<typeof CodeEditFileKind>;

/** The setting a table applies to. */
export const EditSettingSchema = z.enum(["practitioner", "hospital"]).describe("practitioner: 837P (office); hospital: outpatient hospital, 837I");

/** Where a file goes. */
export interface CodeEditPlacement {
  /** The quarter it is CMS's file for, e.g. 2026Q4 (required). */
  quarter: string;
  setting?: EditSetting;
  /** f1…f4 for a part of a split PTP table; from the file name when not given. */
  part?: string;
}

/** A validated file, ready to store. */
export type ParsedCodeEditFile = QuarterSpan & {
  setting: EditSetting;
  part: string;
  source: string;
  sha256: string;
  text: string;
  rows: number;
} & ({ kind: "ncci-ptp"; pairs: NcciPair[] } | { kind: "mue"; mues: Mue[] });

const refuse = (source: string, column: string, message: string): never => {
  throw new BadInputError(`${source}: ${message}`, { code: "INVALID_DATA_FILE", details: { source, column } });
};

/** The setting a CMS file name implies: `ccipra-…` practitioner, `ccioph-…` hospital outpatient. */
export function settingFromName(source: string): EditSetting | null {
  const name = source.toLowerCase();
  if (/ccipra|practitioner/.test(name)) return "practitioner";
  if (/ccioph|outpatient|hospital|facility/.test(name)) return "hospital";
  return null;
}

/** Validates a downloaded NCCI PTP or MUE file of `kind` for `placement`. */
export function parseCodeEditFile(kind: CodeEditFileKind, bytes: Uint8Array, source: string, placement: CodeEditPlacement): ParsedCodeEditFile {
  if (!isQuarterName(placement.quarter)) refuse(source, "quarter", `the quarter must be named like 2026Q4, not "${placement.quarter}"`);
  const text = decodeDataFile(bytes);
  const nul = text.indexOf("\u0000");
  if (nul !== -1) {
    const line = text.slice(0, nul).split("\n").length;
    throw new BadInputError(`${source} line ${line}: a NUL byte; a CMS NCCI file is text (tab-delimited or CSV), not binary (is it still zipped, or the .xlsx?)`, {
      code: "INVALID_DATA_FILE", details: { source, line, column: "(file)" },
    });
  }
  const base = { ...quarterSpan(placement.quarter), source, sha256: createHash("sha256").update(bytes).digest("hex"), text };
  const fromName = /-(f\d{1,2})\.[a-z]+$/i.exec(source)?.[1]?.toLowerCase() ?? "";
  if (kind === "ncci-ptp") {
    const part = placement.part ?? fromName;
    if (!/^(f\d{1,2})?$/.test(part)) refuse(source, "part", `the part must be f1, f2 … (CMS's part names), not "${part}"`);
    const pairs = parsePtpFile(text, source);
    const setting = placement.setting ?? settingFromName(source) ?? refuse(source, "setting", "say which setting the PTP file is for (practitioner or hospital): its name does not say (CMS names them ccipra-… and ccioph-…)");
    return { ...base, kind, setting, part, pairs, rows: pairs.length };
  }
  if (placement.part !== undefined && placement.part !== "") refuse(source, "part", "an MUE table is one file; it has no parts");
  const { mues, setting: named } = parseMueFile(text, source);
  if (placement.setting !== undefined && named !== null && named !== placement.setting) {
    refuse(source, "MUE Values", `the header names the ${named === "hospital" ? "Outpatient Hospital" : "Practitioner"} Services table, not the ${placement.setting} one asked for`);
  }
  const setting = named ?? placement.setting ?? settingFromName(source) ?? refuse(source, "setting", "say which setting the MUE table is for (practitioner or hospital): its header and name do not say");
  return { ...base, kind, setting, part: "", mues, rows: mues.length };
}
