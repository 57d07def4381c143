/**
 * The verifier's per-field checks: the span is in the source, the value is in the span, and the
 * value agrees with the tools' facts; and the summary's claims against the verified fields.
 * Each check adds a problem; a field's verdict is `contradicts` when any problem is a
 * contradiction of the facts, else `unsupported`, with every problem's reason.
 */
import { deniesCancer, sitesInText, sitesOfCode } from "./cancer-sites.js";
import {
  codeKey, codesInText, datesInText, dosesInText, drugsInText, ecogInText, intervalsInText, parseStage, stagesAgree, stagesInText, unitKey,
  type Stage,
} from "./clinical-claims.js";
import { instructionIn, notProse, vocabulary } from "./prose-check.js";
import { contentTokens, excerpt, isNumber, normalise, stem, stemSet, tokens } from "./text.js";
import type { ExtractedField, FieldVerdict, VerificationFacts, VerificationRule } from "./verify-extraction.js";

/** The facts, prepared once per verification. */
export interface FactsContext {
  source: string;
  facts: VerificationFacts;
  allowedCodes: Set<string>;
  /** Sites of the order's diagnoses; null when a code names no one site (the site rule cannot judge). */
  allowedSites: Set<string> | null;
  ordered: Set<string>;
  codesText: string;
}

export function factsContext(source: string, facts: VerificationFacts): FactsContext {
  const sites = facts.diagnoses.map((d) => sitesOfCode(d.code));
  return {
    source: normalise(source), facts,
    allowedCodes: new Set(facts.diagnoses.map((d) => codeKey(d.code))),
    allowedSites: sites.length === 0 || sites.some((s) => s === null) ? null : new Set(sites.flatMap((s) => s ?? [])),
    ordered: drugsInText(facts.orderedDrugs.map((d) => d.name).join(" ; "), facts.knownDrugs.concat(facts.orderedDrugs)),
    codesText: facts.diagnoses.map((d) => d.code).join(", ") || "none",
  };
}

interface Problem {
  contradicts: boolean;
  rule: VerificationRule;
  why: string;
}

const problem = (contradicts: boolean, rule: VerificationRule, why: string): Problem => ({ contradicts, rule, why });

function verdictOf(field: string, problems: Problem[]): FieldVerdict {
  if (problems.length === 0) return { field, verdict: "supported", rule: "supported", why: "in the note and consistent with the chart and the order" };
  const worst = problems.find((p) => p.contradicts) ?? (problems[0] as Problem);
  return { field, verdict: worst.contradicts ? "contradicts" : "unsupported", rule: worst.rule, why: problems.slice(0, 3).map((p) => p.why).join("; ") };
}

/** One extracted field against its span, the source and the facts. */
export function checkField(f: ExtractedField, ctx: FactsContext): FieldVerdict {
  const problems: Problem[] = [];
  const instruction = instructionIn(f.value);
  if (instruction !== null) problems.push(problem(false, "instruction", `reads as instructions: ${instruction}`));
  const quote = f.quote?.trim() ?? "";
  if (quote === "") problems.push(problem(false, "missing-quote", "gives no span of the note it came from"));
  else if (!ctx.source.includes(normalise(quote))) problems.push(problem(false, "quote-not-in-source", `its span "${excerpt(quote)}" is not in the note`));
  else problems.push(...valueInQuote(f, quote));
  problems.push(...factChecks(f, ctx));
  return verdictOf(f.field, problems);
}

/** The value says nothing its span does not. */
function valueInQuote(f: ExtractedField, quote: string): Problem[] {
  if (f.kind === "ecog") {
    const said = ecogInText(quote);
    return said.includes(Number(f.value)) ? [] : [problem(false, "value-not-in-quote", `ECOG ${f.value} is not what its span "${excerpt(quote)}" states`)];
  }
  const have = stemSet(quote);
  const missing = contentTokens(f.value).filter((t) => !have.has(stem(t)) && !have.has(t));
  return missing.length === 0 ? [] : [problem(false, "value-not-in-quote", `"${excerpt(missing.join(" "), 40)}" is not in its span "${excerpt(quote)}"`)];
}

