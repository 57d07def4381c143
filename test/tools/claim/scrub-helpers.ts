/** Helpers for the scrubber tests: the shipped tables loaded once, findings by code. */
import { loadCodingTables } from "../../../tools/coding/coding-tables.js";
import { scrubVisit, type ScrubResult } from "../../../tools/claim/scrub/index.js";
import type { Finding } from "../../../tools/claim/scrub/finding.js";
import type { VisitRecord } from "../../../tools/claim/visit-record.js";

export const tables = loadCodingTables();

export const scrub = (record: VisitRecord): ScrubResult => scrubVisit(record, tables);

/** The codes found, in order. */
export const codesOf = (r: ScrubResult): string[] => r.findings.map((f) => f.code);

/** The one finding of a code (fails the test when there is not exactly one). */
export function one(r: ScrubResult, code: string): Finding {
  const found = r.findings.filter((f) => f.code === code);
  if (found.length !== 1) throw new Error(`expected one ${code}, found ${found.length}: ${JSON.stringify(r.findings.map((f) => [f.code, f.rationale]))}`);
  return found[0] as Finding;
}

/** A corrected line by its line control number (the charge id). */
export const correctedLine = (r: ScrubResult, id: string) => r.corrected.lines.find((l) => l.lineControlNumber === id);
