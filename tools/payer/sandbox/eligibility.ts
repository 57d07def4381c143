/**
 * The sandbox payer's answer to a 270, as 005010X279A1 lays it out:
 * - unknown payer → AAA 79 (2100A); unknown member → AAA 75 (2100C); a birth date that does not
 *   match the member's → AAA 71;
 * - a dependent (the 270's 2000D: no member id of their own) is answered in 2000D/2100D/2110D —
 *   the subscriber's 2000C names the subscriber and carries no EB, like the TR3's example; a
 *   dependent the policy does not cover → AAA 67 (2100D), a birth date that differs → AAA 71;
 * - coverage: DTP*346 plan begin, 347 plan end when there is one, 307 the date the answer covers
 *   (the date of service asked); EB*1 active on that date or EB*6 inactive;
 * - deductible and out-of-pocket for the calendar year and remaining (EB*C / EB*G, individual and,
 *   where the plan has one, family); coinsurance (EB*A, in network); and per drug the benefit route
 *   (EB*1 with service type 78 medical or 88 pharmacy and the HCPCS in EB13) with the
 *   authorization-required flag (EB11);
 * - a member's eligibility style, when set, makes the answer what some real payers send instead:
 *   EB*5 (active, pending investigation), no status row at all, or 307 = the day asked.
 */
import { Decimal } from "decimal.js";
import type pg from "pg";
import type { Benefit, Eligibility271, EligibilitySubject } from "../../edi/readers/eligibility-271.js";
import type { EligibilityRequest270 } from "../../edi/readers/request-270.js";
import { DEFAULT_TRACE_ORIGINATOR, traceOriginator } from "../../edi/trace.js";
import { findPlan, type PayerConfig, type Plan } from "./payer-config.js";
import { findDependents, findMember, findMembers, type DependentRow, type MemberRow } from "./payer-store.js";

const benefit = (b: Partial<Benefit> & Pick<Benefit, "code">): Benefit => ({
  coverageLevel: "IND", serviceTypes: ["30"], insuranceType: null, planDescription: null, timePeriod: null, amount: null, percent: null,
  quantityQualifier: null, quantity: null, authorizationRequired: null, inNetwork: null, procedure: null, messages: [], dates: [], rejections: [], relatedEntities: [], ...b,
});
const remaining = (limit: string, met: string) => Decimal.max(new Decimal(limit).minus(met), 0).toFixed(2);
const same = (a: string | null, b: string | null) => (a ?? "").trim().toUpperCase() === (b ?? "").trim().toUpperCase();

/** The provider that asked, as its NM1*1P named it (NM108 with NM109). */
type Receiver = { name: string; idQualifier: string; id: string };
const configuredPayer = (config: PayerConfig, req: EligibilityRequest270) => config.payers.find((p) => p.id === req.payer.id);

/** Answers one eligibility inquiry. */
export async function answerEligibility(pool: pg.Pool, config: PayerConfig, req: EligibilityRequest270, receiver: Receiver, today: string): Promise<Eligibility271> {
  const payerConfig = configuredPayer(config, req);
  const memberId = req.subscriber.memberId;
  const member = payerConfig === undefined || memberId === null ? null : await findMember(pool, payerConfig.id, memberId);
  const dependents = member === null || req.dependent === undefined ? [] : (await findDependents(pool, member.payerId, [member.memberId])).get(member.memberId) ?? [];
  return answer(config, req, receiver, member, dependents, today);
}

/**
 * Answers the inquiries of a batch 270, in order, each exactly as `answerEligibility` would: the
 * members (and the dependents asked about) are read up front, one statement per payer asked about.
 */
