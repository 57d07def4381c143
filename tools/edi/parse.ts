/**
 * Reading X12: envelope validation plus the typed reader for each transaction type, with every
 * reader's output validated by its zod schema. `iterateX12` streams one transaction at a time.
 */
import { z } from "zod";
import { iterateTransactions, type Transaction } from "./envelope.js";
import { readChecked } from "./grammar/index.js";
import { issueAt, type X12Issue } from "./issues.js";
import { Ack999, AuthResponse278, ClaimStatus277, read277, read278Response, read999 } from "./readers/acknowledgments.js";
import { ReceivedClaim, read837 } from "./readers/claim-837.js";
import { Eligibility271, read271 } from "./readers/eligibility-271.js";
import { Remittance835, read835 } from "./readers/remittance-835.js";
import { read270, EligibilityRequest270 } from "./readers/request-270.js";
import { read278Request, AuthRequest278 } from "./readers/request-278.js";

/** The typed data of each transaction type. */
export type TransactionData =
  | { type: "835"; data: Remittance835 }
  | { type: "271"; data: Eligibility271 }
  | { type: "270"; data: EligibilityRequest270 }
  | { type: "278"; data: AuthResponse278 | AuthRequest278 }
  | { type: "999"; data: Ack999 }
  | { type: "277"; data: ClaimStatus277 }
  | { type: "837"; data: ReceivedClaim[] }
  | { type: string; data: null };

/** One read transaction, with where it came from: GS01 functional id, GS06 group control number, the index of its ST among the file's segments. */
export type ParsedTransaction = TransactionData & { controlNumber: string; implementationRef: string; functionalId: string; groupControl: string; segmentIndex: number };

/** Each reader schema compiled once (zod's ahead-of-time fast path). */
const COMPILED = new WeakMap<z.ZodType, z.ZodType>();

/**
 * Checks a reader's model with its schema (the backstop behind the reader's own element checks):
 * a model that fails is an ELEMENT_INVALID issue per problem, naming its path.
 */
export function checked<T>(schema: z.ZodType<T>, value: T, tx: Pick<Transaction, "type" | "controlNumber">, issues: X12Issue[]): T {
  // A valid model, the common case, is checked by the compiled validator, which builds no parsed
  // copy of it (safeParse copied every object of a 55 MB remittance: a third of the read's
  // allocation). Only a model that fails is parsed again, to say what is wrong and where.
  let compiled = COMPILED.get(schema);
  if (compiled === undefined) COMPILED.set(schema, (compiled = z.compile(schema)));
  if (compiled.validate(value)) return value;
  const result = schema.safeParse(value);
  if (!result.success) {
    for (const i of result.error.issues) {
      issues.push(issueAt("ELEMENT_INVALID", `${tx.type} ${tx.controlNumber}: ${i.path.join(".")} ${i.message}`, null, { transactionControlNumber: tx.controlNumber }));
    }
  }
  return value;
}

/** Reads one transaction with its typed reader and checks it against its set's grammar. */
export function readTransaction(tx: Transaction, issues: X12Issue[]): ParsedTransaction {
  return readChecked(tx, issues, (walked) => readTyped(walked, issues));
}

function readTyped(tx: Transaction, issues: X12Issue[]): ParsedTransaction {
  const base = { controlNumber: tx.controlNumber, implementationRef: tx.implementationRef, functionalId: tx.functionalId, groupControl: tx.groupControl, segmentIndex: tx.segmentIndex };
  switch (tx.type) {
    case "835":
      return { ...base, type: "835", data: checked(Remittance835, read835(tx, issues), tx, issues) };
    case "271":
      return { ...base, type: "271", data: checked(Eligibility271, read271(tx, issues), tx, issues) };
    case "270":
      return { ...base, type: "270", data: checked(EligibilityRequest270, read270(tx, issues), tx, issues) };
    case "278": {
      // BHT02 13 = request; 11 = response.
      const isRequest = tx.segments.find((s) => s.id === "BHT")?.elements[1] === "13";
      return isRequest
        ? { ...base, type: "278", data: checked(AuthRequest278, read278Request(tx, issues), tx, issues) }
        : { ...base, type: "278", data: checked(AuthResponse278, read278Response(tx, issues), tx, issues) };
    }
    case "999":
      return { ...base, type: "999", data: checked(Ack999, read999(tx, issues), tx, issues) };
    case "277":
      return { ...base, type: "277", data: checked(ClaimStatus277, read277(tx, issues), tx, issues) };
    case "837":
      return { ...base, type: "837", data: read837(tx, issues).map((c) => checked(ReceivedClaim, c, tx, issues)) };
    default:
      issues.push(issueAt("UNSUPPORTED_TRANSACTION", `Transaction set ${tx.type} is not read by this toolkit`, null, { severity: "warning", transactionControlNumber: tx.controlNumber }));
      return { ...base, type: tx.type, data: null };
  }
}

/** Streams typed transactions; issues accumulate in `issues` as they are found. */
export function* iterateX12(text: string, issues: X12Issue[]): Generator<ParsedTransaction> {
  for (const tx of iterateTransactions(text, issues)) yield readTransaction(tx, issues);
}

/** Reads a whole file. Throws NotX12Error when the input is not X12 at all. */
export function parseX12(text: string): { transactions: ParsedTransaction[]; issues: X12Issue[] } {
  const issues: X12Issue[] = [];
  const transactions = [...iterateX12(text, issues)];
  return { transactions, issues };
}
