/**
 * `npm run eval`: builds the evaluation clinic, runs each pre-service agent on its labelled cases
 * (generated from the sandbox's truth, plus hand-written edge cases), then the prior-auth agent
 * against a faulty model server (`model-faults/`), prints the metrics per agent and exits
 * non-zero when any metric is below its threshold. `--verbose` lists every miss.
 */
import { eligibilityEdgeCases } from "./eligibility/edge-cases.js";
import { evaluateEligibility, generatedEligibilityCases } from "./eligibility/evaluate.js";
import type { MetricLine } from "./metrics.js";
import { evaluateModelFaults } from "./model-faults/evaluate.js";
import { evaluatePriorAuth, generatedPriorAuthCases } from "./prior-auth/evaluate.js";
import { priorAuthEdgeCases } from "./prior-auth/edge-cases.js";
import { evaluatePreBill, generatedPreBillCases } from "./pre-bill/evaluate.js";
import { loadCodingTables } from "../tools/coding/coding-tables.js";
import { openEvalWorld } from "./world.js";

const out = (line: string) => process.stdout.write(`${line}\n`);
const verbose = process.argv.includes("--verbose");

function report(agent: string, lines: MetricLine[], failures: string[]): boolean {
  out(`\n${agent}`);
  for (const l of lines) {
    const verdict = l.pass === undefined ? "" : l.pass ? "  ok" : "  BELOW THRESHOLD";
    out(`  ${l.name.padEnd(40)} ${l.value.padEnd(24)} ${l.threshold ?? ""}${verdict}`);
  }
  if (failures.length > 0) {
    out(`  misses: ${failures.length}${verbose ? "" : " (--verbose lists them)"}`);
    if (verbose) for (const f of failures) out(`    - ${f}`);
  }
  return lines.every((l) => l.pass !== false);
}

async function main(): Promise<void> {
  const started = performance.now();
  const eligibilityEdge = eligibilityEdgeCases();
  const priorAuthEdge = priorAuthEdgeCases();
  const world = await openEvalWorld([...eligibilityEdge.scenarios, ...priorAuthEdge.scenarios], priorAuthEdge.authorizations);
  try {
    const eligibility = await evaluateEligibility(world, [...generatedEligibilityCases(world.upcoming), ...eligibilityEdge.cases]);
    const priorAuth = await evaluatePriorAuth(world, [...generatedPriorAuthCases(world.upcoming), ...priorAuthEdge.cases]);
    const faults = await evaluateModelFaults();
    const tables = loadCodingTables();
    const preBill = evaluatePreBill(generatedPreBillCases(tables), tables);
    const ok = [
      report("eligibility", eligibility.lines, eligibility.failures), report("prior-auth", priorAuth.lines, priorAuth.failures),
      report(`prior-auth under model faults (${faults.seconds.toFixed(1)} s)`, faults.lines, faults.failures),
      report(`pre-bill scrubber (${preBill.seconds.toFixed(1)} s)`, preBill.lines, preBill.failures),
    ].every(Boolean);
    out(`\n${ok ? "all thresholds met" : "some metrics are below their thresholds"} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await world.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`eval failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 2;
});
