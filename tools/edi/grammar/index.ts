/**
 * The grammar of each transaction set we read, compiled once, and the check `readTransaction`
 * runs on every transaction so every reader gets it.
 */
import type { Transaction } from "../envelope.js";
import type { X12Issue } from "../issues.js";
import { el, type Segment, type SegmentCursor } from "../tokenizer.js";
import { GrammarCheck } from "./check.js";
import { ACK_999 } from "./sets/ack-999.js";
import { REQUEST_278, RESPONSE_278 } from "./sets/authorization-278.js";
import { CLAIM_837I, CLAIM_837P } from "./sets/claim-837.js";
import { ACK_277CA, STATUS_276, STATUS_277 } from "./sets/claim-status.js";
import { INQUIRY_270, RESPONSE_271 } from "./sets/eligibility.js";
import { REMITTANCE_835 } from "./sets/remittance-835.js";
import { compileSet, type CompiledSet } from "./spec.js";

const SETS = {
  "837P": compileSet(CLAIM_837P), "837I": compileSet(CLAIM_837I), "835": compileSet(REMITTANCE_835), "270": compileSet(INQUIRY_270),
  "271": compileSet(RESPONSE_271), "276": compileSet(STATUS_276), "277": compileSet(STATUS_277), "277CA": compileSet(ACK_277CA),
  "278 request": compileSet(REQUEST_278), "278 response": compileSet(RESPONSE_278), "999": compileSet(ACK_999),
};

/**
 * The grammar for a transaction: by ST01, and where one set has two guides by the implementation
 * reference (837 X222 / X223, 277 X212 / X214) or BHT02 (278: 13 request, 11 response).
 */
export function grammarFor(tx: Transaction): CompiledSet | null {
  switch (tx.type) {
    case "837": return tx.implementationRef.includes("X223") ? SETS["837I"] : SETS["837P"];
    case "835": return SETS["835"];
    case "270": return SETS["270"];
    case "271": return SETS["271"];
    case "276": return SETS["276"];
    case "277": return tx.implementationRef.includes("X214") ? SETS["277CA"] : SETS["277"];
    case "278": {
      const bht = tx.segments[1];
      return bht !== undefined && bht.id === "BHT" && el(bht, 2) === "13" ? SETS["278 request"] : SETS["278 response"];
    }
    case "999": return SETS["999"];
    default: return null;
  }
}

/**
 * Reads a transaction with `read` and checks it against its set's grammar (nothing more for sets
 * we have none for), in one walk: the reader's first `tx.scan()` hands each segment to the check
 * once the reader has moved past it, so the segment is found and its elements split once for both
 * (the second walk was a fifth of a remittance's read). Whatever that walk did not reach, the
 * check reads itself. The grammar's issues follow the reader's, as when it walked on its own.
 */
export function readChecked<T>(tx: Transaction, issues: X12Issue[], read: (tx: Transaction) => T): T {
  const set = grammarFor(tx);
  if (set === null) return read(tx);
  const from = issues.length;
  const check = new GrammarCheck(tx, set);
  const result = read(new CheckedWalk(tx, check));
  check.finish(issues, from);
  return result;
}

/** A transaction whose first `scan()` feeds the grammar check (see `readChecked`). */
class CheckedWalk implements Transaction {
  private walked = false;

  constructor(
    private readonly tx: Transaction,
    private readonly check: GrammarCheck,
  ) {}

  get type(): string {
    return this.tx.type;
  }
  get controlNumber(): string {
    return this.tx.controlNumber;
  }
  get implementationRef(): string {
    return this.tx.implementationRef;
  }
  get functionalId(): string {
    return this.tx.functionalId;
  }
  get groupControl(): string {
    return this.tx.groupControl;
  }
  get interchangeControl(): string {
    return this.tx.interchangeControl;
  }
  get segmentIndex(): number {
    return this.tx.segmentIndex;
  }
  get segments(): Segment[] {
    return this.tx.segments;
  }

  scan(): SegmentCursor {
    const cursor = this.tx.scan();
    if (this.walked) return cursor;
    this.walked = true;
    const check = this.check;
    // A segment is checked when the reader asks for the next one: it is done with it by then, and
    // its elements are still the scanner's last split.
    let last: Segment | null = null;
    return {
      next: () => {
        if (last !== null) check.step(last);
        last = cursor.next();
        if (last === null) check.walked();
        return last;
      },
    };
  }
}
