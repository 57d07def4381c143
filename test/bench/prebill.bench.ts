/**
 * `npm run bench:prebill` — the pre-bill scrubber alone (tools only, no database, no model) on
 * generated visits (default 10,000; BENCH_VISITS to change): claims per second on one core and
 * the p99 time per claim, after a warm-up, over several repeats; peak RSS. Goal: ≥ 2,000 claims/s
 * and p99 < 5 ms. The whole after-visit pass (chart reads, agent, 837, submission) is not here.
 */
import { PerformanceObserver, performance } from "node:perf_hooks";
import { scrubVisit } from "../../tools/claim/scrub/index.js";
import { loadCodingTables } from "../../tools/coding/coding-tables.js";
import { generateVisits } from "../helpers/visit-generator.js";

const N = Number(process.env.BENCH_VISITS ?? 10_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const WARMUP = Math.min(N, 2_000);

const tables = loadCodingTables();
const t = performance.now();
const visits = generateVisits(N, 20260210, tables);
console.log(`generated ${N.toLocaleString("en-US")} visits (${visits.reduce((s, v) => s + v.charges.length, 0).toLocaleString("en-US")} charges)`.padEnd(52), `${((performance.now() - t) / 1000).toFixed(1)} s`);

for (let i = 0; i < WARMUP; i += 1) scrubVisit(visits[i % N]!, tables);

// Wall time includes the time the process waits for a core on a loaded machine; CPU time and GC
// pauses are reported beside it to tell the scrubber's cost from the machine's load.
let gcMs = 0;
const gc = new PerformanceObserver((list) => { for (const e of list.getEntries()) gcMs += e.duration; });
gc.observe({ entryTypes: ["gc"] });

const runs: { perSecond: number; perCpuSecond: number; p50: number; p99: number; max: number; findings: number }[] = [];
const times = new Float64Array(N);
for (let r = 0; r < REPEATS; r += 1) {
  let findings = 0;
  gcMs = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < N; i += 1) {
    const s = performance.now();
    findings += scrubVisit(visits[i]!, tables).findings.length;
    times[i] = performance.now() - s;
  }
  const total = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  await new Promise((resolve) => setImmediate(resolve)); // let the GC observer report
  const sorted = Float64Array.from(times).sort();
  const at = (q: number) => sorted[Math.min(N - 1, Math.floor(q * N))]!;
  runs.push({ perSecond: N / total, perCpuSecond: N / cpuSeconds, p50: at(0.5), p99: at(0.99), max: sorted[N - 1]!, findings });
  console.log(`repeat ${r + 1}: ${Math.round(N / total).toLocaleString("en-US").padStart(7)} claims/s (${Math.round(N / cpuSeconds).toLocaleString("en-US")} per CPU-s)   p50 ${at(0.5).toFixed(3)} ms   p99 ${at(0.99).toFixed(3)} ms   max ${sorted[N - 1]!.toFixed(1)} ms   GC ${gcMs.toFixed(0)} ms   ${findings.toLocaleString("en-US")} findings`);
}
const best = [...runs].sort((a, b) => b.perSecond - a.perSecond)[0]!;
const median = [...runs].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(runs.length / 2)]!;
const rssMb = process.resourceUsage().maxRSS / 1024;
gc.disconnect();
console.log(`scrub alone: median ${Math.round(median.perSecond).toLocaleString("en-US")} claims/s (best ${Math.round(best.perSecond).toLocaleString("en-US")}; ${Math.round(median.perCpuSecond).toLocaleString("en-US")} per CPU-second), p99 ${median.p99.toFixed(3)} ms; peak RSS ${rssMb.toFixed(0)} MB; load average ${(await import("node:os")).loadavg().map((l) => l.toFixed(1)).join(" ")}`);
console.log(`goal ≥ 2,000 claims/s and p99 < 5 ms: ${median.perSecond >= 2_000 && median.p99 < 5 ? "met" : "NOT met"}`);
