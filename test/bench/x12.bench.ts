/**
 * `npm run bench:x12 [-- --mb 5,55 --repeats 5 --seed 835 --skip-baseline]` — throughput of the X12
 * toolkit on generated, realistic 835 batches (test/helpers/generate-835.ts: several payers,
 * denials, reversals and corrections, several adjustments per line, remarks, MIA/MOA, PLB and a
 * few planted imbalances), with node-x12 parsing the same input in the same process as the peer.
 * Each size runs in its own child process (so one size's peak RSS does not hide another's); in it
 * every measure gets one warm-up run and then `--repeats` timed runs, each after a full GC, and
 * prints the median and the min–max. The typed read must report exactly the planted issues on
 * every run, or the bench fails: speed bought by skipping validation does not count.
 */
import { fork } from "node:child_process";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import nodeX12 from "node-x12";
import { parseX12 } from "../../tools/edi/parse.js";
import type { Remittance835 } from "../../tools/edi/readers/remittance-835.js";
import { SegmentScanner } from "../../tools/edi/tokenizer.js";
import { generate835, type Generated835 } from "../helpers/generate-835.js";

const { values } = parseArgs({
  options: {
    mb: { type: "string", default: "5,55" },
    repeats: { type: "string", default: "5" },
    seed: { type: "string", default: "835" },
    "skip-baseline": { type: "boolean", default: false },
  },
});
const repeats = Math.max(1, Number(values.repeats));
const CHILD_ENV = "X12_BENCH_SIZE_MB";

/** Median and range of one measure, in MB/s. */
interface Figures { median: number; min: number; max: number }
/** What a child reports for its size. */
interface SizeResult {
  mb: number; claims: number; lines: number; segments: number; planted: number;
  tokenize: Figures; tokenizeElements: Figures; typedRead: Figures; nodeX12: Figures | null;
  rssOursMb: number; rssWithPeerMb: number | null; load: [string, string];
}

const figures = (rates: number[]): Figures => {
  const s = [...rates].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, min: s[0]!, max: s[s.length - 1]! };
};
const show = (f: Figures) => `${f.median.toFixed(1)} MB/s (${f.min.toFixed(1)}–${f.max.toFixed(1)})`;
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** One warm-up run, then `repeats` timed runs, each after a full GC; MB/s per run. */
function measure(label: string, sizeMb: number, run: () => void): Figures {
  run();
  const rates: number[] = [];
  for (let i = 0; i < repeats; i += 1) {
    gc();
    const t = performance.now();
    run();
    rates.push(sizeMb / ((performance.now() - t) / 1000));
  }
  const f = figures(rates);
  console.log(`  ${label.padEnd(36)} ${show(f)}  runs: ${rates.map((r) => r.toFixed(1)).join(", ")}`);
  return f;
}

/** The typed read must find exactly the planted issues, where they were planted. */
function checkIssues(batch: Generated835, issues: ReturnType<typeof parseX12>["issues"]): void {
  const key = (i: { code: string; segmentIndex: number | null; byteOffset: number | null }) => `${i.code}@${i.segmentIndex}:${i.byteOffset}`;
  const found = issues.map(key).join(",");
  if (found !== batch.planted.map(key).join(",")) {
    throw new Error(`typed read found ${issues.length} issues, ${batch.planted.length} were planted: ${issues.slice(0, 3).map((i) => i.message).join(" | ")}`);
  }
}

