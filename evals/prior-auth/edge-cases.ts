/**
 * Hand-written authorization edge cases: each a scenario (chart, payer member, authorizations on
 * file) with its labels. Visits on 2026-03-06, every 21 days, on the commercial PPO (authorizations
 * decided at once, valid 365 days, pembrolizumab covered for C34/C43/C50) unless said otherwise.
 */
import type { Scenario } from "../../tools/sandbox/scenario-clinic.js";
import type { PayerAuthorization } from "../../tools/sandbox/world.js";
import { validateCases, type EvalCase } from "../case.js";
import { DRUGS, PLANS } from "../sandbox-plans.js";

const JUDGED = ["auth-missing", "auth-expired", "auth-units-exhausted", "auth-diagnosis-mismatch", "auth-pended", "auth-denied", "auth-lapses-before-next-cycle"] as const;
const { ppo, hdhp, medicareAdvantage: ma, medicare } = PLANS;
const { pembrolizumab: pembro, bevacizumab: bev } = DRUGS;

type Drug = NonNullable<EvalCase["expected"]["drugs"]>[number];
interface Edge {
  id: string;
  description: string;
  payer?: typeof ppo;
  drugs?: Scenario["drugs"];
  diagnosis?: string;
  auths?: Partial<PayerAuthorization>[];
  reasons: EvalCase["expected"]["reasons"];
  expectDrugs: Drug[];
}

const EDGES: Edge[] = [
  { id: "valid", description: "approved, covers the visit and the next cycle, units left, diagnosis matches", auths: [{}], reasons: [], expectDrugs: [{ hcpcs: "J9271", authRequired: true, authValid: true }] },
  { id: "lapse-mid-cycle", description: "valid on the visit, ends before the next cycle (reauthorize)", auths: [{ end: "2026-03-20" }], reasons: ["auth-lapses-before-next-cycle"], expectDrugs: [{ hcpcs: "J9271", authRequired: true, authValid: true }] },
  { id: "expired", description: "ended the day before the visit", auths: [{ start: "2025-09-01", end: "2026-03-05" }], reasons: ["auth-expired"], expectDrugs: [{ hcpcs: "J9271", authRequired: true, authValid: false }] },
  { id: "missing", description: "no authorization on file", auths: [], reasons: ["auth-missing"], expectDrugs: [{ hcpcs: "J9271", authRequired: true, authValid: false }] },
  { id: "future-start", description: "the only authorization starts after the visit", auths: [{ start: "2026-03-10", end: "2027-03-09" }], reasons: ["auth-missing"], expectDrugs: [{ hcpcs: "J9271", authRequired: true, authValid: false }] },
  { id: "units-exhausted", description: "400 approved, 300 used: this 200-unit dose exceeds what is left", auths: [{ unitsApproved: 400, unitsUsed: 300 }], reasons: ["auth-units-exhausted"], expectDrugs: [{ hcpcs: "J9271", authRequired: true, authValid: false }] },
  { id: "units-last-dose", description: "400 approved, 200 used: this dose uses the last units (reauthorize for the next)", auths: [{ unitsApproved: 400, unitsUsed: 200 }], reasons: ["auth-lapses-before-next-cycle"], expectDrugs: [{ hcpcs: "J9271", authRequired: true, authValid: true }] },
  { id: "dx-outside-policy", description: "ordered for colon cancer; the plan covers pembrolizumab for lung, melanoma, breast", diagnosis: "C18.9", auths: [], reasons: ["auth-diagnosis-mismatch", "auth-missing"], expectDrugs: [{ hcpcs: "J9271", authRequired: true, authValid: false }] },
  { id: "dx-auth-mismatch", description: "authorization issued for melanoma, ordered for lung cancer", auths: [{ diagnosisCodes: ["C43.9"] }], reasons: ["auth-diagnosis-mismatch"], expectDrugs: [{ hcpcs: "J9271", authRequired: true, authValid: false }] },
  { id: "expired-and-renewed", description: "an expired authorization and its renewal covering the visit", auths: [{ authNumber: "OLD", start: "2025-03-01", end: "2026-02-28" }, { authNumber: "NEW", start: "2026-03-01", end: "2027-02-28" }], reasons: [], expectDrugs: [{ hcpcs: "J9271", authRequired: true, authValid: true }] },
  { id: "white-bag", description: "trastuzumab on the HDHP's pharmacy benefit, supplied white-bag: the pharmacy's authorization, not the clinic's", payer: hdhp, drugs: [{ hcpcs: "J9355", name: "trastuzumab", doseMg: 420, supply: "white-bag" }], diagnosis: "C50.911", reasons: [], expectDrugs: [{ hcpcs: "J9355", authRequired: false, authValid: null }] },
  { id: "medicare", description: "traditional Medicare requires no prior authorization for pembrolizumab", payer: medicare, reasons: [], expectDrugs: [{ hcpcs: "J9271", authRequired: false, authValid: null }] },
  { id: "ma-missing", description: "Medicare Advantage, pended review, nothing on file", payer: ma, reasons: ["auth-missing"], expectDrugs: [{ hcpcs: "J9271", authRequired: true, authValid: false }] },
  { id: "two-drugs", description: "pembrolizumab authorized, bevacizumab not", drugs: [pembro, bev], auths: [{}], reasons: ["auth-missing"], expectDrugs: [{ hcpcs: "J9271", authRequired: true, authValid: true }, { hcpcs: "J9035", authRequired: true, authValid: false }] },
];

/** The scenarios, the authorizations on file and the cases. */
export function priorAuthEdgeCases(): { scenarios: Scenario[]; authorizations: PayerAuthorization[]; cases: EvalCase[] } {
  const scenarios: Scenario[] = [];
  const authorizations: PayerAuthorization[] = [];
  const cases: unknown[] = [];
  EDGES.forEach((e, k) => {
    const id = `edge-pa-${e.id}`;
    const payer = { ...(e.payer ?? ppo), memberId: (e.payer ?? ppo) === medicare ? `1EPA${String(k).padStart(7, "0")}` : `WEPA${String(k).padStart(6, "0")}` };
    scenarios.push({ id, payer, drugs: e.drugs ?? [pembro], visits: ["2026-03-06"], diagnosis: e.diagnosis ?? "C34.90" });
    for (const [n, a] of (e.auths ?? []).entries()) {
      authorizations.push({
        authNumber: `EPA${k}-${a.authNumber ?? n}`, payerId: payer.id, memberId: payer.memberId, patientId: id, hcpcs: "J9271", unitsApproved: 1600, unitsUsed: 0,
        start: "2026-01-15", end: "2027-01-14", diagnosisCodes: ["C34.90"], status: "approved", ...a, ...(a.authNumber === undefined ? {} : { authNumber: `EPA${k}-${a.authNumber}` }),
      });
    }
    cases.push({ id, source: "hand-written", appointmentId: `${id}-a1`, description: e.description, expected: { reasons: e.reasons, judged: [...JUDGED], drugs: e.expectDrugs } });
  });
  return { scenarios, authorizations, cases: validateCases(cases, "prior-auth edge cases") };
}
