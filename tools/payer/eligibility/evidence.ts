/** How the interpretation names the segments it used: in staff messages and as evidence. */
import type { Benefit, DateEntry, EligibilitySubject, SegmentAt } from "../../edi/readers/eligibility-271.js";
import { EB01_NAMES, type EvidenceSegment } from "./interpretation.js";

/** " at segment 27 (byte 812)" — the file's segment index (0 = ISA) and byte offset; "" for an answer built in memory. */
export const at = (a: { index: number; offset: number } | undefined) => (a === undefined ? "" : ` at segment ${a.index} (byte ${a.offset})`);

/** An EB row for a message: its text, what EB01 means, where it is. */
export const rowText = (b: Benefit) => `${b.at?.text ?? `EB*${b.code}`} (${EB01_NAMES[b.code] ?? b.code})${at(b.at)}`;

/** A DTP for a message: its text and where it is. */
export const dtpText = (d: DateEntry) => `${d.at?.text ?? `DTP*${d.qualifier}`}${at(d.at)}`;

/** A date or a range, for a message. */
export const span = (d: { start: string; end: string }) => (d.start === d.end ? d.start : `${d.start} to ${d.end}`);

/** "the dependent SMITH, MARY". */
export const who = (s: EligibilitySubject) => `the ${s.level} ${[s.lastName, s.firstName].filter((x) => x !== null).join(", ") || "(no name)"}`;

/** Evidence for a segment read from a file (none for an answer built in memory). */
export function evidenceOf(a: SegmentAt | undefined, use: string): EvidenceSegment[] {
  return a === undefined ? [] : [{ segment: a.text, position: { index: a.index, offset: a.offset }, use }];
}
