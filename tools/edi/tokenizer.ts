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
  /** Element n (1-based), or "" when absent: what `el` reads (`elements[n - 1]`, without making the array). */
  element(n: number): string;
  /** The length of element n (1-based), 0 when absent. */
  elementLength(n: number): number;
}

/**
 * Where the elements of the segment a scanner's segments split last are, and which of them have
 * been read as strings. Reused for every segment: splitting allocates nothing, and an element
 * becomes a string only when it is read, once however often it is read (by a reader, then by the
 * grammar check).
 */
interface SplitCache {
  segment: ScannedSegment | null;
  /** How many elements it has. */
  count: number;
  /**
   * bounds[0] is the separator before element 01, bounds[i] the end of element i (the separator
   * after it, or the end of the body for the last one). Grown as needed.
   */
  bounds: Int32Array;
  /** Elements read so far (undefined: not yet), by position (0 is element 01); reused. */
  strings: (string | undefined)[];
  /** The elements as one array, once asked for (`Segment.elements`). */
  elements: string[] | null;
}

/** Bodies longer than this have their separators found with indexOf (native) rather than a character loop. */
const LONG_BODY = 4096;

const newSplitCache = (): SplitCache => ({ segment: null, count: 0, bounds: new Int32Array(64), strings: [], elements: null });

/** Doubles the cache's bounds array (a segment with more elements than it had room for). */
function wider(cache: SplitCache): Int32Array {
  const bounds = new Int32Array(cache.bounds.length * 2);
  bounds.set(cache.bounds);
  cache.bounds = bounds;
  return bounds;
}

/** What the segments of one interchange share: the input, its delimiters, the scanner's split cache. */
interface ScanContext {
  readonly text: string;
  readonly delimiters: Delimiters;
  readonly cache: SplitCache;
}

/**
 * A scanned segment. It keeps where its elements are in the input rather than a copy of them, and
 * splits them on use (readers skip many segments). The split is remembered in a one-entry cache
 * shared by the scanner's segments, not in each segment: a transaction's segments are all held
 * until its SE and its reader, so whatever each one kept alive the garbage collector would copy,
 * while readers work one segment at a time. Going back to an earlier segment splits it again.
 */
class ScannedSegment implements Segment {
  constructor(
    readonly id: string,
    private readonly context: ScanContext,
    readonly index: number,
    readonly offset: number,
  ) {}

  get delimiters(): Delimiters {
    return this.context.delimiters;
  }

  get elements(): string[] {
    const cache = this.split();
    if (cache.elements === null) {
      const { text } = this.context;
      const { bounds, strings, count } = cache;
      const elements = new Array<string>(count);
      for (let i = 0; i < count; i += 1) elements[i] = strings[i] ?? text.slice((bounds[i] as number) + 1, bounds[i + 1]);
      cache.elements = elements;
    }
    return cache.elements;
  }

  /** Element n (1-based), or "" when absent. */
  element(n: number): string {
    const cache = this.split();
    if (n < 1 || n > cache.count) return "";
    const known = cache.strings[n - 1];
    if (known !== undefined) return known;
    const value = this.context.text.slice((cache.bounds[n - 1] as number) + 1, cache.bounds[n]);
    cache.strings[n - 1] = value;
    return value;
  }

  /** The length of element n (1-based), 0 when absent, without making a string of it. */
  elementLength(n: number): number {
    const cache = this.split();
    return n < 1 || n > cache.count ? 0 : (cache.bounds[n] as number) - (cache.bounds[n - 1] as number) - 1;
  }

