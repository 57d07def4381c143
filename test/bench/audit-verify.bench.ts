/**
 * `npm run bench:audit` — verifying a large audit chain in bounded memory. Appends N generated
 * entries (keyed, with a small payload each, as the append path writes them), then walks the chain
 * with `verifyAuditChain` while sampling the heap and RSS, and checks it against an anchor of the
 * head. Prints the generation rate, the verification rate and the memory the walk added.
 * On a PostgreSQL server when DATABASE_URL is set (a scratch database, dropped afterwards), else
 * on an embedded PGlite in a temporary folder.
 *
 * Options: --entries N (default 1,000,000), --page N (rows a page, default 2,000).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { openDatabase, type Database } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";
import { StaticAuditKeyring, useAuditKeyring } from "../../src/governance/audit-keys.js";
import { appendAudit, auditChainHead, verifyAuditChain, type AuditInput } from "../../src/governance/audit-log.js";

const { values } = parseArgs({ options: { entries: { type: "string", default: "1000000" }, page: { type: "string", default: "2000" } } });
const entries = Number(values.entries);
const pageSize = Number(values.page);
const out = (line: string) => process.stdout.write(`${line}\n`);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function bench(label: string, db: Database): Promise<void> {
  await migrate(db.pool);
  useAuditKeyring(new StaticAuditKeyring([randomBytes(32)]));
  let t = performance.now();
  const chunk = 10_000;
  for (let done = 0; done < entries; done += chunk) {
    const inputs: AuditInput[] = [];
    for (let i = done; i < Math.min(entries, done + chunk); i += 1) {
      inputs.push({ kind: "tool.call", actor: "agent:bench", runId: `run-${Math.floor(i / 100)}`, agent: "bench", node: "step", subjectType: "appointment", subjectId: `Appointment/${i}`, payload: { tool: "bench", input: { i }, output: { ok: true } } });
    }
    await appendAudit(db.pool, inputs);
    if ((done / chunk) % 100 === 99) out(`  … ${(done + chunk).toLocaleString("en-US")} entries`);
  }
  const generated = (performance.now() - t) / 1000;
  out(`${label}: appended ${entries.toLocaleString("en-US")} entries in ${generated.toFixed(1)} s (${(entries / generated).toFixed(0)} entries/s)`);

  const head = await auditChainHead(db.pool);
  const anchor = { anchor: { seq: head.seq, hash: head.hash, at: new Date().toISOString() }, valid: true };
  global.gc?.();
  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  let peakRss = before.rss;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 20);
  t = performance.now();
  const result = await verifyAuditChain(db.pool, { pageSize, anchor });
  const seconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  if (!result.ok || result.checked !== entries || result.anchor?.status !== "matched") throw new Error(`verification failed: ${JSON.stringify(result)}`);
  out(`  verified                 ${result.checked.toLocaleString("en-US")} entries in ${seconds.toFixed(1)} s (${(result.checked / seconds).toFixed(0)} entries/s), anchor ${result.anchor.status}`);
  out(`  heap                     ${mb(before.heapUsed)} before, peak ${mb(peakHeap)} (+${mb(peakHeap - before.heapUsed)})`);
  out(`  RSS                      ${mb(before.rss)} before, peak ${mb(peakRss)} (+${mb(peakRss - before.rss)})`);
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url !== undefined && url !== "") {
    const name = `irc_bench_audit_${process.pid}`;
    const admin = async (sql: string) => { const c = new pg.Client({ connectionString: url }); await c.connect(); try { await c.query(sql); } finally { await c.end(); } };
    await admin(`CREATE DATABASE ${name}`);
    const u = new URL(url);
    u.pathname = `/${name}`;
    const server = await openDatabase({ kind: "postgres", url: u.toString(), poolMax: 4 });
    try {
      await bench("PostgreSQL", server);
    } finally {
      await server.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
    return;
  }
  const dir = await mkdtemp(path.join(tmpdir(), "irc-bench-audit-"));
  try {
    const db = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      await bench("embedded (PGlite)", db);
    } finally {
      await db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