export async function answerEligibilityBatch(pool: pg.Pool, config: PayerConfig, requests: readonly EligibilityRequest270[], receiver: (req: EligibilityRequest270) => Receiver, today: string): Promise<Eligibility271[]> {
  const wanted = new Map<string, { members: string[]; withDependents: string[] }>();
  for (const req of requests) {
    const payerConfig = configuredPayer(config, req);
    if (payerConfig === undefined || req.subscriber.memberId === null) continue;
    const ids = wanted.get(payerConfig.id) ?? { members: [], withDependents: [] };
    ids.members.push(req.subscriber.memberId);
    if (req.dependent !== undefined) ids.withDependents.push(req.subscriber.memberId);
    wanted.set(payerConfig.id, ids);
  }
  const members = new Map<string, Map<string, MemberRow>>();
  const dependents = new Map<string, Map<string, DependentRow[]>>();
  for (const [payerId, ids] of wanted) {
    members.set(payerId, await findMembers(pool, payerId, ids.members));
    if (ids.withDependents.length > 0) dependents.set(payerId, await findDependents(pool, payerId, ids.withDependents));
  }
  return requests.map((req) => {
    const payerId = configuredPayer(config, req)?.id;
    const memberId = req.subscriber.memberId;
    const member = payerId === undefined || memberId === null ? null : members.get(payerId)?.get(memberId) ?? null;
    const deps = member === null || req.dependent === undefined ? [] : dependents.get(member.payerId)?.get(member.memberId) ?? [];
    return answer(config, req, receiver(req), member, deps, today);
  });
}

const reject = (code: string) => ({ valid: "N", code, followUp: "C" });

/** The 271 for an inquiry, given the member it names (null when there is none) and that member's dependents. */
function answer(config: PayerConfig, req: EligibilityRequest270, receiver: Receiver, member: MemberRow | null, dependents: readonly DependentRow[], today: string): Eligibility271 {
  const payerConfig = configuredPayer(config, req);
  const response: Eligibility271 = {
    informationSource: { name: payerConfig?.name ?? req.payer.name, idQualifier: "PI", id: req.payer.id, rejections: [] },
    receiver: { name: receiver.name, idQualifier: receiver.idQualifier, id: receiver.id, rejections: [] },
    subjects: [], rejections: [],
  };
  const traces = req.trace === null ? [] : [{ type: "2", number: req.trace, originatorId: echoedOriginator(req.provider.npi) }];
  const asked = req.dependent;
  // The subscriber loop carries the trace unless a dependent loop answers.
  const subscriber = subject("subscriber", { lastName: req.subscriber.lastName, firstName: req.subscriber.firstName, memberId: req.subscriber.memberId });
  response.subjects.push(subscriber);
  const found = payerConfig === undefined || member === null ? undefined : findPlan(config, member.payerId, member.planId);
  if (payerConfig === undefined) {
    subscriber.traces = traces;
    response.informationSource.rejections.push(reject("79"));
    return response;
  }
  if (member === null || found === undefined) {
    subscriber.traces = traces;
    subscriber.rejections.push(reject("75"));
    return response;
  }
  const { plan } = found;
  Object.assign(subscriber, { lastName: member.lastName, firstName: member.firstName, birthDate: member.birthDate, gender: member.gender });
  if (asked === undefined) {
    subscriber.traces = traces;
    if (req.subscriber.birthDate !== null && req.subscriber.birthDate !== member.birthDate) {
      subscriber.rejections.push(reject("71"));
      return response;
    }
    cover(subscriber, plan, member, { familyDeductibleMet: member.familyDeductibleMet, style: member.eligibilityStyle, today }, req);
    return response;
  }
  const dependent = subject("dependent", { lastName: asked.lastName, firstName: asked.firstName, memberId: null });
  dependent.traces = traces;
  response.subjects.push(dependent);
  const onPolicy = dependentOnPolicy(dependents, asked);
  if ("rejection" in onPolicy) {
    dependent.rejections.push(reject(onPolicy.rejection));
    return response;
  }
  const person = onPolicy.person;
  Object.assign(dependent, { lastName: person.lastName, firstName: person.firstName, birthDate: person.birthDate, gender: person.gender, relationship: person.relationship });
  cover(dependent, plan, person, { familyDeductibleMet: member.familyDeductibleMet, style: member.eligibilityStyle, today }, req);
  return response;
}

/**
 * The dependent a request names, among the policy's (by name, then birth date): AAA 67 patient not
 * found, 71 patient birth date does not match (005010X279A1 and X217, 2010D AAA03).
 */
export function dependentOnPolicy(dependents: readonly DependentRow[], asked: { lastName: string | null; firstName: string | null; birthDate: string | null }): { person: DependentRow } | { rejection: "67" | "71" } {
  const person = dependents.find((d) => same(d.lastName, asked.lastName) && same(d.firstName, asked.firstName));
  if (person === undefined) return { rejection: "67" };
  if (asked.birthDate !== null && asked.birthDate !== person.birthDate) return { rejection: "71" };
  return { person };
}

