/**
 * Envelope validation: ISA/IEA, GS/GE and ST/SE nesting, counts and control numbers. Walks the
 * segments once and yields each transaction set as it ends, so a large batch is read one
 * transaction at a time; a transaction's segments are read again from the input when its reader
 * walks them. Problems go to the issue sink as they are found.
 */
import { issueAt, type X12Issue } from "./issues.js";
import { SegmentScanner, el, type Segment, type SegmentCursor } from "./tokenizer.js";

/** A transaction set (ST … SE) with its envelope context. */
export interface Transaction {
  type: string;
  controlNumber: string;
  implementationRef: string;
  functionalId: string;
  groupControl: string;
  interchangeControl: string;
  /** The index of its ST among the file's segments. */
  readonly segmentIndex: number;
  /** ST through SE inclusive (SE absent when it is missing), read again from the input on first use and kept. */
  readonly segments: Segment[];
  /**
   * The same segments one at a time, read from the input as they are walked and not kept (the
   * kept array when `segments` was already read): what a reader of a large transaction walks, so
   * that a 1,000-claim remittance does not hold its 30,000 segments while its model is built.
   */
  scan(): SegmentCursor;
}

/**
 * A transaction as the envelope found it: where it starts (its ST) and how many segments it has.
 * The envelope's own pass keeps no segment: every segment it holds, every scavenge of the
 * garbage collector copies, and a remittance's segments were a third of what it copied.
 */
class FoundTransaction implements Transaction {
  private kept: Segment[] | undefined;

  constructor(
    readonly type: string,
    readonly controlNumber: string,
    readonly implementationRef: string,
    readonly functionalId: string,
    readonly groupControl: string,
    readonly interchangeControl: string,
    private readonly text: string,
    private readonly st: Segment,
    /** Segments from ST through SE (or through the last one read, when SE is missing). */
    readonly count: number,
  ) {}

  get segmentIndex(): number {
    return this.st.index;
  }

  get segments(): Segment[] {
    if (this.kept === undefined) {
      const kept: Segment[] = [];
      const cursor = this.scan();
      for (let s = cursor.next(); s !== null; s = cursor.next()) kept.push(s);
      this.kept = kept;
    }
    return this.kept;
  }

  scan(): SegmentCursor {
    if (this.kept !== undefined) {
      const kept = this.kept;
      let i = 0;
      return { next: () => kept[i++] ?? null };
    }
    const scanner = new SegmentScanner(this.text, this.st);
    let left = this.count;
    return { next: () => (left-- > 0 ? scanner.next() : null) };
  }
}

/** The transaction being read by the envelope: its ST and fields, and how many segments so far. */
interface OpenTransaction extends Pick<Transaction, "type" | "controlNumber" | "implementationRef" | "functionalId" | "groupControl" | "interchangeControl"> {
  st: Segment;
  count: number;
}

interface Open {
  isa?: Segment;
  groups: number;
  gs?: Segment;
  sets: number;
}

