/**
 * The sandbox payer's adjudication of 837 claims into an 835, with realistic CARC/RARC:
 * member not found CO-31; coverage terminated CO-27; duplicate CO-18; pharmacy-benefit drug
 * billed under medical CO-96; missing or invalid NDC CO-16 + M119; no valid authorization
 * CO-197; units beyond the authorization CO-198; diagnosis not matching the authorization
 * CO-11; single-dose drug without JW/JZ where the plan requires them (Medicare) CO-4. Paid
 * lines: contract allowed (ASP-based or fee schedule), CO-45 for the rest of the charge,
 * deductible PR-1 and coinsurance PR-2 from the member's accumulators (which move), Medicare
 * sequestration CO-253 — and, for a payer configured to do so, a systematic underpayment.
 */
import { createHash } from "node:crypto";
import { Decimal } from "decimal.js";
import type pg from "pg";
import type { CodingTables } from "../../coding/coding-tables.js";
import { expectedPayment } from "../../coding/expected-payment.js";
import type { ReceivedClaim, ReceivedLine } from "../../edi/readers/claim-837.js";
import type { Claim835, Remittance835, ServiceLine835 } from "../../edi/readers/remittance-835.js";
import { findPlan, type PayerConfig, type Plan } from "./payer-config.js";
import { authorizationsFor, findDependent, findMember, moveAccumulators, moveDependentAccumulators, previousLineKeys, recordClaim, useAuthorizationUnits, type AuthRow } from "./payer-store.js";

const money = (d: Decimal.Value) => new Decimal(d).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
type Adj = ServiceLine835["adjustments"][number];
const denial = (group: string, reason: string, amount: string): Adj => ({ group, reason, amount, quantity: null });

interface LineOutcome {
  line: ServiceLine835;
  denied: boolean;
  authUse?: { authNumber: string; units: number };
  deductible: Decimal;
  patient: Decimal;
}

/** Adjudicates the claims of one 837 and returns the 835 for them (one payer per 835). */
export async function adjudicateClaims(pool: pg.Pool, config: PayerConfig, tables: CodingTables, claims: ReceivedClaim[], today: string): Promise<Remittance835[]> {
  const byPayer = new Map<string, ReceivedClaim[]>();
  for (const c of claims) byPayer.set(c.payer.id ?? "", [...(byPayer.get(c.payer.id ?? "") ?? []), c]);
  const out: Remittance835[] = [];
  for (const [payerId, list] of byPayer) {
    const payer = config.payers.find((p) => p.id === payerId);
    const remit: Remittance835 = {
      payment: { handling: "I", amount: "0.00", creditDebit: "C", method: "ACH", date: today, trace: { type: "1", number: trace(payerId, list, today), originatorId: "1999999999" } },
      productionDate: today, payer: { name: payer?.name ?? list[0]?.payer.name ?? null, idQualifier: "XV", id: payerId },
      payee: { name: list[0]?.billingProvider.name ?? null, idQualifier: "XX", id: list[0]?.billingProvider.npi ?? null },
      claims: [], providerAdjustments: [], balanced: true,
    };
    for (const c of list) remit.claims.push(await adjudicateOne(pool, config, tables, c, today));
    remit.payment.amount = money(remit.claims.reduce((s, c) => s.plus(c.paid), new Decimal(0)));
    out.push(remit);
  }
  return out;
}

/** The payer's claim control number (277CA REF*1K, 835 CLP07): stable for a claim received on a day; a duplicate gets its own. */
export function payerClaimControlNumber(payerId: string, claimId: string, today: string, duplicate = false): string {
  return `PCN${createHash("sha256").update(`${payerId}|${claimId}|${today}|${duplicate}`).digest("hex").slice(0, 12).toUpperCase()}`;
}

function trace(payerId: string, claims: ReceivedClaim[], today: string): string {
  return `SBX${createHash("sha256").update(`${payerId}|${today}|${claims.map((c) => c.claimId).join(",")}`).digest("hex").slice(0, 12).toUpperCase()}`;
}

