/**
 * A CMS quarterly file as a clinic downloads it — the ASP payment-limit file or the ASP NDC–HCPCS
 * crosswalk — validated in full before anything is written: decoded, checked for what a database
 * cannot store, parsed by its own strict parser (`asp-pricing.ts`, `ndc.ts`), and, when the caller
 * names the quarter it means to load, checked against the quarter the file states.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { BadInputError } from "../errors.js";
import { parseAspFile, type AspQuarter } from "./asp-pricing.js";
import { decodeDataFile } from "./csv-file.js";
import { parseCrosswalkFile, type CrosswalkQuarter, type SkippedRow } from "./ndc.js";
import { quarterLabel, type QuarterSpan } from "./quarters.js";

/** The two quarterly files. */
export const CmsFileKind = z.enum(["asp", "crosswalk"]).describe("asp: the payment-limit file; crosswalk: the ASP NDC–HCPCS crosswalk");
export type CmsFileKind = z.infer<typeof CmsFileKind>;

/** What people call each file (in messages and alerts). */
export const CMS_FILE_NAMES: Record<CmsFileKind, string> = { asp: "ASP file", crosswalk: "ASP NDC-HCPCS crosswalk" };

/** A validated file, ready to store. */
export type ParsedCmsFile = QuarterSpan & {
  source: string;
  /** SHA-256 of the file's bytes (hex): the same download imports once. */
  sha256: string;
  text: string;
  rows: number;
  skipped: SkippedRow[];
} & ({ kind: "asp"; asp: AspQuarter } | { kind: "crosswalk"; crosswalk: CrosswalkQuarter });

/** Validates a downloaded file of `kind`; `expectedQuarter` (`2026Q4`), when given, must be the file's. */
export function parseCmsFile(kind: CmsFileKind, bytes: Uint8Array, source: string, expectedQuarter?: string): ParsedCmsFile {
  const text = decodeDataFile(bytes);
  const nul = text.indexOf("\u0000");
  if (nul !== -1) {
    const line = text.slice(0, nul).split("\n").length;
    throw new BadInputError(`${source} line ${line}: a NUL byte; a CMS file is text (CSV), not binary (is it still zipped?)`, {
      code: "INVALID_DATA_FILE", details: { source, line, column: "(file)" },
    });
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const span = (q: QuarterSpan) => ({ quarter: q.quarter, effectiveFrom: q.effectiveFrom, effectiveTo: q.effectiveTo, source, sha256, text });
  let parsed: ParsedCmsFile;
  if (kind === "asp") {
    const asp = parseAspFile(text, source);
    parsed = { ...span(asp), kind, asp, rows: asp.rows.size, skipped: [] };
  } else {
    const crosswalk = parseCrosswalkFile(text, source);
    parsed = { ...span(crosswalk), kind, crosswalk, rows: crosswalk.entries.length, skipped: crosswalk.skipped };
  }
  if (expectedQuarter !== undefined && parsed.quarter !== expectedQuarter) {
    throw new BadInputError(`${source}: the preamble says ${quarterLabel(parsed.quarter)} (${parsed.effectiveFrom} through ${parsed.effectiveTo}), not ${quarterLabel(expectedQuarter)} as asked`, {
      code: "INVALID_DATA_FILE", details: { source, column: "preamble", quarter: parsed.quarter, expectedQuarter },
    });
  }
  return parsed;
}