  /** The split cache, holding this segment's split. */
  private split(): SplitCache {
    const { cache, text, delimiters } = this.context;
    if (cache.segment === this) return cache;
    cache.segment = this;
    cache.elements = null;
    // Strings of the previous segment go (not reallocated: the array is reused).
    const strings = cache.strings;
    for (let i = 0; i < cache.count; i += 1) strings[i] = undefined;
    cache.count = 0;
    // The body is found again rather than kept: it starts after the id when an element separator
    // follows it, and ends at the next terminator (less a CR before a line-feed terminator).
    const bodyStart = this.offset + this.id.length;
    const separator = delimiters.element.charCodeAt(0);
    if (text.charCodeAt(bodyStart) !== separator) return cache;
    let end = text.indexOf(delimiters.segment, bodyStart);
    if (end === -1) end = text.length;
    if (delimiters.segment === "\n" && text.charCodeAt(end - 1) === 13) end -= 1;
    if (bodyStart + 1 >= end) return cache;
    let bounds = cache.bounds;
    let k = 0;
    bounds[0] = bodyStart;
    if (end - bodyStart > LONG_BODY) {
      // A long body (hostile or not): the engine's indexOf scans far faster than a character loop,
      // so a 10 MB element costs a millisecond, however often it is split again.
      const sep = delimiters.element;
      for (let at = text.indexOf(sep, bodyStart + 1); at !== -1 && at < end; at = text.indexOf(sep, at + 1)) {
        k += 1;
        if (k + 1 >= bounds.length) bounds = wider(cache);
        bounds[k] = at;
      }
    } else {
      for (let i = bodyStart + 1; i < end; i += 1) {
        if (text.charCodeAt(i) === separator) {
          k += 1;
          if (k + 1 >= bounds.length) bounds = wider(cache);
          bounds[k] = i;
        }
      }
    }
    bounds[k + 1] = end;
    cache.count = k + 1;
    return cache;
  }
}

/**
 * text[from, end) split at a one-character separator (a composite's components, an element's
 * repetitions), read in place: about twice as fast as slicing and calling split, and never looks
 * past `end`. The array is made at its exact size (pushing onto [] reserves 17 slots), so reading
 * a large file leaves less for the garbage collector.
 */
function splitElements(text: string, from: number, end: number, separator: number): string[] {
  // A long body (hostile or not) is split by the engine's native split, which scans far faster
  // than a character loop: a 10 MB element then costs milliseconds, not tens of them.
  if (end - from > LONG_BODY) return text.slice(from, end).split(String.fromCharCode(separator));
  let count = 1;
  for (let i = from; i < end; i += 1) if (text.charCodeAt(i) === separator) count += 1;
  const elements = new Array<string>(count);
  let start = from;
  let k = 0;
  for (let i = from; i < end; i += 1) {
    if (text.charCodeAt(i) === separator) {
      elements[k] = text.slice(start, i);
      k += 1;
      start = i + 1;
    }
  }
  elements[k] = text.slice(start, end);
  return elements;
}

/**
 * Segment ids, one string each: a file has millions of segments but a few dozen ids. An id of up
 * to three ASCII characters is a number (its character codes), looked up in a direct-mapped table
 * (a slot per hash of that number, no Map), so a known id costs no string at all. Bounded: ids that
 * share a slot replace each other, so hostile input with many distinct ids gets a fresh string
 * each, never an unbounded table. Each id is kept internalized (`internalized`), so the readers'
 * `switch (s.id)` tells ids apart by reference rather than by their characters.
 */
const ID_SLOTS = 1024;
const ID_KEYS = new Int32Array(ID_SLOTS);
const ID_STRINGS = new Array<string>(ID_SLOTS).fill("");

function readId(text: string, start: number, end: number): string {
  const length = end - start;
  if (length < 1 || length > 3) return text.slice(start, end);
  let key = length;
  for (let i = start; i < end; i += 1) {
    const c = text.charCodeAt(i);
    if (c > 127) return text.slice(start, end);
    key = (key << 7) | c;
  }
  // Fibonacci hashing of the 23-bit key to 10 bits; a key is never 0, the empty slot's.
  const slot = Math.imul(key, 0x9e3779b1) >>> 22;
  if (ID_KEYS[slot] === key) return ID_STRINGS[slot] as string;
  const id = internalized(text.slice(start, end));
  ID_KEYS[slot] = key;
  ID_STRINGS[slot] = id;
  return id;
}