async function adjudicateOne(pool: pg.Pool, config: PayerConfig, tables: CodingTables, c: ReceivedClaim, today: string): Promise<Claim835> {
  const payerId = c.payer.id ?? "";
  const subscriber = c.subscriber.memberId === null ? null : await findMember(pool, payerId, c.subscriber.memberId);
  // A dependent patient (2000C) is found on the subscriber's policy by name and birth date; one
  // the member file does not have is not covered (CO-31), like an unknown member.
  const dependent = subscriber === null || c.patient === null ? null : await findDependent(pool, payerId, subscriber.memberId, c.patient);
  const member = subscriber === null || (c.patient !== null && dependent === null) ? null : subscriber;
  const covered = dependent ?? member;
  const found = member === null ? undefined : findPlan(config, member.payerId, member.planId);
  const serviceDate = c.lines[0]?.serviceDate ?? today;
  // A dependent's lines are theirs: the same service for the subscriber the same day is no duplicate.
  const keyPrefix = dependent === null ? "" : `D${dependent.sequence}:`;
  const lineKeys = c.lines.map((l) => `${keyPrefix}${l.procedure.code}:${l.procedure.modifiers.join("+")}:${l.units ?? 0}:${l.serviceDate ?? ""}`);
  const previous = member === null ? new Set<string>() : await previousLineKeys(pool, payerId, member.memberId, serviceDate);
  const duplicate = lineKeys.length > 0 && lineKeys.every((k) => previous.has(k));
  const auths = member === null ? [] : await authorizationsFor(pool, payerId, member.memberId);
  const state = { deductibleLeft: new Decimal(0), oopLeft: new Decimal(0) };
  if (covered !== null && found !== undefined) {
    state.deductibleLeft = Decimal.max(new Decimal(found.plan.deductible).minus(covered.deductibleMet), 0);
    state.oopLeft = Decimal.max(new Decimal(found.plan.oopMax).minus(covered.oopMet), 0);
  }
  const outcomes: LineOutcome[] = [];
  for (const l of c.lines) {
    const base: ServiceLine835 = {
      procedure: { qualifier: "HC", code: l.procedure.code, modifiers: l.procedure.modifiers, description: null }, charge: l.charge ?? "0.00", paid: "0.00",
      revenueCode: l.revenueCode, units: l.units ?? 1, originalProcedure: null, originalUnits: null, serviceDates: { start: l.serviceDate, end: l.serviceDateEnd ?? l.serviceDate },
      adjustments: [], remarks: [], controlNumber: l.lineControlNumber, allowed: null,
    };
    const deny = (reason: string, remark?: string): LineOutcome => {
      base.adjustments.push(denial("CO", reason, base.charge));
      if (remark !== undefined) base.remarks.push({ qualifier: "HE", code: remark });
      return { line: base, denied: true, deductible: new Decimal(0), patient: new Decimal(0) };
    };
    if (member === null || covered === null || found === undefined) outcomes.push(deny("31"));
    else if (serviceDate < covered.coverageStart || (covered.coverageEnd !== null && serviceDate > covered.coverageEnd)) outcomes.push(deny("27"));
    else if (duplicate) outcomes.push(deny("18"));
    else outcomes.push(priceLine(tables, found.plan, found.payer.type, config, auths, c, l, base, state, deny));
  }
  const lines = outcomes.map((o) => o.line);
  const charge = money(lines.reduce((s, l) => s.plus(l.charge), new Decimal(0)));
  const paid = money(lines.reduce((s, l) => s.plus(l.paid), new Decimal(0)));
  const patient = outcomes.reduce((s, o) => s.plus(o.patient), new Decimal(0));
  const allDenied = outcomes.every((o) => o.denied);
  const payerClaimId = payerClaimControlNumber(payerId, c.claimId, today, duplicate);
  if (member !== null) {
    await recordClaim(pool, { payerId, claimId: c.claimId, payerClaimId, memberId: member.memberId, serviceDate, lineKeys, status: allDenied ? "4" : "1", charge, paid, patientResp: money(patient) });
    if (!allDenied) {
      const deductible = money(outcomes.reduce((s, o) => s.plus(o.deductible), new Decimal(0)));
      if (dependent === null) await moveAccumulators(pool, payerId, member.memberId, deductible, money(patient));
      else await moveDependentAccumulators(pool, payerId, member.memberId, dependent.sequence, deductible, money(patient));
      for (const o of outcomes) if (o.authUse !== undefined) await useAuthorizationUnits(pool, o.authUse.authNumber, o.authUse.units);
    }
  }
  return {
    patientControlNumber: c.claimId, status: allDenied ? "4" : "1", charge, paid, patientResponsibility: money(patient),
    filingIndicator: c.subscriber.filingIndicator === "MB" ? "MB" : "12", payerClaimControlNumber: payerClaimId, facilityCode: c.facilityCode, frequency: c.frequency,
    adjustments: [],
    // 2100 NM1*QC is the patient; NM1*IL the insured when the patient is someone else (X221A1).
    patient: c.patient === null ? { entity: "QC", lastName: c.subscriber.lastName, firstName: c.subscriber.firstName, idQualifier: "MI", id: c.subscriber.memberId }
      : { entity: "QC", lastName: c.patient.lastName, firstName: c.patient.firstName, idQualifier: null, id: null },
    insured: c.patient === null ? null : { entity: "IL", lastName: c.subscriber.lastName, firstName: c.subscriber.firstName, idQualifier: "MI", id: c.subscriber.memberId }, renderingProvider: null, outpatientRemarks: [], inpatientRemarks: [], references: [], dates: { statementStart: c.statementFrom, statementEnd: c.statementTo, received: today }, lines,
  };
}

