/**
 * Which EB rows give the deductible (EB01 C), out-of-pocket (G) and coinsurance (A) for a visit
 * (005010X279A1 2110C/D EB): rows for the clinic's network (EB12 Y in, N out, W both; a row without
 * EB12 is taken for both, after the rows that say), for the service types of the visit (EB03, every
 * repetition; the most specific type first, a row without EB03 last), that apply on the date of
 * service (their own 2110 DTP), and for the person (IND or FAM; EMP only for the subscriber). The
 * remaining amount (EB06 29) wins; the calendar-year amount (23) is used only when no remaining
 * row exists, and the result says so. Individual and family: the smaller remaining. Every choice
 * is by content, never by the rows' order in the file.
 */
import { Decimal } from "decimal.js";
import type { Benefit } from "../../edi/readers/eligibility-271.js";
import { benefitAppliesOn } from "./coverage-dates.js";

/** The clinic's network status with the payer. */
export type NetworkStatus = "in" | "out";

/** What a visit needs of the rows. */
export interface RowContext {
  dateOfService: string;
  network: NetworkStatus;
  /** Service types relevant to the visit, most specific first; a tier may hold several (50 or 98). */
  serviceTypes: readonly (readonly string[])[];
  /** Whose loop the rows are in (EMP rows are the subscriber's own). */
  subject: "subscriber" | "dependent";
}

/** Service types of an infusion visit: chemotherapy, then the site (hospital outpatient 50 or office 98), medical care, the plan. */
export function infusionServiceTypes(site: "hospital-outpatient" | "physician-office" | null = null): string[][] {
  return [["78"], site === "hospital-outpatient" ? ["50"] : site === "physician-office" ? ["98"] : ["50", "98"], ["1"], ["30"]];
}

/** The tiers for one service type asked for (the command's --service-type): it, then medical care and the plan. */
export function serviceTypesFor(code: string): string[][] {
  if (code === "30") return [["30"]];
  if (code === "1") return [["1"], ["30"]];
  if (code === "88") return [["88"], ["30"]];
  return [[code], ["1"], ["30"]];
}

/** The tier of a row (0 = most specific), or null when none of its service types is relevant. */
export function tierOf(b: Benefit, tiers: RowContext["serviceTypes"]): number | null {
  if (b.serviceTypes.length === 0) return tiers.length;
  let best: number | null = null;
  for (const t of b.serviceTypes) {
    const i = tiers.findIndex((tier) => tier.includes(t));
    if (i !== -1 && (best === null || i < best)) best = i;
  }
  return best;
}

/** 0 the row says our network, 1 both (W), 2 it does not say; null another network. */
function networkRank(b: Benefit, network: NetworkStatus): number | null {
  const ours = network === "in" ? "Y" : "N";
  if (b.inNetwork === ours) return 0;
  if (b.inNetwork === "W") return 1;
  if (b.inNetwork === null || b.inNetwork === "U") return 2;
  return null;
}

const levelApplies = (b: Benefit, subject: RowContext["subject"]) =>
  b.coverageLevel === null || b.coverageLevel === "IND" || b.coverageLevel === "FAM" || (b.coverageLevel === "EMP" && subject === "subscriber");

/** Rows of one EB01 code that concern the visit, each with its tier and network rank. */
function candidates(benefits: readonly Benefit[], code: string, ctx: RowContext, has: (b: Benefit) => boolean) {
  const out: { b: Benefit; tier: number; net: number }[] = [];
  for (const b of benefits) {
    if (b.code !== code || b.procedure !== null || !has(b) || !levelApplies(b, ctx.subject)) continue;
    const tier = tierOf(b, ctx.serviceTypes);
    const net = networkRank(b, ctx.network);
    if (tier === null || net === null || !benefitAppliesOn(b.dates, ctx.dateOfService)) continue;
    out.push({ b, tier, net });
  }
  return out;
}

/** The most specific rows: best tier, then best network rank. */
function mostSpecific<T extends { tier: number; net: number }>(rows: T[]): T[] {
  const tier = Math.min(...rows.map((r) => r.tier));
  const atTier = rows.filter((r) => r.tier === tier);
  const net = Math.min(...atTier.map((r) => r.net));
  return atTier.filter((r) => r.net === net);
}

/** A stable tie-break that does not depend on file order. */
const byContent = (a: Benefit, b: Benefit) => (a.at?.text ?? "").localeCompare(b.at?.text ?? "") || (a.coverageLevel ?? "").localeCompare(b.coverageLevel ?? "");

/** What is left of a limit (C deductible, G out-of-pocket) and the row it came from. */
export interface LimitPick {
  amount: string;
  basis: "remaining" | "calendar-year";
  row: Benefit;
}

const byAmount = (a: Benefit, b: Benefit) => new Decimal(a.amount as string).comparedTo(b.amount as string) || byContent(a, b);

/**
 * Deductible (C) or out-of-pocket (G) remaining for the visit, or null when the 271 gives none that
 * applies. The individual rows (IND, EMP, none) and the family rows (FAM) are each narrowed to
 * their most specific (service type, then network); the smaller of the two is what remains.
 */
export function limitRemaining(benefits: readonly Benefit[], code: "C" | "G", ctx: RowContext): LimitPick | null {
  const all = candidates(benefits, code, ctx, (b) => b.amount !== null);
  for (const period of ["29", "23"] as const) {
    const rows = all.filter((r) => r.b.timePeriod === period);
    if (rows.length === 0) continue;
    const levels = [rows.filter((r) => r.b.coverageLevel !== "FAM"), rows.filter((r) => r.b.coverageLevel === "FAM")].filter((g) => g.length > 0);
    const best = levels.map((g) => mostSpecific(g).map((r) => r.b).sort(byAmount)[0] as Benefit).sort(byAmount)[0] as Benefit;
    return { amount: best.amount as string, basis: period === "29" ? "remaining" : "calendar-year", row: best };
  }
  return null;
}

/** The coinsurance percent (EB08) for the visit and its row; with several equally specific rows, the highest (the patient is not told less than they may owe). */
export function coinsurance(benefits: readonly Benefit[], ctx: RowContext): { percent: string; row: Benefit } | null {
  const all = candidates(benefits, "A", ctx, (b) => b.percent !== null);
  if (all.length === 0) return null;
  const best = mostSpecific(all).map((r) => r.b).sort((a, b) => new Decimal(b.percent as string).comparedTo(a.percent as string) || byContent(a, b))[0] as Benefit;
  return { percent: best.percent as string, row: best };
}