/** The engine's one copy of a string (the one its string literals and property names use). */
function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
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

/** Segments one at a time: `next()` until it gives null. */
export interface SegmentCursor {
  next(): Segment | null;
}

const isSpace = (c: number) => c === 10 || c === 13 || c === 32 || c === 9 || c === 0xfeff;

/**
 * Reads a file's segments one at a time (memory stays bounded for large files). A plain cursor
 * rather than a generator: the hot loop of every reader runs through it. Each segment is found
 * with indexOf on the input itself, with no window or piece copied out of it.
 * The constructor throws NotX12Error when the input does not begin with a valid ISA.
 */
export class SegmentScanner implements SegmentCursor {
  /** Where the next segment (or the blanks before it) starts. */
  private pos = 0;
  private index = 0;
  private context: ScanContext;
  /** The id and start of the segment `advance` last moved to. */
  private id = "";
  private start = 0;

  /**
   * From the start of `text`, or again from a segment this scanner's kind read earlier from the
   * same text (`from`: its offset, index and delimiters), to read a stretch of it a second time.
   */
  constructor(
    private readonly text: string,
    from?: Segment,
  ) {
    if (from !== undefined) {
      this.pos = from.offset;
      this.index = from.index;
      this.context = { text, delimiters: from.delimiters, cache: newSplitCache() };
      return;
    }
    while (this.pos < text.length && isSpace(text.charCodeAt(this.pos))) this.pos += 1;
    this.context = { text, delimiters: readIsaDelimiters(text, this.pos), cache: newSplitCache() };
  }

  /** The next segment, or null at the end. */
  next(): Segment | null {
    return this.advance() === null ? null : this.segment();
  }

  /**
   * Moves to the next segment and gives its id (null at the end) without making a Segment of it:
   * the envelope looks at every segment's id but needs the segment itself only for its own few.
   */
  advance(): string | null {
    const text = this.text;
    for (;;) {
      let start = this.pos;
      while (start < text.length && isSpace(text.charCodeAt(start))) start += 1;
      if (start >= text.length) {
        this.pos = start;
        return null;
      }
      // A new interchange may bring its own delimiters; its ISA is read at its fixed width.
      if (this.index > 0 && text.charCodeAt(start) === 73 && text.charCodeAt(start + 1) === 83 && text.charCodeAt(start + 2) === 65) {
        const next = text[start + 3];
        if (next !== undefined && !/[A-Za-z0-9]/.test(next)) this.context = { text, delimiters: readIsaDelimiters(text, start), cache: this.context.cache };
      }
      const d = this.context.delimiters;
      const terminator = text.indexOf(d.segment, start);
      let end = terminator === -1 ? text.length : terminator;
      this.pos = terminator === -1 ? text.length : terminator + d.segment.length;
      // With a line feed as terminator, a CR before it belongs to the line break, not the data.
      if (d.segment === "\n" && end > start && text.charCodeAt(end - 1) === 13) end -= 1;
      if (end === start) continue;
      // The id ends at the first element separator inside this segment (searched no further, so
      // segments without one cannot make the scan quadratic).
      const separator = d.element.charCodeAt(0);
      let idEnd = start;
      while (idEnd < end && text.charCodeAt(idEnd) !== separator) idEnd += 1;
      this.id = readId(text, start, idEnd);
      this.start = start;
      this.index += 1;
      return this.id;
    }
  }

  /** The segment `advance` moved to. */
  segment(): Segment {
    return new ScannedSegment(this.id, this.context, this.index - 1, this.start);
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
  return segment.element(n);
}

/** The components of element n (1-based). */
export function components(segment: Segment, n: number): string[] {
  const value = el(segment, n);
  return value === "" ? [] : splitElements(value, 0, value.length, segment.delimiters.component.charCodeAt(0));
}

/** The repetitions of element n (1-based). */
export function repetitions(segment: Segment, n: number): string[] {
  const value = el(segment, n);
  return value === "" ? [] : splitElements(value, 0, value.length, segment.delimiters.repetition.charCodeAt(0));
}
