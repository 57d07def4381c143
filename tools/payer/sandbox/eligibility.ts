/**
 * The sandbox payer's answer to a 270: unknown member → AAA 75; coverage on the date of service
 * (EB*1) or not (EB*6 with the coverage dates); deductible and out-of-pocket for the calendar year
 * and remaining (EB*C / EB*G, individual and family); coinsurance (EB*A); and per drug the benefit
 * route (EB*1 with service type 78 medical or 88 pharmacy and the HCPCS in EB13) with the
 * authorization-required flag (EB11).
 */
import { Decimal } from "decimal.js";
import type pg from "pg";
import type { Benefit, Eligibility271, EligibilitySubject } from "../../edi/readers/eligibility-271.js";
import type { EligibilityRequest270 } from "../../edi/readers/request-270.js";
import { DEFAULT_TRACE_ORIGINATOR, traceOriginator } from "../../edi/trace.js";
import { findPlan, type PayerConfig } from "./payer-config.js";
import { findMember, findMembers, type MemberRow } from "./payer-store.js";

const benefit = (b: Partial<Benefit> & Pick<Benefit, "code">): Benefit => ({
  coverageLevel: "IND", serviceTypes: ["30"], insuranceType: null, planDescription: null, timePeriod: null, amount: null, percent: null,
  quantityQualifier: null, quantity: null, authorizationRequired: null, inNetwork: null, procedure: null, messages: [], dates: [], relatedEntities: [], ...b,
});
const remaining = (limit: string, met: string) => Decimal.max(new Decimal(limit).minus(met), 0).toFixed(2);

type Receiver = { name: string; npi: string };
const configuredPayer = (config: PayerConfig, req: EligibilityRequest270) => config.payers.find((p) => p.id === req.payer.id);

/** Answers one eligibility inquiry. */
export async function answerEligibility(pool: pg.Pool, config: PayerConfig, req: EligibilityRequest270, receiver: Receiver): Promise<Eligibility271> {
  const payerConfig = configuredPayer(config, req);
  const member = payerConfig === undefined || req.subscriber.memberId === null ? null : await findMember(pool, payerConfig.id, req.subscriber.memberId);
  return answer(config, req, receiver, member);
}

/**
 * Answers the inquiries of a batch 270, in order, each exactly as `answerEligibility` would: the
 * members are read up front, one statement per payer asked about (one for a payer's batch).
 */
export async function answerEligibilityBatch(pool: pg.Pool, config: PayerConfig, requests: readonly EligibilityRequest270[], receiver: (req: EligibilityRequest270) => Receiver): Promise<Eligibility271[]> {
  const wanted = new Map<string, string[]>();
  for (const req of requests) {
    const payerConfig = configuredPayer(config, req);
    if (payerConfig === undefined || req.subscriber.memberId === null) continue;
    const ids = wanted.get(payerConfig.id) ?? [];
    ids.push(req.subscriber.memberId);
    wanted.set(payerConfig.id, ids);
  }
  const members = new Map<string, Map<string, MemberRow>>();
  for (const [payerId, ids] of wanted) members.set(payerId, await findMembers(pool, payerId, ids));
  return requests.map((req) => {
    const payerId = configuredPayer(config, req)?.id;
    const member = payerId === undefined || req.subscriber.memberId === null ? null : members.get(payerId)?.get(req.subscriber.memberId) ?? null;
    return answer(config, req, receiver(req), member);
  });
}