function factChecks(f: ExtractedField, ctx: FactsContext): Problem[] {
  const out: Problem[] = [];
  if (f.kind === "stage" && parseStage(f.value) === null) out.push(problem(false, "not-a-stage", `"${excerpt(f.value)}" is not a stage`));
  if (f.kind === "diagnosis") {
    const codes = f.codes ?? [];
    if (codes.length === 0) out.push(problem(false, "no-code", "names no ICD-10-CM code"));
    const foreign = codes.filter((c) => !ctx.allowedCodes.has(codeKey(c)));
    if (foreign.length > 0) out.push(problem(true, "code-not-on-order", `names ${foreign.join(", ")}, not among the order's diagnoses (${ctx.codesText})`));
  }
  if (f.kind === "diagnosis" || f.kind === "plan") out.push(...cancerClaims(f.value, ctx));
  if (f.kind === "plan") out.push(...orderClaims(f.value, ctx, { drugs: new Set(), doses: [], intervals: [] }));
  return out;
}

/** A site the order's codes do not have, or a denial of the cancer, contradicts the chart. */
function cancerClaims(text: string, ctx: FactsContext): Problem[] {
  const out: Problem[] = [];
  const denial = deniesCancer(text);
  if (denial !== null) out.push(problem(true, "denies-cancer", `says "${excerpt(denial)}"; the order is for ${ctx.codesText}`));
  if (ctx.allowedSites !== null) {
    const other = [...sitesInText(text)].filter((s) => !ctx.allowedSites?.has(s));
    if (other.length > 0) out.push(problem(true, "different-cancer", `names ${other.join(", ")} cancer; the order's diagnoses are ${ctx.codesText} (${[...ctx.allowedSites].join(", ")})`));
  }
  for (const code of codesInText(text)) {
    if (!ctx.allowedCodes.has(codeKey(code))) out.push(problem(true, "code-not-on-order", `names ${code}, not among the order's diagnoses (${ctx.codesText})`));
  }
  return out;
}

/** What verified fields allow beyond the order: prior drugs, doses and intervals the note gives. */
interface Allowed {
  drugs: Set<string>;
  doses: { value: string; unit: string }[];
  intervals: number[];
}

/** Drugs must be ordered, doses match an ordered dose of the same unit, intervals an ordered cycle. */
function orderClaims(text: string, ctx: FactsContext, allowed: Allowed): Problem[] {
  const out: Problem[] = [];
  const { facts } = ctx;
  const drugs = [...drugsInText(text, facts.knownDrugs.concat(facts.orderedDrugs))].filter((d) => !ctx.ordered.has(d) && !allowed.drugs.has(d));
  if (drugs.length > 0) out.push(problem(true, "drug-not-ordered", `names ${drugs.join(", ")}, not ordered for this visit (${[...ctx.ordered].join(", ") || "none"})`));
  for (const d of dosesInText(text)) {
    if (allowed.doses.some((x) => x.value === d.value && x.unit === d.unit)) continue;
    if (d.unit === "units" && facts.units.includes(Number(d.value))) continue;
    const sameUnit = facts.doses.filter((x) => unitKey(x.unit.toLowerCase()) === d.unit);
    if (sameUnit.some((x) => String(Number(x.value)) === d.value)) continue;
    if (sameUnit.length > 0) out.push(problem(true, "dose-mismatch", `states ${d.value} ${d.unit}; the order is ${sameUnit.map((x) => `${x.value} ${x.unit}`).join(", ")}`));
    else if (!ctx.source.includes(`${d.value} ${d.unit}`) && !ctx.source.includes(`${d.value}${d.unit}`)) out.push(problem(false, "dose-mismatch", `states ${d.value} ${d.unit}, which neither the note nor the order gives`));
  }
  const cycles = facts.cycleDays;
  for (const days of intervalsInText(text)) {
    if (allowed.intervals.includes(days) || cycles.length === 0 || cycles.includes(days)) continue;
    out.push(problem(true, "interval-mismatch", `states every ${days} days; the order's cycle is ${cycles.join(", ")} days`));
  }
  return out;
}