/** Yields each transaction of the input; envelope issues are pushed to `issues`. */
export function* iterateTransactions(text: string, issues: X12Issue[]): Generator<Transaction> {
  const open: Open = { groups: 0, sets: 0 };
  let current: OpenTransaction | null = null;
  const found = (t: OpenTransaction): Transaction =>
    new FoundTransaction(t.type, t.controlNumber, t.implementationRef, t.functionalId, t.groupControl, t.interchangeControl, text, t.st, t.count);
  const loc = (s: Segment) => ({ index: s.index, id: s.id, offset: s.offset });
  const closeTransaction = (at: Segment | null) => {
    if (current !== null) {
      issues.push(issueAt("SE_MISSING", `Transaction ${current.type} ${current.controlNumber} has no SE`, at === null ? null : loc(at), { transactionControlNumber: current.controlNumber }));
      current = null;
    }
  };
  let pending: Transaction | null = null;
  const scanner = new SegmentScanner(text);
  for (let id = scanner.advance(); id !== null; id = scanner.advance()) {
    // Most segments are a transaction's body, counted by id alone: ids not starting I, G or S
    // cannot be ISA/IEA/GS/GE/ST/SE.
    const first = id.charCodeAt(0);
    if (current !== null && first !== 73 && first !== 71 && first !== 83) {
      current.count += 1;
      continue;
    }
    const s = scanner.segment();
    switch (s.id) {
      case "ISA":
        closeTransaction(s);
        if (open.isa !== undefined) issues.push(issueAt("IEA_MISSING", `Interchange ${el(open.isa, 13)} has no IEA before the next ISA`, loc(s)));
        if (s.elements.length !== 16) issues.push(issueAt("ISA_INVALID", `ISA has ${s.elements.length} elements, expected 16`, loc(s)));
        open.isa = s;
        open.groups = 0;
        break;
      case "IEA":
        closeTransaction(s);
        if (open.isa === undefined) {
          issues.push(issueAt("SEGMENT_OUTSIDE_TRANSACTION", "IEA without ISA", loc(s)));
          break;
        }
        if (Number(el(s, 1)) !== open.groups) issues.push(issueAt("IEA_COUNT_MISMATCH", `IEA01 says ${el(s, 1)} groups, found ${open.groups}`, loc(s), { elementPosition: 1 }));
        if (el(s, 2) !== el(open.isa, 13)) issues.push(issueAt("IEA_CONTROL_MISMATCH", `IEA02 ${el(s, 2)} does not match ISA13 ${el(open.isa, 13)}`, loc(s), { elementPosition: 2 }));
        open.isa = undefined;
        break;
      case "GS":
        closeTransaction(s);
        if (open.gs !== undefined) issues.push(issueAt("GE_MISSING", `Group ${el(open.gs, 6)} has no GE before the next GS`, loc(s)));
        if (open.isa === undefined) issues.push(issueAt("SEGMENT_OUTSIDE_TRANSACTION", "GS outside an interchange", loc(s)));
        open.gs = s;
        open.sets = 0;
        open.groups += 1;
        break;
      case "GE":
        closeTransaction(s);
        if (open.gs === undefined) {
          issues.push(issueAt("SEGMENT_OUTSIDE_TRANSACTION", "GE without GS", loc(s)));
          break;
        }
        if (Number(el(s, 1)) !== open.sets) issues.push(issueAt("GE_COUNT_MISMATCH", `GE01 says ${el(s, 1)} transaction sets, found ${open.sets}`, loc(s), { elementPosition: 1 }));
        if (el(s, 2) !== el(open.gs, 6)) issues.push(issueAt("GE_CONTROL_MISMATCH", `GE02 ${el(s, 2)} does not match GS06 ${el(open.gs, 6)}`, loc(s), { elementPosition: 2 }));
        open.gs = undefined;
        break;
      case "ST":
        closeTransaction(s);
        if (open.gs === undefined) issues.push(issueAt("SEGMENT_OUTSIDE_TRANSACTION", "ST outside a functional group", loc(s)));
        open.sets += 1;
        current = {
          st: s, type: el(s, 1), controlNumber: el(s, 2), implementationRef: el(s, 3) || (open.gs === undefined ? "" : el(open.gs, 8)),
          functionalId: open.gs === undefined ? "" : el(open.gs, 1), groupControl: open.gs === undefined ? "" : el(open.gs, 6),
          interchangeControl: open.isa === undefined ? "" : el(open.isa, 13), count: 1,
        };
        break;
      case "SE":
        if (current === null) {
          issues.push(issueAt("SEGMENT_OUTSIDE_TRANSACTION", "SE without ST", loc(s)));
          break;
        }
        current.count += 1;
        if (Number(el(s, 1)) !== current.count) {
          issues.push(issueAt("SE_COUNT_MISMATCH", `SE01 says ${el(s, 1)} segments, the transaction has ${current.count}`, loc(s), { elementPosition: 1, transactionControlNumber: current.controlNumber }));
        }
        if (el(s, 2) !== current.controlNumber) {
          issues.push(issueAt("SE_CONTROL_MISMATCH", `SE02 ${el(s, 2)} does not match ST02 ${current.controlNumber}`, loc(s), { elementPosition: 2, transactionControlNumber: current.controlNumber }));
        }
        pending = found(current);
        current = null;
        break;
      default:
        if (current === null) issues.push(issueAt("SEGMENT_OUTSIDE_TRANSACTION", `${s.id} outside a transaction set`, loc(s)));
        else current.count += 1;
    }
    if (pending !== null) {
      yield pending;
      pending = null;
    }
  }
  if (current !== null) {
    const t: OpenTransaction = current;
    issues.push(issueAt("SE_MISSING", `Transaction ${t.type} ${t.controlNumber} has no SE`, null, { transactionControlNumber: t.controlNumber }));
    yield found(t);
  }
  if (open.gs !== undefined) issues.push(issueAt("GE_MISSING", `Group ${el(open.gs, 6)} has no GE`, null));
  if (open.isa !== undefined) issues.push(issueAt("IEA_MISSING", `Interchange ${el(open.isa, 13)} has no IEA`, null));
}

/**
 * The text of one transaction set (ST through SE, with SE's terminator) cut from the input it was
 * read from — what was sent or received for that one set, for the audit trail.
 */
export function transactionText(text: string, tx: Transaction): string {
  const first = tx.segments[0];
  const last = tx.segments[tx.segments.length - 1];
  if (first === undefined || last === undefined) return "";
  const end = text.indexOf(last.delimiters.segment, last.offset);
  return text.slice(first.offset, end === -1 ? text.length : end + last.delimiters.segment.length);
}