function runSize(mb: number): SizeResult {
  const loadBefore = load();
  const t = performance.now();
  const batch = generate835({ targetBytes: mb * 1024 * 1024, seed: Number(values.seed) });
  const { text, stats } = batch;
  const sizeMb = text.length / 1024 / 1024;
  let segments = 0;
  let elementCount = 0;
  const scan = (elements: boolean) => () => {
    segments = 0;
    elementCount = 0;
    const scanner = new SegmentScanner(text);
    for (let s = scanner.next(); s !== null; s = scanner.next()) {
      segments += 1;
      if (elements) elementCount += s.elements.length;
    }
  };
  scan(false)();
  console.log(`\n${sizeMb.toFixed(1)} MB: ${stats.transactions} transactions, ${stats.claims.toLocaleString("en-US")} claims, ${stats.lines.toLocaleString("en-US")} lines, ` +
    `${segments.toLocaleString("en-US")} segments, ${batch.planted.length} planted imbalances (generated in ${((performance.now() - t) / 1000).toFixed(1)} s; load ${loadBefore})`);
  console.log(`  claims by status ${JSON.stringify(stats.claimsByStatus)}, ${stats.adjustments.toLocaleString("en-US")} CAS triplets in ${stats.casSegments.toLocaleString("en-US")} CAS, ` +
    `${stats.lineRemarks.toLocaleString("en-US")} LQ, ${stats.claimRemarks.toLocaleString("en-US")} MIA/MOA remarks, ${stats.providerAdjustments} PLB adjustments, ${stats.deniedLines.toLocaleString("en-US")} denied lines`);
  // A scan of 5 MB takes tens of milliseconds: each timed run scans the text often enough to read
  // about 50 MB, so that one pause does not decide the figure.
  const passes = Math.max(1, Math.round(50 / sizeMb));
  const repeated = (run: () => void) => () => {
    for (let i = 0; i < passes; i += 1) run();
  };
  const tokenize = measure(`tokenize (segments)${passes > 1 ? `, ${passes} scans a run` : ""}`, sizeMb * passes, repeated(scan(false)));
  const tokenizeElements = measure("tokenize + split every element", sizeMb * passes, repeated(scan(true)));
  if (elementCount === 0) throw new Error("no elements split");
  let claims = 0;
  const typedRead = measure("typed 835 read (parseX12)", sizeMb, () => {
    const { transactions, issues } = parseX12(text);
    checkIssues(batch, issues);
    claims = transactions.reduce((n, tx) => n + (tx.data as Remittance835).claims.length, 0);
  });
  if (claims !== stats.claims) throw new Error(`typed read found ${claims} claims, ${stats.claims} were generated`);
  const rssOursMb = rssMb();
  console.log(`  peak RSS (generator, text, typed read) ${rssOursMb} MB`);
  let peer: Figures | null = null;
  if (!values["skip-baseline"]) {
    const { X12Parser } = nodeX12 as unknown as { X12Parser: new (strict: boolean) => { parse(text: string): unknown } };
    peer = measure("node-x12 X12Parser.parse", sizeMb, () => void new X12Parser(false).parse(text));
    console.log(`  ratio typed read / node-x12: ${(typedRead.median / peer.median).toFixed(2)}x (medians), ${(typedRead.min / peer.max).toFixed(2)}x (slowest of ours / fastest of theirs)`);
  }
  return {
    mb: sizeMb, claims: stats.claims, lines: stats.lines, segments, planted: batch.planted.length, tokenize, tokenizeElements, typedRead, nodeX12: peer,
    rssOursMb, rssWithPeerMb: peer === null ? null : rssMb(), load: [loadBefore, load()],
  };
}

function runChild(mb: string): Promise<SizeResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), process.argv.slice(2), {
      execArgv: [...process.execArgv, "--expose-gc"], env: { ...process.env, [CHILD_ENV]: mb }, stdio: "inherit",
    });
    let result: SizeResult | null = null;
    child.on("message", (m) => (result = m as SizeResult));
    child.on("exit", (code) => (result !== null && code === 0 ? resolve(result) : reject(new Error(`the ${mb} MB run exited with ${code}`))));
  });
}

const childSize = process.env[CHILD_ENV];
if (childSize !== undefined) {
  process.send?.(runSize(Number(childSize)));
} else {
  console.log(`bench:x12 — ${repeats} timed runs after one warm-up per measure; node ${process.version}; load ${load()}`);
  const results: SizeResult[] = [];
  for (const mb of (values.mb ?? "").split(",").filter((s) => s.trim() !== "")) results.push(await runChild(mb.trim()));
  console.log("\nsize | claims | tokenize | typed read | node-x12 | ratio (medians) | peak RSS ours / with node-x12 | load before → after");
  for (const r of results) {
    const ratio = r.nodeX12 === null ? "—" : `${(r.typedRead.median / r.nodeX12.median).toFixed(2)}x`;
    console.log(`${r.mb.toFixed(1)} MB | ${r.claims.toLocaleString("en-US")} | ${show(r.tokenize)} | ${show(r.typedRead)} | ${r.nodeX12 === null ? "—" : show(r.nodeX12)} | ${ratio} | ` +
      `${r.rssOursMb} / ${r.rssWithPeerMb ?? "—"} MB | ${r.load[0]} → ${r.load[1]}`);
  }
}