function subject(level: EligibilitySubject["level"], who: { lastName: string | null; firstName: string | null; memberId: string | null }): EligibilitySubject {
  return {
    level, ...who, idQualifier: who.memberId === null ? null : "MI", birthDate: null, gender: null, relationship: null,
    traces: [], rejections: [], dates: [], coverageActive: null, planName: null, benefits: [],
  };
}

/**
 * A person's coverage on the date asked: dates, status, accumulators, coinsurance and drug routing
 * — the plain answer, or the member's eligibility style (what some real payers send instead).
 */
function cover(s: EligibilitySubject, plan: Plan, person: MemberRow | DependentRow, family: { familyDeductibleMet: string | null; style: MemberRow["eligibilityStyle"]; today: string }, req: EligibilityRequest270): void {
  const dos = req.dateOfService ?? person.coverageStart;
  const active = dos >= person.coverageStart && (person.coverageEnd === null || dos <= person.coverageEnd);
  Object.assign(s, { coverageActive: active, planName: plan.name });
  s.dates.push({ qualifier: "346", start: person.coverageStart, end: person.coverageStart });
  if (person.coverageEnd !== null) s.dates.push({ qualifier: "347", start: person.coverageEnd, end: person.coverageEnd });
  const answeredFor = family.style === "answers-for-today" ? family.today : req.dateOfService;
  if (answeredFor !== null) s.dates.push({ qualifier: "307", start: answeredFor, end: answeredFor });
  if (!active) {
    s.benefits.push(benefit({ code: "6", planDescription: plan.name }));
    return;
  }
  if (family.style !== "no-status") s.benefits.push(benefit({ code: family.style === "pending-investigation" ? "5" : "1", serviceTypes: ["30", "1", "78", "50", "98"], planDescription: plan.name }));
  s.benefits.push(benefit({ code: "C", timePeriod: "23", amount: new Decimal(plan.deductible).toFixed(2) }));
  s.benefits.push(benefit({ code: "C", timePeriod: "29", amount: remaining(plan.deductible, person.deductibleMet) }));
  if (plan.familyDeductible !== undefined && family.familyDeductibleMet !== null) {
    s.benefits.push(benefit({ code: "C", coverageLevel: "FAM", timePeriod: "23", amount: new Decimal(plan.familyDeductible).toFixed(2) }));
    s.benefits.push(benefit({ code: "C", coverageLevel: "FAM", timePeriod: "29", amount: remaining(plan.familyDeductible, family.familyDeductibleMet) }));
  }
  s.benefits.push(benefit({ code: "G", timePeriod: "23", amount: new Decimal(plan.oopMax).toFixed(2) }));
  s.benefits.push(benefit({ code: "G", timePeriod: "29", amount: remaining(plan.oopMax, person.oopMet) }));
  s.benefits.push(benefit({ code: "A", serviceTypes: ["78"], percent: new Decimal(plan.coinsurancePercent).dividedBy(100).toFixed(2), inNetwork: "Y" }));
  // Drug-level routing and authorization, for the drugs asked about (or every drug the plan names).
  const drugs = req.procedures.length > 0 ? req.procedures : [...new Set([...Object.keys(plan.benefitRouting), ...Object.keys(plan.authRules)])];
  for (const hcpcs of drugs) {
    const route = plan.benefitRouting[hcpcs] ?? plan.defaultRoute;
    const auth = plan.authRules[hcpcs]?.required === true && route === "medical";
    s.benefits.push(benefit({
      code: "1", serviceTypes: [route === "pharmacy" ? "88" : "78"], authorizationRequired: auth, inNetwork: "Y",
      procedure: { qualifier: "HC", code: hcpcs, modifiers: [] },
      messages: route === "pharmacy" ? [`${hcpcs} IS COVERED UNDER THE PHARMACY BENEFIT (SPECIALTY PHARMACY)`] : [],
    }));
  }
}

/**
 * TRN03 echoed on the 271's TRN*2: the originator our 270 writer derives from the provider's NPI
 * (the 270 model does not keep TRN03); the default when the inquiry named no usable NPI.
 */
function echoedOriginator(npi: string | null): string {
  return npi !== null && /^\d{10}$/.test(npi) ? traceOriginator({ npi }) : DEFAULT_TRACE_ORIGINATOR;
}
