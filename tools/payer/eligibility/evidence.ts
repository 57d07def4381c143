/** How the interpretation names the segments it used: in staff messages and as evidence. */
import type { Benefit, DateEntry, EligibilitySubject, SegmentAt } from "../../edi/readers/eligibility-271.js";
import { EB01_NAMES, type EvidenceSegment } from "./interpretation.js";

/** " at segment 14 of the 271 (byte 512)" — position in the transaction set (ST = 1) and bytes from its ST; "" for an answer built in memory. */
export const at = (a: { setPosition: number; setOffset: number } | undefined) => (a === undefined ? "" : ` at segment ${a.setPosition} of the 271 (byte ${a.setOffset})`);

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
  return a === undefined ? [] : [{ segment: a.text, position: { index: a.index, offset: a.offset, setPosition: a.setPosition, setOffset: a.setOffset }, use }];
}
