/**
 * The eligibility agent's evaluation: generated cases (the sandbox clinic's truth: coverage
 * terminated, pharmacy-benefit drugs scheduled as buy-and-bill, each drug's benefit route) and the
 * hand-written edge cases. Scores exceptions (precision, recall), routing and coverage accuracy,
 * deductible-remaining exact match, automation rate and wrong automatic actions.
 */
import { validateCases, type EvalCase } from "../case.js";
import { ELIGIBILITY_JUDGED } from "./judged.js";
import { addCase, emptyConfusion, fmt, precision, rate, recall, type MetricLine } from "../metrics.js";
import { runCase } from "../run-case.js";
import type { EvalWorld } from "../world.js";
import type { AppointmentTruth } from "../../tools/sandbox/world.js";

const JUDGED = ELIGIBILITY_JUDGED;

/** Labelled cases from the generated clinic's truth. */
export function generatedEligibilityCases(upcoming: AppointmentTruth[]): EvalCase[] {
  return validateCases(upcoming.map((t) => {
    const reasons = !t.coverageActive ? ["coverage-inactive"] : t.defects.includes("pharmacy-benefit-buy-and-bill") ? ["pharmacy-benefit-buy-and-bill"] : [];
    return {
      id: `gen-${t.appointmentId}`, source: "generated", appointmentId: t.appointmentId,
      description: `${t.payerType} ${t.planId}${t.relationship !== undefined && t.relationship !== "self" ? ` (patient is the subscriber's ${t.relationship})` : ""} on ${t.dateOfService}${t.defects.length > 0 ? ` (${t.defects.join(", ")})` : ""}`,
      expected: { reasons, judged: [...JUDGED], coverageActive: t.coverageActive, ...(t.coverageActive ? { routes: Object.fromEntries(t.drugs.map((d) => [d.hcpcs, d.route])) } : {}) },
    };
  }), "generated eligibility cases");
}

/** Runs and scores the cases. */
export async function evaluateEligibility(world: EvalWorld, cases: EvalCase[]): Promise<{ lines: MetricLine[]; failures: string[] }> {
  const exceptions = emptyConfusion();
  let routesRight = 0, routesJudged = 0, coverageRight = 0, coverageJudged = 0, deductibleRight = 0, deductibleJudged = 0, automated = 0, modelCallsClean = 0, clean = 0;
  const wrongAutomatic: string[] = [];
  const failures: string[] = [];
  for (const c of cases) {
    const o = await runCase(world, "eligibility", c.appointmentId);
    const judged = new Set<string>(c.expected.judged);
    addCase(exceptions, o.reasons, c.expected.reasons, judged);
    const miss = (what: string) => failures.push(`${c.id}: ${what} (${c.description})`);
    if ([...new Set(o.reasons)].sort().join() !== [...c.expected.reasons].sort().join()) miss(`reasons ${o.reasons.join(",") || "none"} ≠ expected ${c.expected.reasons.join(",") || "none"}`);
    if (c.expected.coverageActive !== undefined && c.expected.coverageActive !== null) {
      coverageJudged += 1;
      if (o.facts.coverageActive === c.expected.coverageActive) coverageRight += 1; else miss(`coverageActive ${String(o.facts.coverageActive)}`);
    }
    for (const [hcpcs, route] of Object.entries(c.expected.routes ?? {})) {
      routesJudged += 1;
      const got = (o.facts.routes as Record<string, string> | undefined)?.[hcpcs];
      if (got === route) routesRight += 1; else miss(`route ${hcpcs} ${got ?? "none"} ≠ ${route}`);
    }
    if (c.expected.deductibleRemaining !== undefined) {
      deductibleJudged += 1;
      if (o.facts.deductibleRemaining === c.expected.deductibleRemaining) deductibleRight += 1; else miss(`deductible remaining ${String(o.facts.deductibleRemaining)}`);
    }
    if (o.runStatus !== "failed" && o.proposals.every((x) => x.automaticAtPartial)) automated += 1;
    if (c.expected.reasons.length === 0) {
      clean += 1;
      modelCallsClean += o.modelCalls;
    }
    if (o.runStatus === "failed") miss("run failed");
    // Wrong automatic actions: anything the gate would let run without a person (at full
    // autonomy, the most permissive) that the truth contradicts.
    for (const a of o.proposals.filter((x) => x.automaticAtFull)) {
      if (a.actionType !== "file-verification") wrongAutomatic.push(`${c.id}: ${a.actionType} would execute without review`);
      // A verification that states coverage (inforce true or false) must state the truth; one that does not say (null) files no claim about it.
      else if (c.expected.coverageActive != null && a.payload.inforce !== null && a.payload.inforce !== c.expected.coverageActive) wrongAutomatic.push(`${c.id}: verification would be filed inforce=${String(a.payload.inforce)}`);
    }
  }
  const p = precision(exceptions), r = recall(exceptions);
  const routing = rate(routesRight, routesJudged), coverage = rate(coverageRight, coverageJudged), deductible = rate(deductibleRight, deductibleJudged);
  const automation = rate(automated, cases.length);
  const lines: MetricLine[] = [
    { name: "cases", value: `${cases.length} (${cases.filter((c) => c.source === "generated").length} generated, ${cases.filter((c) => c.source === "hand-written").length} hand-written)` },
    { name: "exception precision", value: fmt(p), threshold: "≥ 0.98", pass: p >= 0.98 },
    { name: "exception recall", value: fmt(r), threshold: "≥ 0.98", pass: r >= 0.98 },
    { name: "routing accuracy", value: `${fmt(routing.rate)} (${routing.numerator}/${routing.denominator})`, threshold: "≥ 0.98", pass: (routing.rate ?? 0) >= 0.98 },
    { name: "coverage-on-DOS accuracy", value: `${fmt(coverage.rate)} (${coverage.numerator}/${coverage.denominator})`, threshold: "≥ 0.98", pass: (coverage.rate ?? 0) >= 0.98 },
    { name: "deductible remaining exact", value: `${fmt(deductible.rate)} (${deductible.numerator}/${deductible.denominator})`, threshold: "= 1", pass: deductible.rate === 1 },
    { name: "automation rate (at partial autonomy)", value: `${fmt(automation.rate)} (${automation.numerator}/${automation.denominator})` },
    { name: "model calls per clean appointment", value: clean === 0 ? "n/a" : (modelCallsClean / clean).toFixed(2), threshold: "= 0", pass: modelCallsClean === 0 },
    { name: "wrong automatic actions", value: String(wrongAutomatic.length), threshold: "= 0", pass: wrongAutomatic.length === 0 },
  ];
  return { lines, failures: [...failures, ...wrongAutomatic] };
}
