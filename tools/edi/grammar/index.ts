/**
 * The grammar of each transaction set we read, compiled once, and the check `readTransaction`
 * runs on every transaction so every reader gets it.
 */
import type { Transaction } from "../envelope.js";
import type { X12Issue } from "../issues.js";
import { el } from "../tokenizer.js";
import { checkGrammar } from "./check.js";
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

/** Checks a transaction against its set's grammar (nothing for sets we have none for). */
export function checkTransaction(tx: Transaction, issues: X12Issue[], readerIssuesFrom: number): void {
  const set = grammarFor(tx);
  if (set !== null) checkGrammar(tx, set, issues, readerIssuesFrom);
}
