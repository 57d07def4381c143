/**
 * Element value parsing for readers: exact decimal amounts (strings, never floats), ISO dates,
 * composites and required elements — each problem recorded as an issue at its segment and element.
 * Every check here is a hand-written scan, linear in the element's length: no regular expression
 * runs over element text (a backtracking decimal pattern once took 11 s on a 120 KB amount).
 */
import { issueAt, type X12Issue, type X12IssueCode } from "./issues.js";
import { components, el, type Segment } from "./tokenizer.js";

/**
 * X12 decimal (type R) maximum lengths, which count digits only (X12.6: the sign and decimal
 * point are not counted): 782 Monetary Amount R 1/18, 380 Quantity R 1/15.
 */
export const MAX_AMOUNT_DIGITS = 18;
export const MAX_QUANTITY_DIGITS = 15;

/**
 * Whether `raw` is an X12 decimal (X12.6 type R) of at most `maxDigits` digits: an optional
 * leading minus, digits with at most one decimal point, at least one digit; no plus sign,
 * exponent, blanks or thousands separators. The scan stops at the first character that cannot
 * belong, or past `maxDigits` digits: its cost does not grow with the input.
 */
export function isDecimal(raw: string, maxDigits = MAX_AMOUNT_DIGITS): boolean {
  return scanDecimal(raw, maxDigits) !== -2;
}

/** Scans a decimal: -2 when it is not one (or has more than `maxDigits` digits), else the index of its point (-1: none). */
function scanDecimal(raw: string, maxDigits: number): number {
  const n = raw.length;
  if (n === 0 || n > maxDigits + 2) return -2;
  let point = -1;
  let digits = 0;
  for (let i = raw.charCodeAt(0) === 45 ? 1 : 0; i < n; i += 1) {
    const c = raw.charCodeAt(i);
    if (c >= 48 && c <= 57) digits += 1;
    else if (c === 46 && point === -1) point = i;
    else return -2;
  }
  return digits === 0 || digits > maxDigits ? -2 : point;
}

/** Normalises an X12 decimal: at least two decimals, no exponent, sign kept ("34" → "34.00"); null when not an amount (R 1/18). */
export function normalizeAmount(raw: string): string | null {
  const point = scanDecimal(raw, MAX_AMOUNT_DIGITS);
  if (point === -2) return null;
  const n = raw.length;
  const negative = raw.charCodeAt(0) === 45;
  // Already normal: unsigned, two decimals, no leading zero before a longer integer ("1234.50", "0.50").
  if (!negative && point > 0 && point === n - 3 && (point === 1 || raw.charCodeAt(0) !== 48)) return raw;
  const start = negative ? 1 : 0;
  const intEnd = point === -1 ? n : point;
  // Leading zeros go (one stays before the point); the fraction keeps every digit it has.
  let first = start;
  while (first < intEnd - 1 && raw.charCodeAt(first) === 48) first += 1;
  const integer = first < intEnd ? raw.slice(first, intEnd) : "0";
  const frac = point === -1 ? "" : raw.slice(point + 1);
  const value = `${integer}.${frac.length >= 2 ? frac : frac.padEnd(2, "0")}`;
  return negative && !isZero(value) ? `-${value}` : value;
}

function isZero(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charCodeAt(i);
    if (c >= 49 && c <= 57) return false;
  }
  return true;
}

function isDigits(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i += 1) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** An element value as it may appear in a message: at most 40 characters, then how long it was. */
export function shown(value: string): string {
  return value.length <= 40 ? `"${value}"` : `"${value.slice(0, 40)}…" (${value.length} characters)`;
}

/** CCYYMMDD → YYYY-MM-DD, or null when not a real date (checked by calendar rules, no Date object). */
export function isoDate(raw: string): string | null {
  if (raw.length !== 8 || !isDigits(raw, 0, 8)) return null;
  const year = Number(raw.slice(0, 4));
  const month = Number(raw.slice(4, 6));
  const day = Number(raw.slice(6, 8));
  if (month < 1 || month > 12 || day < 1) return null;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  if (day > days) return null;
  return `${raw.slice(0, 4)}-${raw.slice(4, 6)}-${raw.slice(6, 8)}`;
}

/** A date period from a DTP/DTM qualifier: D8 single date, RD8 range. */
export interface DatePeriod {
  start: string;
  end: string;
}

/** Reading helpers bound to one transaction's issue list. */
export class ValueReader {
  constructor(
    readonly issues: X12Issue[],
    readonly controlNumber: string,
  ) {}

  private push(code: X12IssueCode, message: string, s: Segment, elementPosition: number, severity: "error" | "warning" = "error"): void {
    this.issues.push(issueAt(code, message, { index: s.index, id: s.id, offset: s.offset }, { elementPosition, severity, transactionControlNumber: this.controlNumber }));
  }

