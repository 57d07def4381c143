/**
 * Exact arithmetic on X12 decimal amounts for balancing. Amounts with at most two decimals are
 * summed as integer cents (exact in a double up to 2^53 cents); anything else falls back to
 * decimal.js. Never binary floating point on dollars.
 */
import { Decimal } from "decimal.js";

/**
 * "-1234.5" → -123450; null when the amount has more than two decimals, more than 13 integer
 * digits, or is not a plain decimal. Read digit by digit: balancing parses every amount of a
 * remittance, and this allocates nothing.
 */
export function toCents(amount: string): number | null {
  const n = amount.length;
  let i = 0;
  const negative = n > 0 && amount.charCodeAt(0) === 45;
  if (negative) i = 1;
  let whole = 0;
  let digits = 0;
  for (; i < n; i += 1) {
    const c = amount.charCodeAt(i);
    if (c === 46) break;
    if (c < 48 || c > 57 || digits === 13) return null;
    whole = whole * 10 + (c - 48);
    digits += 1;
  }
  let fraction = 0;
  let places = 0;
  for (i += 1; i < n; i += 1) {
    const c = amount.charCodeAt(i);
    if (c < 48 || c > 57 || places === 2) return null;
    fraction = fraction * 10 + (c - 48);
    places += 1;
  }
  const cents = whole * 100 + (places === 1 ? fraction * 10 : fraction);
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
  if (cents !== null && Number.isSafeInteger(cents)) {
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

/**
 * Whether `base − Σ minus = result` exactly: in integer cents when every amount has at most two
 * decimals (no string is built), else with decimal.js. The caller builds a message with
 * `difference` only when it does not balance.
 */
export function balances(base: string, minus: readonly string[], result: string): boolean {
  let cents = toCents(base);
  for (let i = 0; i < minus.length && cents !== null; i += 1) {
    const c = toCents(minus[i] as string);
    cents = c === null ? null : cents - c;
  }
  const r = toCents(result);
  return cents !== null && r !== null && Number.isSafeInteger(cents) ? cents === r : sameAmount(difference(base, minus), result);
}
