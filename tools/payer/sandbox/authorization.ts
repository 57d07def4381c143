/**
 * The sandbox payer's decision on a 278 request, per the plan's authorization rules: not found
 * → AAA 75; a dependent (2010D) not on the policy → AAA 67, or 71 when the birth date differs; not required → certified with a note; diagnosis outside the rule → not certified
 * (A3); more units than one authorization covers → modified to the cap (A6); pended turnaround →
 * A4 until the decision date, then certified; otherwise certified (A1) with a number and dates.
 * Re-sending the same request (same trace) follows a pended request until it is decided.
 */
import { createHash } from "node:crypto";
import type pg from "pg";
import { addDays } from "../../iso-dates.js";
import type { AuthResponse278 } from "../../edi/readers/acknowledgments.js";
import type { AuthRequest278 } from "../../edi/readers/request-278.js";
import { findPlan, type PayerConfig } from "./payer-config.js";
import { dependentOnPolicy } from "./eligibility.js";
import { authorizationsFor, findDependents, findMember, saveAuthorization } from "./payer-store.js";


/** Decides one request. `today` is the payer's clock. */
export async function decideAuthorization(pool: pg.Pool, config: PayerConfig, req: AuthRequest278, today: string): Promise<AuthResponse278> {
  const out: AuthResponse278 = { trace: req.trace, traceOriginator: req.traceOriginator ?? null, umo: { name: req.payer.name, idQualifier: req.payer.idQualifier ?? "PI", id: req.payer.id }, subscriber: { lastName: req.subscriber.lastName, firstName: req.subscriber.firstName, memberId: req.subscriber.memberId }, decisions: [], rejections: [] };
  const member = req.payer.id === null || req.subscriber.memberId === null ? null : await findMember(pool, req.payer.id, req.subscriber.memberId);
  const plan = member === null ? undefined : findPlan(config, member.payerId, member.planId)?.plan;
  if (member === null || plan === undefined) {
    out.rejections.push({ code: "75", followUp: "C" });
    return out;
  }
  // A patient named as the subscriber's dependent (2010D) must be on the policy.
  if (req.dependent !== undefined) {
    const found = dependentOnPolicy((await findDependents(pool, member.payerId, [member.memberId])).get(member.memberId) ?? [], req.dependent);
    if ("rejection" in found) {
      out.rejections.push({ code: found.rejection, followUp: "C" });
      return out;
    }
  }
  for (const [i, s] of req.services.entries()) {
    const hcpcs = s.procedure.code;
    const rule = plan.authRules[hcpcs];
    const from = s.from ?? today;
    const base = { level: "service" as const, procedure: s.procedure, quantityQualifier: "UN", diagnoses: req.diagnoses.slice(0, 1), messages: [] as string[] };
    if (rule === undefined || !rule.required) {
      out.decisions.push({ ...base, action: "A1", authorizationNumber: null, reason: null, quantity: s.quantity, certifiedFrom: from, certifiedTo: s.to ?? from, messages: ["NO AUTHORIZATION REQUIRED FOR THIS SERVICE"] });
      continue;
    }
    const dxOk = rule.diagnosisPrefixes.length === 0 || req.diagnoses.some((d) => rule.diagnosisPrefixes.some((p) => d.replace(".", "").startsWith(p)));
    if (!dxOk && rule.denyWhenDiagnosisMismatch) {
      out.decisions.push({ ...base, action: "A3", authorizationNumber: null, reason: "35", quantity: s.quantity, certifiedFrom: null, certifiedTo: null, messages: [`DIAGNOSIS NOT COVERED FOR ${hcpcs} (COVERED ${rule.diagnosisPrefixes.join(" ")})`] });
      continue;
    }
    const trace = `${req.trace ?? "NOTRACE"}-${i + 1}`;
    const existing = (await authorizationsFor(pool, member.payerId, member.memberId, hcpcs)).find((a) => a.requestTrace === trace);
    const quantity = Math.min(s.quantity ?? rule.unitCapPerAuth, rule.unitCapPerAuth);
    // Deterministic: the same request always gets the same number.
    const number = existing?.authNumber ?? `SBA${createHash("sha256").update(`${member.payerId}|${member.memberId}|${hcpcs}|${trace}|${from}`).digest("hex").slice(0, 9).toUpperCase()}`;
    const record = { authNumber: number, payerId: member.payerId, memberId: member.memberId, hcpcs, unitsApproved: quantity, unitsUsed: existing?.unitsUsed ?? 0, start: from, end: addDays(from, rule.validityDays - 1), diagnosisCodes: req.diagnoses, requestTrace: trace };
    const pendedUntil = rule.turnaround.mode === "pended" ? (existing?.decideOn ?? addDays(today, rule.turnaround.days)) : null;
    if (pendedUntil !== null && today < pendedUntil) {
      await saveAuthorization(pool, { ...record, status: "pended", decideOn: pendedUntil });
      out.decisions.push({ ...base, action: "A4", authorizationNumber: null, reason: "0U", quantity: s.quantity, certifiedFrom: null, certifiedTo: null, messages: [`PENDED FOR CLINICAL REVIEW; DECISION BY ${pendedUntil}`] });
      continue;
    }
    await saveAuthorization(pool, { ...record, status: "approved", decideOn: pendedUntil });
    const modified = (s.quantity ?? 0) > rule.unitCapPerAuth;
    out.decisions.push({ ...base, action: modified ? "A6" : "A1", authorizationNumber: number, reason: modified ? "0T" : null, quantity, certifiedFrom: record.start, certifiedTo: record.end, messages: modified ? [`UNITS REDUCED TO THE PLAN MAXIMUM OF ${rule.unitCapPerAuth}`] : [] });
  }
  return out;
}
