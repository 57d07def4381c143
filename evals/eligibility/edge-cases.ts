/**
 * Hand-written eligibility edge cases: each a scenario in the evaluation clinic with its labels.
 * Built as data and validated like any input (evals/case.ts).
 */
import type { Scenario } from "../../tools/sandbox/scenario-clinic.js";
import { validateCases, type EvalCase } from "../case.js";
import { DRUGS, PLANS } from "../sandbox-plans.js";
import { ELIGIBILITY_JUDGED } from "./judged.js";

const JUDGED = ELIGIBILITY_JUDGED;
const { medicare, ppo, hdhp, medicaid } = PLANS;
const { pembrolizumab: pembro, pegfilgrastim: pegfil, trastuzumab } = DRUGS;

/** The scenarios and their cases. */
export function eligibilityEdgeCases(): { scenarios: Scenario[]; cases: EvalCase[] } {
  const scenarios: Scenario[] = [];
  const cases: unknown[] = [];
  const add = (s: Scenario, labels: { visit?: number; description: string; expected: Omit<EvalCase["expected"], "judged"> }[]) => {
    scenarios.push(s);
    for (const l of labels) {
      const n = l.visit ?? 1;
      cases.push({ id: `${s.id}-v${n}`, source: "hand-written", appointmentId: `${s.id}-a${n}`, description: l.description, expected: { ...l.expected, judged: [...JUDGED] } });
    }
  };
  // Coverage ending around the date of service (visit on 2026-03-10).
  for (const [k, end, active] of [[1, "2026-03-09", false], [2, "2026-03-10", true], [3, "2026-03-03", false], [4, "2026-03-11", true]] as const) {
    add({ id: `edge-cov-end-${k}`, payer: { ...ppo, memberId: `WEDGE0001${k}` }, drugs: [pembro], visits: ["2026-03-10"], member: { coverageEnd: end } }, [{
      description: `commercial coverage ending ${end}, visit 2026-03-10`, expected: { reasons: active ? [] : ["coverage-inactive"], coverageActive: active },
    }]);
  }
  add({ id: "edge-mcr-end", payer: { ...medicare, memberId: "1EDGE000001" }, drugs: [pembro], visits: ["2026-03-05", "2026-03-20"], member: { coverageEnd: "2026-03-19" } }, [
    { visit: 1, description: "Medicare active on the first visit", expected: { reasons: [], coverageActive: true, routes: { J9271: "medical" } } },
    { visit: 2, description: "Medicare coverage ending the day before the second visit", expected: { reasons: ["coverage-inactive"], coverageActive: false } },
  ]);
  // Family vs individual deductible remaining (COM-PPO: $1,500 individual, $3,000 family).
  for (const [k, ind, fam, remaining] of [[1, "200.00", "2500.00", "500.00"], [2, "1400.00", "1000.00", "100.00"], [3, "0.00", "0.00", "1500.00"], [4, "1500.00", "2999.99", "0.00"]] as const) {
    add({ id: `edge-family-${k}`, payer: { ...ppo, memberId: `WEDGE0002${k}` }, drugs: [pembro], visits: ["2026-03-06"], member: { deductibleMet: ind, familyDeductibleMet: fam } }, [{
      description: `individual deductible met ${ind}, family met ${fam}`, expected: { reasons: [], coverageActive: true, deductibleRemaining: remaining },
    }]);
  }
  // Benefit routing: the plan's pharmacy-benefit drugs.
  const routing: [string, typeof ppo, typeof pegfil, "buy-and-bill" | "white-bag", boolean][] = [
    ["ppo-peg-bb", ppo, pegfil, "buy-and-bill", true], ["ppo-peg-wb", ppo, pegfil, "white-bag", false],
    ["hdhp-tras-bb", hdhp, trastuzumab, "buy-and-bill", true], ["hdhp-tras-wb", hdhp, trastuzumab, "white-bag", false],
    ["mcd-peg-bb", medicaid, pegfil, "buy-and-bill", true], ["ppo-tras-bb", ppo, trastuzumab, "buy-and-bill", false],
  ];
  routing.forEach(([name, plan, drug, supply, flagged], k) => add(
    { id: `edge-route-${name}`, payer: { ...plan, memberId: `WEDGE0003${k}` }, drugs: [{ ...drug, supply }], visits: ["2026-03-06"], diagnosis: drug === trastuzumab ? "C50.911" : "C34.90" },
    [{ description: `${drug.name} on ${plan.planId} supplied ${supply}`, expected: { reasons: flagged ? ["pharmacy-benefit-buy-and-bill"] : [], coverageActive: true, routes: { [drug.hcpcs]: plan.planId === "COM-PPO" && drug === trastuzumab ? "medical" : "pharmacy" } } }],
  ));
  add({ id: "edge-multi-drug", payer: { ...ppo, memberId: "WEDGE00040" }, drugs: [pembro, pegfil], visits: ["2026-03-06"] }, [{
    description: "pembrolizumab (medical) with pegfilgrastim (pharmacy) both buy-and-bill", expected: { reasons: ["pharmacy-benefit-buy-and-bill"], coverageActive: true, routes: { J9271: "medical", J2506: "pharmacy" } },
  }]);
  add({ id: "edge-unknown-member", payer: { ...ppo, memberId: "WEDGE99999" }, drugs: [pembro], visits: ["2026-03-06"], member: null }, [{ description: "member id the payer does not know (AAA 75)", expected: { reasons: ["aaa-rejection-subscriber"] } }]);
  add({ id: "edge-unknown-mcr", payer: { ...medicare, memberId: "1EDGE999999" }, drugs: [pembro], visits: ["2026-03-06"], member: null }, [{ description: "Medicare MBI not found (AAA 75)", expected: { reasons: ["aaa-rejection-subscriber"] } }]);
  add({ id: "edge-no-coverage", payer: { ...ppo, memberId: "WEDGE00050" }, drugs: [pembro], visits: ["2026-03-06"], noCoverage: true }, [{ description: "no coverage in the chart", expected: { reasons: ["coverage-not-on-file"] } }]);
  add({ id: "edge-medicaid-clean", payer: { ...medicaid, memberId: "WEDGE00060" }, drugs: [pembro], visits: ["2026-03-06"] }, [{ description: "Medicaid, medical-benefit drug", expected: { reasons: [], coverageActive: true, routes: { J9271: "medical" } } }]);
  // Patients covered on someone else's policy: asked about in the 270's 2000D, answered in 2000D/2100D/2110D.
  const spouse = { relationship: "spouse", first: "Robin", last: "Holder", birthDate: "1956-07-11", gender: "male" };
  add({ id: "edge-dep-spouse", payer: { ...ppo, memberId: "WEDGE00070" }, drugs: [pembro], visits: ["2026-03-06"], holder: spouse, member: { familyDeductibleMet: "2500.00" }, dependent: { deductibleMet: "200.00" } }, [{
    description: "spouse on the subscriber's PPO: active, own deductible 1300 left, family 500 left", expected: { reasons: [], coverageActive: true, deductibleRemaining: "500.00", routes: { J9271: "medical" } },
  }]);
  add({ id: "edge-dep-child", payer: { ...hdhp, memberId: "WEDGE00071" }, drugs: [pembro], visits: ["2026-03-06"], holder: { ...spouse, relationship: "child", birthDate: "1931-02-03" } }, [{
    description: "child on a parent's HDHP: active", expected: { reasons: [], coverageActive: true, routes: { J9271: "medical" } },
  }]);
  add({ id: "edge-dep-ended", payer: { ...ppo, memberId: "WEDGE00072" }, drugs: [pembro], visits: ["2026-03-10"], holder: spouse, dependent: { coverageEnd: "2026-03-09" } }, [{
    description: "spouse's coverage ended the day before the visit (the subscriber's goes on)", expected: { reasons: ["coverage-inactive"], coverageActive: false },
  }]);
  add({ id: "edge-dep-unknown", payer: { ...ppo, memberId: "WEDGE00073" }, drugs: [pembro], visits: ["2026-03-06"], holder: spouse, dependent: null }, [{
    description: "subscriber found, the patient not on the policy (AAA 67 in 2100D)", expected: { reasons: ["aaa-rejection-dependent"] },
  }]);
  add({ id: "edge-dep-dob", payer: { ...ppo, memberId: "WEDGE00074" }, drugs: [pembro], visits: ["2026-03-06"], holder: spouse, dependent: { birthDate: "1958-04-03" } }, [{
    description: "the payer has the dependent with another birth date (AAA 71 in 2100D)", expected: { reasons: ["aaa-rejection-dependent"] },
  }]);
  add({ id: "edge-dep-own-id", payer: { ...ppo, memberId: "WEDGE00075" }, drugs: [pembro], visits: ["2026-03-06"], holder: { ...spouse, patientMemberId: "WEDGE00076" } }, [{
    description: "spouse with a member id of their own: asked about as the subscriber under that id", expected: { reasons: [], coverageActive: true },
  }]);
  add({ id: "edge-sub-dob", payer: { ...ppo, memberId: "WEDGE00077" }, drugs: [pembro], visits: ["2026-03-06"], member: { birthDate: "1958-04-20" } }, [{
    description: "the payer has the subscriber with another birth date (AAA 71 in 2100C)", expected: { reasons: ["aaa-rejection-subscriber"] },
  }]);
  // What some payers send instead of a plain answer.
  add({ id: "edge-style-pending", payer: { ...ppo, memberId: "WEDGE00080" }, drugs: [pembro], visits: ["2026-03-06"], member: { eligibilityStyle: "pending-investigation" } }, [{
    description: "EB*5 active, pending investigation: a person asks the payer", expected: { reasons: ["coverage-pending-investigation"] },
  }]);
  add({ id: "edge-style-no-status", payer: { ...ppo, memberId: "WEDGE00081" }, drugs: [pembro], visits: ["2026-03-06"], member: { eligibilityStyle: "no-status" } }, [{
    description: "accumulators but no EB01 1–8 row: undetermined, never inactive", expected: { reasons: ["coverage-undetermined"] },
  }]);
  add({ id: "edge-style-today", payer: { ...ppo, memberId: "WEDGE00082" }, drugs: [pembro], visits: ["2026-03-06"], member: { eligibilityStyle: "answers-for-today" } }, [{
    description: "DTP*307 is the day asked, not the date of service: not verified for the visit", expected: { reasons: ["coverage-not-verified-for-dos"] },
  }]);
  add({ id: "edge-dep-pending", payer: { ...ppo, memberId: "WEDGE00083" }, drugs: [pembro], visits: ["2026-03-06"], holder: spouse, member: { eligibilityStyle: "pending-investigation" } }, [{
    description: "dependent, EB*5 in 2110D", expected: { reasons: ["coverage-pending-investigation"] },
  }]);
  return { scenarios, cases: validateCases(cases, "eligibility edge cases") };
}
