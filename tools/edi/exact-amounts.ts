/**
 * Exact arithmetic on X12 decimal amounts for balancing. Amounts with at most two decimals are
 * summed as integer cents (exact in a double up to 2^53 cents); anything else falls back to
 * decimal.js. Never binary floating point on dollars.
 */
import { Decimal } from "decimal.js";

/** "-1234.5" → -123450; null when the amount has more than two decimals or is too large. */
export function toCents(amount: string): number | null {
  const negative = amount.charCodeAt(0) === 45;
  const body = negative ? amount.slice(1) : amount;
  const dot = body.indexOf(".");
  const intPart = dot === -1 ? body : body.slice(0, dot);
  const frac = dot === -1 ? "" : body.slice(dot + 1);
  if (frac.length > 2 || intPart.length > 13) return null;
  const cents = Number(intPart || "0") * 100 + Number(frac.padEnd(2, "0") || "0");
  if (!Number.isSafeInteger(cents)) return null;
  return negative ? -cents : cents;
}

/** `base − Σ minus` as a decimal string with two places (or more when the inputs have more). */
export function difference(base: string, minus: readonly string[]): string {
  let cents = toCents(base);
  for (const m of minus) {
    if (cents === null) break;
    const c = toCents(m);
    cents = c === null ? null : cents - c;
  }
  if (cents !== null) {
    const sign = cents < 0 ? "-" : "";
    const abs = Math.abs(cents);
    return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
  }
  return minus.reduce((d, m) => d.minus(m), new Decimal(base)).toFixed(Math.max(2, ...[base, ...minus].map((a) => a.split(".")[1]?.length ?? 0)));
}

/** Sum of amounts as a decimal string. */
export function total(amounts: readonly string[]): string {
  return difference("0", amounts.map((a) => (a.startsWith("-") ? a.slice(1) : `-${a}`)));
}

/** Whether two amounts are equal as numbers ("5.0" = "5.00"). */
export function sameAmount(a: string, b: string): boolean {
  const ca = toCents(a);
  const cb = toCents(b);
  return ca !== null && cb !== null ? ca === cb : new Decimal(a).equals(b);
}
