/**
 * The generic X12 writer: segments with composite and repeated elements, trailing empty elements
 * trimmed, values checked for delimiters (refused, never silently altered), and envelopes with
 * computed segment counts and control numbers (ISA/IEA, GS/GE, ST/SE).
 */
import { BadInputError } from "../errors.js";
import type { Delimiters } from "./tokenizer.js";

/** The delimiters this project writes: * element, ^ repetition, : component, ~ terminator. */
export const DEFAULT_DELIMITERS: Delimiters = { element: "*", repetition: "^", component: ":", segment: "~" };

/** A repeated element's values (joined by the repetition separator). */
export interface Repeated {
  repeat: readonly string[];
}

/** Marks values as one repeated element (e.g. EB03 service types). */
export const rep = (values: readonly string[]): Repeated => ({ repeat: values });

/** An element: a simple value, a composite (array of components), a repetition, or absent. */
export type Element = string | number | null | undefined | readonly (string | null | undefined)[] | Repeated;

/** Collects the segments of one transaction body (between ST and SE). */
export class SegmentWriter {
  readonly segments: string[] = [];

  constructor(private readonly d: Delimiters = DEFAULT_DELIMITERS) {}

  /** Adds a segment; trailing empty elements and components are dropped. */
  seg(id: string, ...elements: Element[]): this {
    const values = elements.map((e) => this.element(id, e));
    while (values.length > 0 && values[values.length - 1] === "") values.pop();
    this.segments.push([id, ...values].join(this.d.element));
    return this;
  }

  private element(id: string, e: Element): string {
    if (e === null || e === undefined) return "";
    if (typeof e === "number") return String(e);
    if (typeof e === "string") return this.checked(id, e);
    if ("repeat" in e) return e.repeat.map((v) => this.checked(id, v)).join(this.d.repetition);
    const parts = e.map((c) => (c === null || c === undefined ? "" : this.checked(id, c)));
    while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
    return parts.join(this.d.component);
  }

  private checked(id: string, value: string): string {
    for (const [name, ch] of Object.entries(this.d) as [string, string][]) {
      if (value.includes(ch)) throw new BadInputError(`${id}: value "${value}" contains the ${name} delimiter "${ch}"`, { code: "INVALID_X12" });
    }
    return value;
  }
}

/** Envelope settings. */
export interface EnvelopeOptions {
  senderId: string;
  receiverId: string;
  /** Interchange control number (ISA13), 1–999999999. */
  interchangeControl: number;
  groupControl: number;
  functionalId: string;
  version: string;
  now: Date;
  usage?: "T" | "P";
}

/** One transaction to wrap: its type, ST02 and the body segments. */
export interface TransactionBody {
  type: string;
  controlNumber: string;
  body: SegmentWriter;
}

const pad = (v: string, n: number, d: Delimiters = DEFAULT_DELIMITERS) => {
  if (v.length > n) throw new BadInputError(`ISA value "${v}" is longer than ${n} characters`, { code: "INVALID_X12" });
  if (Object.values(d).some((ch) => v.includes(ch))) throw new BadInputError(`ISA value "${v}" contains a delimiter`, { code: "INVALID_X12" });
  return v.padEnd(n, " ");
};

/** Writes a complete interchange: ISA, GS, each ST … SE, GE, IEA, with one segment per line. */
export function writeInterchange(options: EnvelopeOptions, transactions: TransactionBody[], d: Delimiters = DEFAULT_DELIMITERS): string {
  const date = options.now.toISOString();
  const yymmdd = date.slice(2, 4) + date.slice(5, 7) + date.slice(8, 10);
  const ccyymmdd = date.slice(0, 4) + date.slice(5, 7) + date.slice(8, 10);
  const hhmm = date.slice(11, 13) + date.slice(14, 16);
  const isaControl = String(options.interchangeControl).padStart(9, "0");
  const isa = ["ISA", "00", pad("", 10), "00", pad("", 10), "ZZ", pad(options.senderId, 15, d), "ZZ", pad(options.receiverId, 15, d),
    yymmdd, hhmm, d.repetition, "00501", isaControl, "0", options.usage ?? "T", d.component].join(d.element);
  const lines = [isa, ["GS", options.functionalId, options.senderId, options.receiverId, ccyymmdd, hhmm, String(options.groupControl), "X", options.version].join(d.element)];
  for (const t of transactions) {
    lines.push(["ST", t.type, t.controlNumber, options.version].join(d.element));
    lines.push(...t.body.segments);
    lines.push(["SE", String(t.body.segments.length + 2), t.controlNumber].join(d.element));
  }
  lines.push(["GE", String(transactions.length), String(options.groupControl)].join(d.element));
  lines.push(["IEA", "1", isaControl].join(d.element));
  return lines.map((l) => `${l}${d.segment}`).join("\n") + "\n";
}

/** YYYY-MM-DD → CCYYMMDD. */
export const d8 = (iso: string): string => iso.replaceAll("-", "");

/** NM108/NM109 of a provider: XX with the NPI when there is one, else the qualifier and id it came with. */
export function providerId(p: { npi: string | null; idQualifier?: string | null; id?: string | null }): readonly [string | null, string | null] {
  return p.npi !== null ? ["XX", p.npi] : [p.idQualifier ?? null, p.id ?? null];
}
