/**
 * The authorization agent's evaluation: generated cases (the sandbox's truth per drug: auth
 * required, auth valid on the date of service; no auth on file; expired) and hand-written edge
 * cases (mid-cycle lapse, units exhausted by this dose, diagnosis mismatch, white bag …). Scores
 * exceptions (precision, recall), auth-required and auth-validity accuracy, automation rate, and
 * wrong automatic actions: an authorization confirmed that is not valid, or a request sent for a
 * drug whose authorization is valid.
 */
import { validateCases, type EvalCase } from "../case.js";
import { addCase, emptyConfusion, fmt, precision, rate, recall, type MetricLine } from "../metrics.js";
import { runCase } from "../run-case.js";
import type { EvalWorld } from "../world.js";
import { addDays } from "../../tools/iso-dates.js";
import type { AppointmentTruth } from "../../tools/sandbox/world.js";

/**
 * Generated cases know what the generator planted — a missing or an expired authorization — and
 * each authorization's end date, so also whether a valid one ends before the next cycle.
 */
const GENERATED_JUDGED = ["auth-missing", "auth-expired", "auth-lapses-before-next-cycle"] as const;


/** Labelled cases from the generated clinic's truth. */
export function generatedPriorAuthCases(upcoming: AppointmentTruth[]): EvalCase[] {
  return validateCases(upcoming.map((t) => {
    const reasons = [...new Set(t.drugs.flatMap((d) => {
      if (!d.authRequired) return [];
      if (d.authValid === true) return d.authEnd !== null && addDays(t.dateOfService, d.cycleDays) > d.authEnd ? ["auth-lapses-before-next-cycle"] : [];
      return d.authEnd === null ? ["auth-missing"] : ["auth-expired"];
    }))];
    return {
      id: `gen-${t.appointmentId}`, source: "generated", appointmentId: t.appointmentId, description: `${t.planId} on ${t.dateOfService}: ${t.drugs.map((d) => d.hcpcs).join(", ")}${t.defects.length > 0 ? ` (${t.defects.join(", ")})` : ""}`,
      expected: { reasons, judged: [...GENERATED_JUDGED], drugs: t.drugs.map((d) => ({ hcpcs: d.hcpcs, authRequired: d.authRequired, authValid: d.authRequired ? d.authValid : null })) },
    };
  }), "generated prior-auth cases");
}

interface DrugFact { hcpcs: string; authRequired: boolean; authValid: boolean | null }

/** Runs and scores the cases. */
export async function evaluatePriorAuth(world: EvalWorld, cases: EvalCase[]): Promise<{ lines: MetricLine[]; failures: string[] }> {
  const exceptions = emptyConfusion();
  let requiredRight = 0, requiredJudged = 0, validRight = 0, validJudged = 0, automated = 0, modelCallsClean = 0, clean = 0, likelihoods = 0, drugsRequiring = 0;
  const wrongAutomatic: string[] = [];
  const failures: string[] = [];
  for (const c of cases) {
    const o = await runCase(world, "prior-auth", c.appointmentId);
    const judged = new Set<string>(c.expected.judged);
    addCase(exceptions, o.reasons, c.expected.reasons, judged);
    const miss = (what: string) => failures.push(`${c.id}: ${what} (${c.description})`);
    const got = [...new Set(o.reasons.filter((r) => judged.has(r)))].sort().join();
    if (got !== [...c.expected.reasons].sort().join()) miss(`reasons ${got || "none"} ≠ expected ${c.expected.reasons.join(",") || "none"}`);
    if (o.runStatus === "failed") miss("run failed");
    const drugs = (o.facts.drugs ?? []) as (DrugFact & { likelihood?: { score: number } })[];
    for (const e of c.expected.drugs ?? []) {
      const d = drugs.find((x) => x.hcpcs === e.hcpcs);
      requiredJudged += 1;
      if (d?.authRequired === e.authRequired) requiredRight += 1; else miss(`${e.hcpcs} authRequired ${String(d?.authRequired)}`);
      if (e.authRequired) {
        validJudged += 1;
        if (d?.authValid === e.authValid) validRight += 1; else miss(`${e.hcpcs} authValid ${String(d?.authValid)} ≠ ${String(e.authValid)}`);
        drugsRequiring += 1;
        if (d?.likelihood !== undefined && d.likelihood.score >= 0 && d.likelihood.score <= 1) likelihoods += 1;
      }
    }
    if (o.runStatus !== "failed" && o.proposals.every((p) => p.automaticAtPartial)) automated += 1;
    if (c.expected.reasons.length === 0) {
      clean += 1;
      modelCallsClean += o.modelCalls;
    }
    // What the gate would let run alone (full autonomy) that the truth contradicts.
    for (const p of o.proposals.filter((x) => x.automaticAtFull)) {
      const hcpcs = String(p.payload.hcpcs ?? (p.payload.request as { hcpcs?: string } | undefined)?.hcpcs ?? "");
      const truth = c.expected.drugs?.find((d) => d.hcpcs === hcpcs);
      if (p.actionType === "auth-verified" && truth !== undefined && truth.authRequired && truth.authValid !== true) wrongAutomatic.push(`${c.id}: ${hcpcs} confirmed as authorized`);
      // A request is right when no valid authorization covers the visit, or one ends before the next cycle.
      if (p.actionType === "submit-auth-request" && truth !== undefined && (!truth.authRequired || (truth.authValid === true && !c.expected.reasons.includes("auth-lapses-before-next-cycle")))) {
        wrongAutomatic.push(`${c.id}: request sent for ${hcpcs}, which needs none`);
      }
    }
  }
  const p = precision(exceptions), r = recall(exceptions);
  const required = rate(requiredRight, requiredJudged), valid = rate(validRight, validJudged), automation = rate(automated, cases.length);
  const lines: MetricLine[] = [
    { name: "cases", value: `${cases.length} (${cases.filter((c) => c.source === "generated").length} generated, ${cases.filter((c) => c.source === "hand-written").length} hand-written)` },
    { name: "exception precision", value: fmt(p), threshold: "≥ 0.98", pass: p >= 0.98 },
    { name: "exception recall", value: fmt(r), threshold: "≥ 0.98", pass: r >= 0.98 },
    { name: "auth-required accuracy", value: `${fmt(required.rate)} (${required.numerator}/${required.denominator})`, threshold: "≥ 0.98", pass: (required.rate ?? 0) >= 0.98 },
    { name: "auth-validity accuracy", value: `${fmt(valid.rate)} (${valid.numerator}/${valid.denominator})`, threshold: "≥ 0.98", pass: (valid.rate ?? 0) >= 0.98 },
    { name: "likelihood scored (drugs needing auth)", value: `${likelihoods}/${drugsRequiring}`, threshold: "all", pass: likelihoods === drugsRequiring },
    { name: "automation rate (at partial autonomy)", value: `${fmt(automation.rate)} (${automation.numerator}/${automation.denominator})` },
    { name: "model calls per clean appointment", value: clean === 0 ? "n/a" : (modelCallsClean / clean).toFixed(2), threshold: "= 0", pass: modelCallsClean === 0 },
    { name: "wrong automatic actions", value: String(wrongAutomatic.length), threshold: "= 0", pass: wrongAutomatic.length === 0 },
  ];
  return { lines, failures: [...failures, ...wrongAutomatic] };
}
