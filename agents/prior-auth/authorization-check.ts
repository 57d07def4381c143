/**
 * The authorization check of one scheduled dose, pure: is an authorization required (payer rule,
 * white-bag), is one on file that is approved, covers the date of service, has units left for
 * this dose, matches the diagnosis, and will not lapse before the next cycle (reauthorization
 * trigger)? What is missing becomes a needed request and exception reasons.
 */
import type { MedicationOrder } from "../../tools/ehr/ehr-types.js";
import { addDays } from "../../tools/iso-dates.js";
import type { AuthorizationRequestRecord, LedgerAuthorization } from "../../tools/payer/authorization-ledger.js";
import type { AuthRule } from "../../tools/payer/sandbox/payer-config.js";
import type { ExceptionReason } from "../shared/pre-service-checks.js";
import type { CheckedAuthorization, DrugAuthCheck, NeededRequest } from "./state.js";

/** What the check is given. */
export interface DoseCheckInput {
  order: MedicationOrder;
  hcpcs: string;
  dateOfService: string;
  /** Billing units of the dose, or null (with `unitsNote` saying why). */
  units: number | null;
  unitsNote: string | null;
  diagnosisCodes: string[];
  /** Whether the clinic knows the patient's plan at all. */
  planKnown: boolean;
  rule: AuthRule | undefined;
  /** Ledger authorizations with the units other visits drew from each. */
  authorizations: (LedgerAuthorization & { unitsUsedOtherVisits: number })[];
  /** Requests sent for this patient and drug, newest first. */
  requests: Pick<AuthorizationRequestRecord, "id" | "trace" | "status" | "nextCheckOn">[];
  history: { approved: number; denied: number };
}

const norm = (code: string) => code.replace(".", "").toUpperCase();

/** The rule's diagnoses: ICD-10-CM prefixes (payer policy), e.g. C34 for lung. */
export const matchesRule = (dx: string[], prefixes: string[]) => prefixes.length === 0 || dx.some((d) => prefixes.some((p) => norm(d).startsWith(norm(p))));
/** An authorization's diagnoses match at the 3-character category (as the payer adjudicates: CO-11). */
export const matchesAuthorization = (dx: string[], authDx: string[]) =>
  authDx.length === 0 || dx.some((d) => authDx.some((a) => norm(a).slice(0, 3) === norm(d).slice(0, 3)));

