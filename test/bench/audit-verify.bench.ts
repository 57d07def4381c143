/**
 * `npm run bench:audit` — verifying a large audit chain in bounded memory. Appends N generated
 * entries (keyed, with a small payload each, as the append path writes them), then walks the chain
 * with `verifyAuditChain` while sampling the heap and RSS, and checks it against an anchor of the
 * head. Prints the generation rate, the verification rate and the memory the walk added.
 * On a PostgreSQL server when DATABASE_URL is set (a scratch database, dropped afterwards), else
 * on an embedded PGlite in a temporary folder.
 *
 * Options: --entries N (default 1,000,000), --page N (rows a page, default 2,000), --sql (on a
 * server: generate the chain in the database, with pgcrypto's HMAC in a PL/pgSQL loop, the same
 * text `entryHash` hashes — ten million entries in minutes rather than an hour through the append path;
 * payloads stored as text, format 0x00, since SQL cannot deflate with the preset dictionary),
 * --months M (with --sql: spread the chain over the M monthly partitions before this one, as seven
 * years of a clinic's log would be; default 1, this month only), --queries N (default 200).
 * Then times the audit API's queries (`queryAudit` by run, by subject, by kind after a seq, a page
 * after a seq: p50 and p99 over N random ones) and prints the plan of the run query (partition
 * pruning is by month; each partition answers from its index).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { openDatabase, type Database } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";
import { StaticAuditKeyring, useAuditKeyring } from "../../src/governance/audit-keys.js";
import { appendAudit, auditChainHead, queryAudit, verifyAuditChain, type AuditInput, type AuditQuery } from "../../src/governance/audit-log.js";
import { onScratchDatabase } from "./scratch-database.js";

const { values } = parseArgs({ options: {
  entries: { type: "string", default: "1000000" }, page: { type: "string", default: "2000" }, sql: { type: "boolean", default: false },
  months: { type: "string", default: "1" }, queries: { type: "string", default: "200" },
} });
const months = Math.max(1, Number(values.months));
const queries = Number(values.queries);
const entries = Number(values.entries);
const pageSize = Number(values.page);
const out = (line: string) => process.stdout.write(`${line}\n`);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Appends the entries in the database itself: HMAC-SHA-256 (pgcrypto) over the text `entryHash` builds for each. */
async function generateInDatabase(db: Database, secret: Buffer, keyId: string): Promise<void> {
  await db.pool.query("CREATE EXTENSION IF NOT EXISTS pgcrypto");
  // The months the chain is spread over, oldest first, ending with this one.
  await db.pool.query(`SELECT audit_log_create_partition((date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => m))::date)
    FROM generate_series(0, $1 - 1) AS m`, [months]);
  await db.pool.query(`CREATE FUNCTION bench_chain(n bigint, k bytea, key_id text, at_text text, id_prefix text, months int) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE prev text := repeat('0', 64); h text; payload text; body text; i bigint; m date;
      this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
    BEGIN
      FOR i IN 1..n LOOP
        payload := '{"input":{"i":' || (i - 1) || '},"output":{"ok":true},"tool":"bench"}';
        body := prev || E'\n' || '{"actor":"agent:bench","agent":"bench","at":"' || at_text || '","id":"' || id_prefix || i || '","keyId":"' || key_id
          || '","kind":"tool.call","node":"step","payload":' || payload || ',"runId":"run-' || ((i - 1) / 100) || '","seq":' || i
          || ',"subjectId":"Appointment/' || (i - 1) || '","subjectType":"appointment"}';
        h := encode(hmac(convert_to(body, 'UTF8'), k, 'sha256'), 'hex');
        m := (this_month - make_interval(months => (months - 1 - ((i - 1) * months / n))::int))::date;
        INSERT INTO audit_log (seq, id, at, kind, actor, run_id, agent, node, subject_type, subject_id, payload, prev_hash, hash, key_id, chain_month)
          VALUES (i, id_prefix || i, at_text::timestamptz, 'tool.call', 'agent:bench', 'run-' || ((i - 1) / 100), 'bench', 'step', 'appointment', 'Appointment/' || (i - 1), '\\x00'::bytea || convert_to(payload, 'UTF8'), decode(prev, 'hex'), decode(h, 'hex'), key_id, m);
        prev := h;
      END LOOP;
    END $$`);
  await db.pool.query("SELECT bench_chain($1, $2, $3, $4, $5, $6)", [entries, secret, keyId, new Date().toISOString(), `${randomUUID()}-`, months]);
  await db.pool.query("ANALYZE audit_log");
}

async function bench(label: string, db: Database): Promise<void> {
  await migrate(db.pool);
  const secret = randomBytes(32);
  const keyring = new StaticAuditKeyring([secret]);
  useAuditKeyring(keyring);
  let t = performance.now();
  if (values.sql) await generateInDatabase(db, secret, keyring.current.id);
  const chunk = values.sql ? 0 : 10_000;
  for (let done = 0; chunk > 0 && done < entries; done += chunk) {
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
  await timeQueries(db);
}

/** p50 and p99 of the audit API's queries over random runs, subjects and positions, and the run query's plan. */
async function timeQueries(db: Database): Promise<void> {
  const pick = () => Math.floor(Math.random() * entries);
  const kinds: [string, () => AuditQuery][] = [
    ["by run (500)", () => ({ runId: `run-${Math.floor(pick() / 100)}` })],
    ["by subject", () => ({ subjectType: "appointment", subjectId: `Appointment/${pick()}` })],
    ["by kind after seq (500)", () => ({ kind: "tool.call", afterSeq: pick() })],
    ["page after seq (500)", () => ({ afterSeq: pick() })],
  ];
  const { rows: [parts] } = await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'audit_log'::regclass");
  out(`  queries                  ${queries} each, ${parts?.n ?? 0} monthly partitions`);
  for (const [label, query] of kinds) {
    const ms: number[] = [];
    for (let i = 0; i < queries; i += 1) {
      const t = performance.now();
      const found = await queryAudit(db.pool, query());
      ms.push(performance.now() - t);
      if (found.length === 0) throw new Error(`${label}: no entries found`);
    }
    ms.sort((a, b) => a - b);
    const at = (q: number) => (ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] as number).toFixed(2);
    out(`  ${label.padEnd(25)}p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`);
  }
  const { rows } = await db.pool.query<{ "QUERY PLAN": string }>("EXPLAIN SELECT * FROM audit_log WHERE run_id = $1 ORDER BY seq LIMIT 500", ["run-1"]);
  const plan = rows.map((r) => r["QUERY PLAN"]);
  out(`  plan (by run)            ${plan.filter((l) => /Index Scan|Index Only Scan/.test(l)).length} index scans, ${plan.filter((l) => /Seq Scan/.test(l)).length} sequential scans: ${plan[0]?.trim()}`);
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url !== undefined && url !== "") {
    await onScratchDatabase(url, (server) => bench("PostgreSQL", server), 4);
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