function priceLine(
  tables: CodingTables, plan: Plan, payerType: "medicare" | "medicare-advantage" | "commercial" | "medicaid", config: PayerConfig,
  auths: AuthRow[], claim: ReceivedClaim, l: ReceivedLine, base: ServiceLine835, state: { deductibleLeft: Decimal; oopLeft: Decimal },
  deny: (reason: string, remark?: string) => LineOutcome,
): LineOutcome {
  const code = l.procedure.code;
  const dos = l.serviceDate ?? "";
  const drug = tables.drugs.byCode(code);
  let authUse: LineOutcome["authUse"];
  let allowed: Decimal;
  if (/^[JQ]\d{4}$/.test(code)) {
    if ((plan.benefitRouting[code] ?? plan.defaultRoute) === "pharmacy") return deny("96", "N425");
    const ndc = l.drug?.ndc ?? "";
    if (ndc === "" || !tables.crosswalk.matches(ndc, code, dos).matches) return deny("16", "M119");
    const rule = plan.authRules[code];
    if (rule?.required === true) {
      const billed = claim.lines.filter((x) => x.procedure.code === code).reduce((s, x) => s + (x.units ?? 0), 0);
      const covering = auths.filter((a) => a.hcpcs === code && a.status === "approved" && dos >= a.start && dos <= a.end);
      const auth = covering[0];
      if (auth === undefined) return deny("197");
      const dxOk = auth.diagnosisCodes.length === 0 || claim.diagnoses.some((d) => auth.diagnosisCodes.some((a) => a.replace(".", "").slice(0, 3) === d.code.replace(".", "").slice(0, 3)));
      if (!dxOk) return deny("11");
      if (auth.unitsUsed + billed > auth.unitsApproved) return deny("198", "N54");
      if (!l.procedure.modifiers.includes("JW")) authUse = { authNumber: auth.authNumber, units: billed };
    }
    if (plan.adjudication.requireWasteModifiers && drug?.singleDose === true && !l.procedure.modifiers.includes("JW") && !l.procedure.modifiers.includes("JZ")) {
      const hasWasteLine = claim.lines.some((x) => x !== l && x.procedure.code === code && x.procedure.modifiers.includes("JW"));
      if (!hasWasteLine) return deny("4", "N519");
    }
    const contract = plan.contract.kind === "asp-percent" ? { kind: "asp-percent" as const, percentOfAsp: plan.contract.percentOfAsp }
      : plan.contract.rates[code] !== undefined ? { kind: "fee-schedule" as const, rate: plan.contract.rates[code] as string }
        : { kind: "asp-percent" as const, percentOfAsp: plan.contract.fallbackPercentOfAsp };
    try {
      // The simulated payer prices from the latest file the sandbox has when the quarter in
      // force is not loaded (a real payer has it); denying every drug line as non-covered would
      // be a fiction of the sandbox, not of the claim.
      allowed = new Decimal(expectedPayment(tables.asp, { hcpcs: code, units: l.units ?? 1, dateOfService: dos, payerType, contract, allowStale: true }).allowed);
    } catch {
      return deny("96");
    }
  } else {
    const rate = config.administrationFeeSchedule[code];
    if (rate === undefined) return deny("96");
    allowed = new Decimal(rate).times(l.units ?? 1);
  }
  // A payer configured to underpay pays a share of its own contract.
  allowed = new Decimal(money(allowed.times(plan.adjudication.paysPercentOfContract).dividedBy(100)));
  const charge = new Decimal(base.charge);
  if (allowed.gt(charge)) allowed = charge;
  const deductible = Decimal.min(state.deductibleLeft, allowed);
  state.deductibleLeft = state.deductibleLeft.minus(deductible);
  let coinsurance = new Decimal(money(allowed.minus(deductible).times(plan.coinsurancePercent).dividedBy(100)));
  const cap = Decimal.max(state.oopLeft.minus(deductible), 0);
  if (coinsurance.gt(cap)) coinsurance = cap;
  state.oopLeft = Decimal.max(state.oopLeft.minus(deductible).minus(coinsurance), 0);
  const payerShare = allowed.minus(deductible).minus(coinsurance);
  const sequestration = payerType === "medicare" ? new Decimal(money(payerShare.times(2).dividedBy(100))) : new Decimal(0);
  if (charge.gt(allowed)) base.adjustments.push(denial("CO", "45", money(charge.minus(allowed))));
  if (deductible.gt(0)) base.adjustments.push(denial("PR", "1", money(deductible)));
  if (coinsurance.gt(0)) base.adjustments.push(denial("PR", "2", money(coinsurance)));
  if (sequestration.gt(0)) base.adjustments.push(denial("CO", "253", money(sequestration)));
  base.allowed = money(allowed);
  base.paid = money(payerShare.minus(sequestration));
  return { line: base, denied: false, authUse, deductible, patient: deductible.plus(coinsurance) };
}