/** The summary: prose, no instructions, and only what the verified fields and the facts say. */
export function checkSummary(summary: string, supported: ExtractedField[], ctx: FactsContext): FieldVerdict {
  const problems: Problem[] = [];
  const instruction = instructionIn(summary);
  if (instruction !== null) problems.push(problem(false, "instruction", `reads as instructions: ${instruction}`));
  const fieldsText = supported.map((f) => `${f.value} . ${f.quote ?? ""}`).join(" . ");
  const factsText = [...ctx.facts.diagnoses.map((d) => `${d.code} ${d.display ?? ""}`), ...ctx.facts.orderedDrugs.map((d) => `${d.name} ${d.brand ?? ""}`)].join(" . ");
  const known = stemSet(`${fieldsText} . ${factsText}`);
  const prose = notProse(summary, known);
  if (prose !== null) problems.push(problem(false, "not-prose", prose));
  problems.push(...cancerClaims(summary, ctx));
  const prior = supported.filter((f) => f.kind === "prior-therapy").map((f) => f.value).join(" . ");
  problems.push(...orderClaims(summary, ctx, {
    drugs: drugsInText(prior, ctx.facts.knownDrugs), doses: dosesInText(fieldsText), intervals: intervalsInText(fieldsText),
  }));
  problems.push(...statedScores(summary, supported));
  const knownDates = new Set([...datesInText(fieldsText), ...ctx.facts.dates]);
  for (const d of datesInText(summary)) if (!knownDates.has(d)) problems.push(problem(false, "date-unsupported", `states ${d}, which no verified field or the order gives`));
  const knownNumbers = new Set(tokens(`${fieldsText} ${ctx.facts.doses.map((d) => d.value).join(" ")} ${ctx.facts.cycleDays.join(" ")} ${ctx.facts.units.join(" ")} ${ctx.facts.dates.join(" ")} ${ctx.codesText}`).filter(isNumber));
  const numbers = [...new Set(tokens(summary).filter((t) => isNumber(t) && !knownNumbers.has(t)))];
  if (numbers.length > 0) problems.push(problem(false, "number-unsupported", `states ${numbers.slice(0, 3).join(", ")}, which no verified field gives`));
  if (prose === null) {
    const v = vocabulary(summary, known);
    if (v.knownShare < 0.8) problems.push(problem(false, "summary-unsupported", `${v.unknown.length} of its ${v.words} words come from no verified field (e.g. "${v.unknown.slice(0, 3).join("\", \"")}")`));
  }
  return verdictOf("summary", problems);
}

/** A stage or ECOG score the summary states must be the verified field's. */
function statedScores(summary: string, supported: ExtractedField[]): Problem[] {
  const out: Problem[] = [];
  const stageField = supported.find((f) => f.kind === "stage");
  const verifiedStage: Stage | null = stageField === undefined ? null : parseStage(stageField.value);
  for (const s of stagesInText(summary)) {
    if (verifiedStage === null) out.push(problem(false, "stage-mismatch", `states stage ${s.roman}${s.sub}, which no verified field gives`));
    else if (!stagesAgree(s, verifiedStage)) out.push(problem(true, "stage-mismatch", `states stage ${s.roman}${s.sub}; the note gives ${verifiedStage.roman}${verifiedStage.sub}`));
  }
  const ecogField = supported.find((f) => f.kind === "ecog");
  for (const e of ecogInText(summary)) {
    if (ecogField === undefined) out.push(problem(false, "ecog-mismatch", `states ECOG ${e}, which no verified field gives`));
    else if (Number(ecogField.value) !== e) out.push(problem(true, "ecog-mismatch", `states ECOG ${e}; the note gives ${ecogField.value}`));
  }
  return out;
}
