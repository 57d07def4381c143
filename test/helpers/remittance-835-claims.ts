/**
 * Adjudicates one generated infusion visit into an 835 claim (2100/2110 loops) and writes its
 * segments with the element shapes of the 835 TR3 (005010X221A1). Amounts are integer cents, so
 * every claim balances exactly unless the generator plants an imbalance on purpose:
 * SVC02 − Σ line CAS = SVC03; CLP03 − Σ claim CAS − Σ line CAS = CLP04 (TR3 1.10.2.1).
 */
import type { Random } from "../../tools/sandbox/prng.js";
import { DENIALS, EXTRA_LINES, MOA_REMARKS, PAID_LINE_REMARKS, VISITS, type Denial, type GeneratedPayer, type VisitLine } from "./remittance-835-catalogue.js";

/** One CAS triplet (group, CARC, amount in cents, quantity). */
export interface GenAdjustment { group: string; reason: string; cents: number; quantity: number | null }

/** One 2110 service line. */
export interface GenLine {
  code: string; modifiers: string[]; revenue: string | null; chargeCents: number; paidCents: number; units: number;
  originalUnits: number | null; originalCode: string | null; date: string; adjustments: GenAdjustment[]; remarks: string[];
  allowedCents: number | null; control: string;
}

/** One 2100 claim. */
export interface GenClaim {
  pcn: string; status: string; chargeCents: number; paidCents: number; patientCents: number; filing: string; icn: string;
  facility: string; drg: { code: string; weight: string } | null; adjustments: GenAdjustment[];
  patient: Person; insured: Person | null; rendering: Person | null; crossover: boolean; moa: string[];
  mia: { days: number; drgCents: number; remark: string } | null; refs: [string, string][]; statement: [string, string] | null;
  received: string; lines: GenLine[];
}

/** A person or organisation in an NM1. */
export interface Person { last: string; first: string; idQualifier: string; id: string }

/** What the claim is for: the visit's payer, the clinic side (office or hospital outpatient), dates, people. */
export interface ClaimContext {
  payer: GeneratedPayer; institutional: boolean; pcn: string; icn: string; serviceDate: string; received: string;
  patient: Person; insured: Person | null; rendering: Person | null;
}

const sumCents = (xs: readonly { cents: number }[]) => xs.reduce((s, x) => s + x.cents, 0);

/** X12 R-type decimal from cents: "1234.50" (fixed) or "1234.5" / "1234" (minimal). */
export function money(cents: number, style: GeneratedPayer["amounts"]): string {
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const frac = abs % 100;
  const text = style === "fixed" ? `${whole}.${String(frac).padStart(2, "0")}`
    : frac === 0 ? `${whole}` : frac % 10 === 0 ? `${whole}.${frac / 10}` : `${whole}.${String(frac).padStart(2, "0")}`;
  return cents < 0 ? `-${text}` : text;
}

/** What the clinic billed for one visit. */
export interface BilledVisit { lines: { line: VisitLine; modifiers: string[]; units: number }[] }

/** Picks a visit: a regimen's drug and administration lines (JZ, or a JW waste line), and extra lines of the day. */
export function billVisit(rng: Random): BilledVisit {
  const visit = rng.pick(VISITS);
  const lines: BilledVisit["lines"] = [];
  for (const l of visit.lines) {
    const units = rng.int(l.units[0], l.units[1]);
    const waste = l.singleDose === true && rng.chance(0.2) ? Math.max(1, Math.round(units * 0.05)) : 0;
    lines.push({ line: l, modifiers: l.singleDose === true && waste === 0 ? ["JZ"] : [], units });
    if (waste > 0) lines.push({ line: l, modifiers: ["JW"], units: waste });
  }
  for (const e of EXTRA_LINES) if (rng.chance(e.chance)) lines.push({ line: e.line, modifiers: e.modifiers, units: 1 });
  return { lines };
}

/** Draws the denial a payer applies to a visit, if any (about one claim in eight). */
export const drawDenial = (rng: Random): Denial | null => (rng.chance(0.12) ? rng.weighted(DENIALS) : null);

/**
 * Adjudicates a billed visit: paid lines (CO-45, PR-1/2/3, CO-253, OA-23 for a secondary payer),
 * partial and full denials, MUE unit cuts (CO-151, SVC07), a code paid other than billed (SVC06);
 * for a hospital and a Medicare or Medicare Advantage payer, now and then an inpatient stay paid by DRG instead.
 * `priceShare` scales the allowed amount (an original payment later reversed was priced wrong).
 */
