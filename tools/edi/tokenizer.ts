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
  readonly id: string;
  readonly elements: string[];
  /** 0-based position among the file's segments. */
  readonly index: number;
  /** Byte (character) offset of the segment's first character. */
  readonly offset: number;
  readonly delimiters: Delimiters;
}

/** A scanned segment; its elements are split on first use (readers skip many segments). */
class ScannedSegment implements Segment {
  private split: string[] | undefined;

  constructor(
    readonly id: string,
    private readonly body: string,
    readonly index: number,
    readonly offset: number,
    readonly delimiters: Delimiters,
  ) {}

  get elements(): string[] {
    this.split ??= this.body === "" ? [] : this.body.split(this.delimiters.element);
    return this.split;
  }
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
 * Reads a file's segments one at a time (memory stays bounded for large files). A plain cursor
 * rather than a generator: the hot loop of every reader runs through it.
 * The constructor throws NotX12Error when the input does not begin with a valid ISA.
 */
export class SegmentScanner {
  /** Where the next window starts. */
  private pos = 0;
  private index = 0;
  private delimiters: Delimiters;
  /** The current window split at segment terminators, and where each piece starts. */
  private pieces: string[] = [];
  private pieceAt = 0;
  private windowStart = 0;
  private offsetInWindow = 0;

  constructor(private readonly text: string) {
    while (this.pos < text.length && isSpace(text.charCodeAt(this.pos))) this.pos += 1;
    this.delimiters = readIsaDelimiters(text, this.pos);
  }

  /** The next segment, or null at the end. */
  next(): Segment | null {
    for (;;) {
      if (this.pieceAt >= this.pieces.length && !this.fill()) return null;
      const piece = this.pieces[this.pieceAt] as string;
      this.pieceAt += 1;
      const start = this.windowStart + this.offsetInWindow;
      this.offsetInWindow += piece.length + 1;
      let lead = 0;
      while (lead < piece.length && isSpace(piece.charCodeAt(lead))) lead += 1;
      if (lead === piece.length) continue;
      let raw = piece;
      // A new interchange may bring its own delimiters: re-split the rest of the input.
      if (this.index > 0 && raw.charCodeAt(lead) === 73 && raw.charCodeAt(lead + 1) === 83 && raw.charCodeAt(lead + 2) === 65) {
        const next = raw[lead + 3];
        const at = start + lead;
        if (next !== undefined && !/[A-Za-z0-9]/.test(next)) {
          const d = readIsaDelimiters(this.text, at);
          if (d.segment !== this.delimiters.segment || d.element !== this.delimiters.element) {
            this.delimiters = d;
            this.pos = at;
            this.pieces = [];
            this.pieceAt = 0;
            continue;
          }
          this.delimiters = d;
        }
      }
      const d = this.delimiters;
      // With a line feed as terminator, a CR before it belongs to the line break, not the data.
      if (d.segment === "\n" && raw.endsWith("\r")) raw = raw.slice(0, -1);
      const cut = raw.indexOf(d.element, lead);
      const id = cut === -1 ? raw.slice(lead) : raw.slice(lead, cut);
      const segment = new ScannedSegment(id, cut === -1 ? "" : raw.slice(cut + 1), this.index, start + lead, d);
      this.index += 1;
      return segment;
    }
  }

  /** Splits the next window (about 1 MiB, ending at a terminator) into pieces. */
  private fill(): boolean {
    const text = this.text;
    if (this.pos >= text.length) return false;
    const d = this.delimiters.segment;
    let end = Math.min(this.pos + 1_048_576, text.length);
    if (end < text.length) {
      const cut = text.lastIndexOf(d, end);
      // A segment longer than the window: extend the window to its terminator (one scan, not two).
      const next = cut >= this.pos ? -1 : text.indexOf(d, end);
      end = cut >= this.pos ? cut + 1 : next === -1 ? text.length : next + 1;
    }
    const window = text.slice(this.pos, end);
    this.windowStart = this.pos;
    this.offsetInWindow = 0;
    this.pieces = window.split(d);
    // The piece after a trailing terminator is empty; keep it harmless.
    this.pieceAt = 0;
    this.pos = end;
    return true;
  }
}

/** Iterates a file's segments (convenience over SegmentScanner). */
export function* iterateSegments(text: string): Generator<Segment> {
  const scanner = new SegmentScanner(text);
  for (let s = scanner.next(); s !== null; s = scanner.next()) yield s;
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