/** Checks one dose against the payer's rule and the ledger. */
export function checkDose(input: DoseCheckInput): DrugAuthCheck {
  const { order, rule, dateOfService: dos, units } = input;
  const nextCycleDate = order.cycleDays === null ? null : addDays(dos, order.cycleDays);
  const base: DrugAuthCheck = {
    orderId: order.id, hcpcs: input.hcpcs, drug: order.drugName, units, cycleDays: order.cycleDays, supply: order.supply,
    diagnosisCodes: input.diagnosisCodes, authRequired: false, authValid: null, authNumber: null, remainingAfterDose: null,
    nextCycleDate, reasons: [], notes: input.unitsNote === null ? [] : [input.unitsNote], diagnosisMatchesRule: null,
    deniedOutsideDiagnoses: rule?.denyWhenDiagnosisMismatch ?? true, authorization: null, pendingRequest: null, needsRequest: null,
    history: input.history, likelihood: null,
  };
  if (order.supply === "white-bag") {
    return { ...base, notes: [...base.notes, "White-bag: the specialty pharmacy supplies it under the pharmacy benefit and obtains its authorization"] };
  }
  if (!input.planKnown) return { ...base, notes: [...base.notes, "The clinic has no payer rules for this plan: confirm with the payer whether an authorization is needed"] };
  if (rule === undefined || !rule.required) return { ...base, notes: [...base.notes, "The plan requires no authorization for this drug"] };

  const dxRule = matchesRule(input.diagnosisCodes, rule.diagnosisPrefixes);
  const reasons: ExceptionReason[] = [];
  const notes = [...base.notes, `Authorization required (${rule.diagnosisPrefixes.length === 0 ? "any diagnosis" : `diagnoses ${rule.diagnosisPrefixes.join(", ")}`})`];
  if (!dxRule) {
    reasons.push("auth-diagnosis-mismatch");
    notes.push(`Ordered diagnosis ${input.diagnosisCodes.join(", ") || "(none)"} is outside the payer's covered diagnoses ${rule.diagnosisPrefixes.join(", ")}`);
  }
  const requestUnits = units === null ? null : Math.min(rule.unitCapPerAuth, units * Math.max(1, Math.ceil(rule.validityDays / (order.cycleDays ?? rule.validityDays))));
  const request = (kind: NeededRequest["kind"], from: string): NeededRequest | null =>
    requestUnits === null || requestUnits <= 0 || !dxRule ? null : { kind, from, to: addDays(from, rule.validityDays - 1), units: requestUnits };
  const pending = input.requests.find((r) => r.status === "submitted" || r.status === "pended") ?? null;
  const pendingRequest = pending === null ? null : { id: pending.id, trace: pending.trace, status: pending.status, nextCheckOn: pending.nextCheckOn };
  const approved = input.authorizations.filter((a) => a.status === "approved");
  const remaining = (a: (typeof approved)[number]) => a.unitsApproved - a.unitsUsedPrior - a.unitsUsedOtherVisits;
  const covering = approved.filter((a) => a.start <= dos && dos <= a.end)
    .sort((a, b) => Number(matchesAuthorization(input.diagnosisCodes, b.diagnosisCodes)) - Number(matchesAuthorization(input.diagnosisCodes, a.diagnosisCodes)) || remaining(b) - remaining(a));
  const auth = covering[0];
  const out = { ...base, authRequired: true, diagnosisMatchesRule: dxRule, pendingRequest };

  if (auth === undefined) {
    const expired = approved.find((a) => a.end < dos);
    const latest = input.requests[0];
    if (pending !== null) {
      reasons.push("auth-pended");
      notes.push(`Request ${pending.trace} is ${pending.status} with the payer${pending.nextCheckOn === null ? "" : `; next check ${pending.nextCheckOn}`}`);
      return { ...out, authValid: false, reasons, notes };
    }
    if (latest?.status === "denied" || latest?.status === "rejected") {
      reasons.push("auth-denied");
      notes.push(`The payer ${latest.status === "denied" ? "did not certify" : "rejected"} request ${latest.trace}`);
      return { ...out, authValid: false, reasons, notes };
    }
    if (expired !== undefined) {
      reasons.push("auth-expired");
      notes.push(`Authorization ${expired.authNumber} ended ${expired.end}, before the date of service ${dos}`);
    } else {
      reasons.push("auth-missing");
      notes.push(`No approved authorization on file covers ${dos}`);
    }
    return { ...out, authValid: false, reasons, notes, needsRequest: request("initial", dos) };
  }

  const checked: CheckedAuthorization = {
    authNumber: auth.authNumber, payerId: auth.payerId, start: auth.start, end: auth.end, unitsApproved: auth.unitsApproved,
    unitsUsedPrior: auth.unitsUsedPrior, unitsUsedOtherVisits: auth.unitsUsedOtherVisits, diagnosisCodes: auth.diagnosisCodes,
  };
  const left = remaining(auth);
  const after = units === null ? null : left - units;
  notes.push(`Authorization ${auth.authNumber} (${auth.start} to ${auth.end}): ${auth.unitsApproved} approved, ${auth.unitsUsedPrior + auth.unitsUsedOtherVisits} used, ${left} left${units === null ? "" : `; this dose ${units}`}`);
  const dxAuth = matchesAuthorization(input.diagnosisCodes, auth.diagnosisCodes);
  if (!dxAuth && dxRule) {
    reasons.push("auth-diagnosis-mismatch");
    notes.push(`Ordered diagnosis ${input.diagnosisCodes.join(", ")} does not match the authorization's ${auth.diagnosisCodes.join(", ")}`);
  }
  if (after !== null && after < 0) {
    reasons.push("auth-units-exhausted");
    notes.push(`This dose needs ${units} units but only ${left} remain`);
  }
  const valid = dxRule && dxAuth && (after === null || after >= 0);
  let needsRequest: NeededRequest | null = null;
  if (!valid) needsRequest = reasons.includes("auth-units-exhausted") || !dxAuth ? request("initial", dos) : null;
  else if (nextCycleDate !== null) {
    const lapsesByDate = nextCycleDate > auth.end;
    const lapsesByUnits = after !== null && units !== null && after < units;
    const renewed = pending !== null || approved.some((a) => a !== auth && a.start <= nextCycleDate && nextCycleDate <= a.end);
    if ((lapsesByDate || lapsesByUnits) && !renewed) {
      reasons.push("auth-lapses-before-next-cycle");
      notes.push(lapsesByDate
        ? `The next cycle (${nextCycleDate}) falls after the authorization ends (${auth.end}): reauthorize`
        : `After this dose ${after} units remain, less than the next dose (${units}): reauthorize`);
      needsRequest = request("reauthorization", lapsesByDate ? addDays(auth.end, 1) : nextCycleDate);
    }
  }
  return { ...out, authValid: valid, authNumber: auth.authNumber, remainingAfterDose: after, authorization: checked, reasons, notes, needsRequest };
}