export function adjudicateVisit(rng: Random, ctx: ClaimContext, billedVisit: BilledVisit, denial: Denial | null, priceShare = 1): GenClaim {
  const { payer } = ctx;
  // Medicare institutional claims are Part A (CLP06 MA) even for outpatient bill types.
  const filing = ctx.institutional && payer.filing === "MB" ? "MA" : payer.filing;
  const claim: GenClaim = {
    pcn: ctx.pcn, status: "1", chargeCents: 0, paidCents: 0, patientCents: 0, filing, icn: ctx.icn,
    facility: ctx.institutional ? "13" : "11", drg: null, adjustments: [], patient: ctx.patient, insured: ctx.insured,
    rendering: ctx.institutional ? null : ctx.rendering, crossover: false, moa: [], mia: null, refs: [], statement: null,
    received: ctx.received, lines: [],
  };
  if (ctx.institutional && (filing === "MA" || filing === "16") && rng.chance(0.05)) return inpatientStay(rng, claim, ctx.serviceDate);
  const billed = billedVisit.lines;
  const deniedDrug = denial?.scope === "drug" ? billed.findIndex((b) => b.line.revenue === "0636" && !b.modifiers.includes("JW")) : -1;
  let deductibleLeft = rng.chance(payer.deductibleChance) ? rng.int(5_000, 25_700) : 0;
  let copayLeft = payer.filing === "MC" ? 0 : payer.copayCents;
  billed.forEach((b, i) => {
    const line: GenLine = {
      code: b.line.code, modifiers: b.modifiers, revenue: ctx.institutional ? b.line.revenue : null, chargeCents: b.units * b.line.unitChargeCents,
      paidCents: 0, units: b.units, originalUnits: null, originalCode: null, date: ctx.serviceDate, adjustments: [], remarks: [], allowedCents: null,
      control: `${ctx.pcn}L${i + 1}`,
    };
    claim.lines.push(line);
    if (denial !== null && (denial.scope === "claim" || i === deniedDrug)) {
      line.adjustments.push({ group: denial.group, reason: denial.reason, cents: line.chargeCents, quantity: null });
      if (denial.remark !== null) line.remarks.push(denial.remark);
      return;
    }
    let charge = line.chargeCents;
    // Units above the payer's maximum (MUE): SVC05 paid units, SVC07 units billed, CO-151 for the rest.
    if (b.line.revenue === "0636" && b.units > 20 && rng.chance(0.03)) {
      const excess = Math.max(1, Math.round(b.units * 0.1));
      line.units = b.units - excess;
      line.originalUnits = b.units;
      const excessCharge = excess * b.line.unitChargeCents;
      line.adjustments.push({ group: "CO", reason: "151", cents: excessCharge, quantity: excess });
      line.remarks.push("N362");
      charge -= excessCharge;
    } else if (b.line.code === "96413" && rng.chance(0.02)) {
      // Paid as a non-chemotherapy infusion: SVC01 the code paid, SVC06 the code billed.
      line.originalCode = line.code;
      line.code = "96365";
    }
    const allowed = Math.min(charge, Math.round(charge * payer.allowedShare * priceShare * (0.95 + rng.next() * 0.1)));
    line.allowedCents = allowed;
    const co: GenAdjustment[] = [];
    const pr: GenAdjustment[] = [];
    if (charge > allowed) co.push({ group: "CO", reason: "45", cents: charge - allowed, quantity: null });
    if (payer.secondary) {
      // The supplemental payer pays the primary's coinsurance; OA-23 carries the prior payer's adjudication.
      line.paidCents = Math.round(allowed * 0.2);
      line.adjustments.push({ group: "OA", reason: "23", cents: charge - line.paidCents, quantity: null });
      return;
    }
    const deductible = Math.min(deductibleLeft, allowed);
    deductibleLeft -= deductible;
    const coinsurance = Math.round(((allowed - deductible) * payer.coinsurancePercent) / 100);
    const copay = b.line.revenue !== "0636" ? Math.min(copayLeft, allowed - deductible - coinsurance) : 0;
    copayLeft -= copay;
    const payerShare = allowed - deductible - coinsurance - copay;
    const sequestration = payer.sequestration ? Math.round((payerShare * 2) / 100) : 0;
    if (sequestration > 0) co.push({ group: "CO", reason: "253", cents: sequestration, quantity: null });
    if (deductible > 0) pr.push({ group: "PR", reason: "1", cents: deductible, quantity: null });
    if (coinsurance > 0) pr.push({ group: "PR", reason: "2", cents: coinsurance, quantity: null });
    if (copay > 0) pr.push({ group: "PR", reason: "3", cents: copay, quantity: null });
    line.adjustments.push(...co, ...pr);
    line.paidCents = payerShare - sequestration;
    if (rng.chance(0.08)) line.remarks.push(rng.pick(PAID_LINE_REMARKS));
  });
  const anyPaid = claim.lines.some((l) => l.allowedCents !== null);
  // Medicaid copay is per visit: a claim-level PR-3 (CAS before NM1 in 2100).
  const linesPaid = claim.lines.reduce((s, l) => s + l.paidCents, 0);
  if (anyPaid && payer.filing === "MC" && payer.copayCents > 0 && linesPaid >= payer.copayCents) claim.adjustments.push({ group: "PR", reason: "3", cents: payer.copayCents, quantity: null });
  totals(claim);
  claim.status = !anyPaid ? "4" : payer.secondary ? "2" : payer.crossover && rng.chance(0.4) ? "19" : "1";
  claim.crossover = claim.status === "19";
  if (payer.filing === "MB" || filing === "MA" || payer.filing === "16") claim.moa = claim.crossover ? ["MA01", "MA18"] : [rng.pick(MOA_REMARKS)];
  if (denial?.reason === "16" && denial.scope === "claim") claim.moa.push("MA130");
  if (rng.chance(0.5)) claim.refs.push(["EA", `MRN${ctx.patient.id.slice(-6)}`]);
  if (deniedDrug === -1 && claim.lines.some((l) => l.revenue === "0636" || l.code.startsWith("J"))) claim.refs.push(["G1", `AUTH${ctx.pcn.slice(-7)}`]);
  if (ctx.institutional) claim.statement = [ctx.serviceDate, ctx.serviceDate];
  return claim;
}