  /** A required element's value ("" with an issue when empty). */
  required(s: Segment, n: number, what: string): string {
    const v = el(s, n);
    if (v === "") this.push("ELEMENT_MISSING", `${s.id}${String(n).padStart(2, "0")} (${what}) is required`, s, n);
    return v;
  }

  /** An optional element (null when empty). */
  optional(s: Segment, n: number): string | null {
    const v = el(s, n);
    return v === "" ? null : v;
  }

  /** An amount element as a decimal string; null when empty; an issue when malformed. */
  amount(s: Segment, n: number, what: string, required = false): string | null {
    const v = el(s, n);
    if (v === "") {
      if (required) this.push("ELEMENT_MISSING", `${s.id}${String(n).padStart(2, "0")} (${what}) is required`, s, n);
      return null;
    }
    const a = normalizeAmount(v);
    if (a === null) this.push("AMOUNT_INVALID", `${s.id}${String(n).padStart(2, "0")} (${what}) ${shown(v)} is not a decimal amount of at most ${MAX_AMOUNT_DIGITS} digits`, s, n);
    return a;
  }

  /** A quantity as a number (units are small, exact integers or decimals). */
  quantity(s: Segment, n: number, what: string): number | null {
    const v = el(s, n);
    if (v === "") return null;
    const q = isDecimal(v, MAX_QUANTITY_DIGITS) ? Number(v) : Number.NaN;
    if (Number.isNaN(q)) {
      this.push("ELEMENT_INVALID", `${s.id}${String(n).padStart(2, "0")} (${what}) ${shown(v)} is not a number of at most ${MAX_QUANTITY_DIGITS} digits`, s, n);
      return null;
    }
    return q;
  }


  /** A D8 date element → ISO. */
  date(s: Segment, n: number, what: string): string | null {
    const v = el(s, n);
    if (v === "") return null;
    const d = isoDate(v);
    if (d === null) this.push("DATE_INVALID", `${s.id}${String(n).padStart(2, "0")} (${what}) ${shown(v)} is not a CCYYMMDD date`, s, n);
    return d;
  }

  /** A date with its format qualifier (DTP02/03): D8 or RD8. */
  period(s: Segment, formatAt: number, valueAt: number): DatePeriod | null {
    const format = el(s, formatAt);
    const v = el(s, valueAt);
    if (format === "RD8") {
      const [a = "", b = ""] = v.split("-");
      const start = isoDate(a);
      const end = isoDate(b);
      if (start === null || end === null) {
        this.push("DATE_INVALID", `${s.id}${String(valueAt).padStart(2, "0")} ${shown(v)} is not a CCYYMMDD-CCYYMMDD range`, s, valueAt);
        return null;
      }
      return { start, end };
    }
    const d = isoDate(v);
    if (d === null) {
      this.push("DATE_INVALID", `${s.id}${String(valueAt).padStart(2, "0")} ${shown(v)} is not a CCYYMMDD date`, s, valueAt);
      return null;
    }
    return { start: d, end: d };
  }

  /** Records an issue for an unexpected or missing segment (or one of its elements). */
  segmentIssue(code: "SEGMENT_MISSING" | "SEGMENT_UNEXPECTED" | "ELEMENT_INVALID" | "COMPOSITE_INVALID" | "BALANCE_MISMATCH", message: string, s: Segment | null, elementPosition?: number, severity: "error" | "warning" = "error"): void {
    this.issues.push(issueAt(code, message, s === null ? null : { index: s.index, id: s.id, offset: s.offset }, { severity, transactionControlNumber: this.controlNumber, ...(elementPosition === undefined ? {} : { elementPosition }) }));
  }
}

/** The first character of `value` that is not a letter, digit, blank, period or hyphen (a likely separator), or null. */
export function foreignSeparator(value: string): string | null {
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charCodeAt(i);
    const plain = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 32 || c === 46 || c === 45;
    if (!plain) return value[i] ?? null;
  }
  return null;
}

/** The diagnosis codes of an HI segment, in order; a qualifier without its code is skipped (the grammar reports it as COMPONENT_MISSING). */
export function diagnosisCodes(s: Segment): string[] {
  const out: string[] = [];
  for (let i = 1; i <= 12; i += 1) {
    const [qualifier = "", code = ""] = components(s, i);
    if (qualifier !== "" && code !== "") out.push(code);
  }
  return out;
}

/** A procedure composite (qualifier:code:modifiers…) with the quantity of an SV1 or SV2 segment. */
export function serviceLine(s: Segment, v: ValueReader): { procedure: { qualifier: string; code: string; modifiers: string[] }; quantityQualifier: string | null; quantity: number | null } {
  const at = s.id === "SV1" ? 1 : 2;
  const p = components(s, at);
  return {
    procedure: { qualifier: p[0] ?? "", code: p[1] ?? "", modifiers: p.slice(2, 6).filter((m) => m !== "") },
    quantityQualifier: el(s, at + 2) || null,
    quantity: v.quantity(s, at + 3, "service units"),
  };
}
