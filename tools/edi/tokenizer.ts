/**
 * The X12 tokenizer. Delimiters come from the fixed-width ISA header (X12.5: element separator
 * at offset 3, repetition separator at 82 (ISA11), component separator at 104 (ISA16), segment
 * terminator at 105); each ISA in a file sets them for its interchange. CR/LF and blanks between
 * segments are tolerated. Scanning uses indexOf, never a regex over the whole input.
 */
import { BadInputError } from "../errors.js";

/** The four delimiters of an interchange. */
export interface Delimiters {
  element: string;
  repetition: string;
  component: string;
  segment: string;
}

/** One segment: its id, its elements (elements[0] is element 01), where it is. */
export interface Segment {
  id: string;
  elements: string[];
  /** 0-based position among the file's segments. */
  index: number;
  /** Byte (character) offset of the segment's first character. */
  offset: number;
  delimiters: Delimiters;
}

/** Raised when input cannot be read as X12 at all (no ISA, truncated or malformed header). */
export class NotX12Error extends BadInputError {
  constructor(message: string, offset: number) {
    super(message, { code: "INVALID_X12", details: { byteOffset: offset } });
  }
}

const ISA_LENGTH = 106;

/** Reads the delimiters of the ISA starting at `at`; throws NotX12Error when it is not a valid header. */
export function readIsaDelimiters(text: string, at: number): Delimiters {
  if (text.length - at < ISA_LENGTH) throw new NotX12Error(`ISA header truncated: ${text.length - at} of 106 characters`, at);
  if (text.charCodeAt(at) !== 73 || text.charCodeAt(at + 1) !== 83 || text.charCodeAt(at + 2) !== 65) {
    throw new NotX12Error("Input does not start with an ISA header", at);
  }
  const d: Delimiters = { element: text[at + 3] ?? "", repetition: text[at + 82] ?? "", component: text[at + 104] ?? "", segment: text[at + 105] ?? "" };
  const header = text.slice(at, at + ISA_LENGTH - 1);
  const parts = header.split(d.element);
  if (parts.length !== 17) throw new NotX12Error(`ISA header has ${parts.length - 1} elements, expected 16 (fixed width 106)`, at);
  // The fixed widths: a shifted header puts the wrong characters where the delimiters are read.
  const widths = [3, 2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];
  const bad = parts.findIndex((p, i) => p.length !== widths[i]);
  if (bad !== -1) throw new NotX12Error(`ISA${String(bad).padStart(2, "0")} is ${parts[bad]?.length ?? 0} characters, the fixed width is ${widths[bad]}`, at);
  if (!/^\d{9}$/.test(parts[13] ?? "")) throw new NotX12Error("ISA13 (interchange control number) must be 9 digits", at);
  if (/[A-Za-z0-9]/.test(d.element) || /[A-Za-z0-9]/.test(d.segment) || /[A-Za-z0-9]/.test(d.component)) {
    throw new NotX12Error("ISA delimiters must not be letters or digits", at);
  }
  if (new Set([d.element, d.component, d.segment]).size !== 3) throw new NotX12Error("ISA element, component and segment delimiters must differ", at);
  return d;
}

const isSpace = (c: number) => c === 10 || c === 13 || c === 32 || c === 9 || c === 0xfeff;

/**
 * Iterates a file's segments lazily (memory stays bounded for large files).
 * Throws NotX12Error when the input does not begin with a valid ISA.
 */
export function* iterateSegments(text: string): Generator<Segment> {
  let pos = 0;
  while (pos < text.length && isSpace(text.charCodeAt(pos))) pos += 1;
  let delimiters = readIsaDelimiters(text, pos);
  let index = 0;
  while (pos < text.length) {
    while (pos < text.length && isSpace(text.charCodeAt(pos))) pos += 1;
    if (pos >= text.length) break;
    // A new interchange may bring its own delimiters.
    if (text.charCodeAt(pos) === 73 && text.startsWith("ISA", pos) && index > 0) {
      const next = text[pos + 3];
      if (next !== undefined && !/[A-Za-z0-9]/.test(next)) delimiters = readIsaDelimiters(text, pos);
    }
    let end = text.indexOf(delimiters.segment, pos);
    if (end === -1) end = text.length;
    let raw = text.slice(pos, end);
    // With a line feed as terminator, a CR before it belongs to the line break, not the data.
    if (delimiters.segment === "\n" && raw.endsWith("\r")) raw = raw.slice(0, -1);
    if (raw.length > 0) {
      const parts = raw.split(delimiters.element);
      const id = parts.shift() ?? "";
      yield { id, elements: parts, index, offset: pos, delimiters };
      index += 1;
    }
    pos = end + 1;
  }
}

/** All segments of a file, and the delimiters of its first interchange. */
export function tokenize(text: string): { delimiters: Delimiters; segments: Segment[] } {
  const segments = [...iterateSegments(text)];
  const first = segments[0];
  if (first === undefined) throw new NotX12Error("No segments", 0);
  return { delimiters: first.delimiters, segments };
}

/** Element n (1-based) of a segment, or "" when absent. */
export function el(segment: Segment, n: number): string {
  return segment.elements[n - 1] ?? "";
}

/** The components of element n (1-based). */
export function components(segment: Segment, n: number): string[] {
  const value = el(segment, n);
  return value === "" ? [] : value.split(segment.delimiters.component);
}

/** The repetitions of element n (1-based). */
export function repetitions(segment: Segment, n: number): string[] {
  const value = el(segment, n);
  return value === "" ? [] : value.split(segment.delimiters.repetition);
}