/** An inpatient chemotherapy admission paid by DRG: claim-level adjustments only, MIA instead of MOA. */
function inpatientStay(rng: Random, claim: GenClaim, admitted: string): GenClaim {
  const days = rng.int(2, 6);
  const charge = rng.int(2_500_000, 6_000_000);
  const drgPayment = rng.int(1_200_000, 2_000_000);
  const deductible = rng.chance(0.3) ? 173_600 : 0;
  const sequestration = Math.round(((drgPayment - deductible) * 2) / 100);
  claim.facility = "11";
  claim.drg = { code: "846", weight: "1.9848" };
  claim.mia = { days, drgCents: drgPayment, remark: "MA01" };
  claim.adjustments = [
    { group: "CO", reason: "45", cents: charge - drgPayment, quantity: null },
    { group: "CO", reason: "253", cents: sequestration, quantity: null },
    ...(deductible > 0 ? [{ group: "PR", reason: "1", cents: deductible, quantity: null }] : []),
  ];
  claim.chargeCents = charge;
  claim.paidCents = drgPayment - deductible - sequestration;
  claim.patientCents = deductible;
  const discharged = new Date(Date.parse(`${admitted.slice(0, 4)}-${admitted.slice(4, 6)}-${admitted.slice(6, 8)}`) + days * 86_400_000);
  claim.statement = [admitted, discharged.toISOString().slice(0, 10).replaceAll("-", "")];
  return claim;
}

/** Claim charge, paid and patient responsibility from its lines and claim-level adjustments. */
export function totals(claim: GenClaim): void {
  claim.chargeCents = claim.lines.reduce((s, l) => s + l.chargeCents, 0);
  claim.paidCents = claim.lines.reduce((s, l) => s + l.paidCents, 0) - sumCents(claim.adjustments);
  const pr = [...claim.adjustments, ...claim.lines.flatMap((l) => l.adjustments)].filter((a) => a.group === "PR");
  claim.patientCents = sumCents(pr);
}

/** The reversal of a claim paid earlier (CLP02 22): every charge, payment and adjustment amount negated (TR3 1.10.2.8). */
export function reversalOf(original: GenClaim): GenClaim {
  const neg = (a: GenAdjustment): GenAdjustment => ({ ...a, cents: -a.cents });
  return {
    ...original, status: "22", chargeCents: -original.chargeCents, paidCents: -original.paidCents, patientCents: -original.patientCents,
    adjustments: original.adjustments.map(neg), crossover: false, refs: original.refs.filter(([q]) => q !== "F8"),
    lines: original.lines.map((l) => ({ ...l, chargeCents: -l.chargeCents, paidCents: -l.paidCents, allowedCents: l.allowedCents === null ? null : -l.allowedCents, adjustments: l.adjustments.map(neg) })),
  };
}