/** The 271 for an inquiry, given the member it names (null when there is none). */
function answer(config: PayerConfig, req: EligibilityRequest270, receiver: Receiver, member: MemberRow | null): Eligibility271 {
  const payerConfig = configuredPayer(config, req);
  const response: Eligibility271 = {
    informationSource: { name: payerConfig?.name ?? req.payer.name, idQualifier: "PI", id: req.payer.id, rejections: [] },
    receiver: { name: receiver.name, idQualifier: "XX", id: receiver.npi, rejections: [] },
    subjects: [], rejections: [],
  };
  const subject: EligibilitySubject = {
    level: "subscriber", lastName: req.subscriber.lastName, firstName: req.subscriber.firstName, memberId: req.subscriber.memberId,
    birthDate: null, gender: null, traces: req.trace === null ? [] : [{ type: "2", number: req.trace, originatorId: echoedOriginator(req.provider.npi) }],
    rejections: [], dates: [], coverageActive: null, planName: null, benefits: [],
  };
  response.subjects.push(subject);
  if (payerConfig === undefined) {
    response.informationSource.rejections.push({ valid: "N", code: "79", followUp: "C" });
    return response;
  }
  if (member === null) {
    subject.rejections.push({ valid: "N", code: "75", followUp: "C" });
    return response;
  }
  const found = findPlan(config, member.payerId, member.planId);
  if (found === undefined) {
    subject.rejections.push({ valid: "N", code: "75", followUp: "C" });
    return response;
  }
  const { plan } = found;
  Object.assign(subject, { lastName: member.lastName, firstName: member.firstName, birthDate: member.birthDate, gender: member.gender, planName: plan.name });
  const dos = req.dateOfService ?? member.coverageStart;
  const active = dos >= member.coverageStart && (member.coverageEnd === null || dos <= member.coverageEnd);
  subject.coverageActive = active;
  subject.dates.push(member.coverageEnd === null
    ? { qualifier: "346", start: member.coverageStart, end: member.coverageStart }
    : { qualifier: "307", start: member.coverageStart, end: member.coverageEnd });
  if (!active) {
    subject.benefits.push(benefit({ code: "6", planDescription: plan.name }));
    return response;
  }
  subject.benefits.push(benefit({ code: "1", serviceTypes: ["30", "1", "78", "50", "98"], planDescription: plan.name }));
  subject.benefits.push(benefit({ code: "C", timePeriod: "23", amount: new Decimal(plan.deductible).toFixed(2) }));
  subject.benefits.push(benefit({ code: "C", timePeriod: "29", amount: remaining(plan.deductible, member.deductibleMet) }));
  if (plan.familyDeductible !== undefined && member.familyDeductibleMet !== null) {
    subject.benefits.push(benefit({ code: "C", coverageLevel: "FAM", timePeriod: "23", amount: new Decimal(plan.familyDeductible).toFixed(2) }));
    subject.benefits.push(benefit({ code: "C", coverageLevel: "FAM", timePeriod: "29", amount: remaining(plan.familyDeductible, member.familyDeductibleMet) }));
  }
  subject.benefits.push(benefit({ code: "G", timePeriod: "23", amount: new Decimal(plan.oopMax).toFixed(2) }));
  subject.benefits.push(benefit({ code: "G", timePeriod: "29", amount: remaining(plan.oopMax, member.oopMet) }));
  subject.benefits.push(benefit({ code: "A", serviceTypes: ["78"], percent: new Decimal(plan.coinsurancePercent).dividedBy(100).toFixed(2), inNetwork: "Y" }));
  // Drug-level routing and authorization, for the drugs asked about (or every drug the plan names).
  const drugs = req.procedures.length > 0 ? req.procedures : [...new Set([...Object.keys(plan.benefitRouting), ...Object.keys(plan.authRules)])];
  for (const hcpcs of drugs) {
    const route = plan.benefitRouting[hcpcs] ?? plan.defaultRoute;
    const auth = plan.authRules[hcpcs]?.required === true && route === "medical";
    subject.benefits.push(benefit({
      code: "1", serviceTypes: [route === "pharmacy" ? "88" : "78"], authorizationRequired: auth, inNetwork: "Y",
      procedure: { qualifier: "HC", code: hcpcs, modifiers: [] },
      messages: route === "pharmacy" ? [`${hcpcs} IS COVERED UNDER THE PHARMACY BENEFIT (SPECIALTY PHARMACY)`] : [],
    }));
  }
  return response;
}

/**
 * TRN03 echoed on the 271's TRN*2: the originator our 270 writer derives from the provider's NPI
 * (the 270 model does not keep TRN03); the default when the inquiry named no usable NPI.
 */
function echoedOriginator(npi: string | null): string {
  return npi !== null && /^\d{10}$/.test(npi) ? traceOriginator({ npi }) : DEFAULT_TRACE_ORIGINATOR;
}
