/**
 * 835 balancing (TR3 1.10.2.1): each service line, each claim and the payment, in integer cents
 * while every amount has at most two decimals and exactly with decimal.js beyond; each issue is at
 * the segment that does not balance.
 */
import { balances, difference, toCents, total } from "../exact-amounts.js";
import type { Segment } from "../tokenizer.js";
import type { ValueReader } from "../values.js";
import type { Claim835, Remittance835, ServiceLine835 } from "./remittance-835.js";

/** The claim being read: its CLP and its lines' SVCs, for balancing and issue positions. */
export interface OpenClaim {
  claim: Claim835;
  at: Segment;
  lines: Segment[];
}

/**
 * 835 TR3 1.10.2.1 balancing of one claim: each line's charge − its adjustments = its payment
 * (SVC02 − Σ CAS = SVC03), and the claim's charge − claim and line adjustments = its payment
 * (CLP03 − Σ CAS = CLP04). Each issue is at the SVC or CLP that does not balance.
 */
export function claimBalances(open: OpenClaim, v: ValueReader): boolean {
  const c = open.claim;
  let ok = true;
  // Integer cents while every amount has at most two decimals; else exact decimals from the lists.
  let claimCents = centsOf(c.charge, c.paid);
  for (const a of c.adjustments) claimCents = minusCents(claimCents, a.amount);
  for (let i = 0; i < c.lines.length; i += 1) {
    const l = c.lines[i] as ServiceLine835;
    let lineCents = centsOf(l.charge, l.paid);
    for (const a of l.adjustments) {
      lineCents = minusCents(lineCents, a.amount);
      claimCents = minusCents(claimCents, a.amount);
    }
    const amounts = lineCents === null ? l.adjustments.map((a) => a.amount) : null;
    if (lineCents === null ? !balances(l.charge, amounts ?? [], l.paid) : lineCents !== 0) {
      ok = false;
      const expected = difference(l.charge, amounts ?? l.adjustments.map((a) => a.amount));
      v.segmentIssue("BALANCE_MISMATCH", `Claim ${c.patientControlNumber} line ${i + 1}: charge ${l.charge} − adjustments = ${expected}, paid ${l.paid}`, open.lines[i] ?? open.at);
    }
  }
  if (claimCents === null ? !balances(c.charge, allAdjustments(c), c.paid) : claimCents !== 0) {
    ok = false;
    v.segmentIssue("BALANCE_MISMATCH", `Claim ${c.patientControlNumber}: charge ${c.charge} − adjustments = ${difference(c.charge, allAdjustments(c))}, paid ${c.paid}`, open.at);
  }
  return ok;
}

/** Every adjustment amount of a claim, its own and its lines'. */
function allAdjustments(c: Claim835): string[] {
  return [...c.adjustments.map((a) => a.amount), ...c.lines.flatMap((l) => l.adjustments.map((a) => a.amount))];
}

/** charge − paid in cents (what the adjustments must add up to), or null when either is not whole cents. */
function centsOf(charge: string, paid: string): number | null {
  const a = toCents(charge);
  const b = toCents(paid);
  return a === null || b === null ? null : a - b;
}

/** A running cents balance less one amount; null once any amount is not whole cents. */
function minusCents(balance: number | null, amount: string): number | null {
  if (balance === null) return null;
  const c = toCents(amount);
  return c === null || !Number.isSafeInteger(balance - c) ? null : balance - c;
}

/** 835 TR3 1.10.2.1: the payment (BPR02) = Σ claim payments (CLP04) − Σ provider adjustments (PLB); the issue is at the BPR. */
export function paymentBalances(r: Remittance835, v: ValueReader, at: Segment | null): boolean {
  // BPR02 − Σ CLP04 + Σ PLB = 0, in cents while every amount is whole cents.
  let cents = toCents(r.payment.amount);
  for (const c of r.claims) cents = minusCents(cents, c.paid);
  for (const p of r.providerAdjustments) for (const a of p.adjustments) cents = minusCents(cents, a.amount.startsWith("-") ? a.amount.slice(1) : `-${a.amount}`);
  const plb = r.providerAdjustments.flatMap((p) => p.adjustments.map((a) => a.amount));
  if (cents !== null ? cents === 0 : balances(total(r.claims.map((c) => c.paid)), plb, r.payment.amount)) return true;
  v.segmentIssue("BALANCE_MISMATCH", `Payment ${r.payment.amount} ≠ Σ claim paid − PLB = ${difference(total(r.claims.map((c) => c.paid)), plb)}`, at);
  return false;
}
