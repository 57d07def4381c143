/**
 * `npm run bench:console [-- --rate 100 --seconds 15 --patients 5000 --items 10000 --audit 1000000 --paths scorecard,inbox,item,audit]`
 * — the console's pages under open-loop load, idle and while a sweep runs (issue 17, "Speed").
 *
 * Seeding (in this process, on the database the service will use): the service's own components
 * migrate and seed a sandbox clinic of `--patients` patients over two weeks, and sweep its first
 * two days through the real agents, which leaves real pending review items; those rows are then
 * copied (new ids, interrupts and idempotency keys; same runs and drafts) up to `--items` pending
 * items, and the audit entries the sweep wrote are copied up to `--audit` entries in bulk SQL
 * (new seq and ids; their hashes are filler, so this copy is not a verifiable chain — searches do
 * not verify). Then `--sessions` admin users get a session each (inserted like a sign-in does).
 *
 * Load: the service runs as a separate process (`spawnService`, SWEEP_ON_START off) so its memory
 * is measured alone (peak RSS from /proc). Each cell sends `--rate` requests/s on a fixed
 * schedule for `--seconds` (after a short warm-up), whatever the answers' pace: open loop, and a
 * request's latency counts from its scheduled time, so queueing counts. Sessions are used in
 * turn, and the run sets RATE_LIMIT_MAX high (the global limiter keys by address, and every
 * virtual client here shares 127.0.0.1). Cells: each path idle, then each path while a sweep of
 * the whole clinic runs (started with POST /v1/sweeps; restarted if it ends before the cells do).
 * On the embedded database (PGlite in a temporary folder), then on PostgreSQL when DATABASE_URL
 * or TEST_DATABASE_URL is set (a scratch database, dropped afterwards).
 *
 * Prints p50, p99, achieved rate and status codes per cell, and the service's peak RSS. Exits
 * non-zero when a path answered anything but 200 (a page not built yet answers 404: it is
 * reported and the run goes on).
 */
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { loadConfig } from "../../src/config.js";
import { openSession } from "../../src/console/sessions.js";
import { createUser } from "../../src/console/users.js";
import { openDatabase, type Database } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";
import { loadAuditKeyring, useAuditKeyring } from "../../src/governance/audit-keys.js";
import { createApiKey } from "../../src/server/auth/api-keys.js";
import { buildServiceComponents, prepareComponents } from "../../src/service-components.js";
import { addDays } from "../../tools/iso-dates.js";
import { spawnService, type ServiceProcess } from "../helpers/instances.js";
import { adminQuery } from "../helpers/databases.js";

const { values } = parseArgs({ options: {
  rate: { type: "string", default: "100" }, seconds: { type: "string", default: "15" }, warmup: { type: "string", default: "3" },
  patients: { type: "string", default: "5000" }, items: { type: "string", default: "10000" }, audit: { type: "string", default: "1000000" },
  sessions: { type: "string", default: "20" }, paths: { type: "string", default: "inbox,item,audit,scorecard" },
  phases: { type: "string", default: "idle,sweep" }, databases: { type: "string", default: "pglite,postgres,postgres-split" },
} });
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const out = (line: string) => process.stdout.write(`${line}\n`);
const today = new Date().toISOString().slice(0, 10);
const clinicTo = addDays(today, 13);

interface Seeded { tokens: string[]; itemIds: string[]; apiKey: string }

/** Migrates, seeds the clinic, sweeps two days with the real agents, then copies pending items and audit entries in bulk. */
async function seed(label: string, db: Database, dataDir: string, databaseUrl: string | undefined): Promise<Seeded> {
  let t = performance.now();
  const step = (what: string) => {
    out(`${label}: ${what} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
  };
  await migrate(db.pool);
  useAuditKeyring(await loadAuditKeyring({ dataDir }));
  const config = loadConfig({ NODE_ENV: "test", DATA_DIR: dataDir, DATABASE_URL: databaseUrl, SANDBOX_PATIENTS: values.patients, SANDBOX_WEEKS: "2", LOG_LEVEL: "silent" });
  const logger = pino({ level: "silent" });
  const components = buildServiceComponents(config, db, logger);
  await prepareComponents(config, db, components, logger);
  step(`seeded a ${values.patients}-patient sandbox clinic`);
  await components.sweeps.start({ schedule: false });
  const sweep = await components.sweeps.startSweep({ from: today, to: addDays(today, 1), kind: "manual", requestedBy: "bench" });
  const swept = await components.sweeps.waitForCompletion(sweep.id, { pollMs: 500 });
  await components.sweeps.stop();
  step(`swept ${swept.total} appointments with the agents`);

  // Pending items: the real ones, copied with new ids up to the count asked for.
  const { rows: [pending] } = await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM review_items WHERE status = 'pending'");
  if (pending === undefined || pending.n === 0) throw new Error("the seed sweep left no pending review item to copy");
  const { rows: columns } = await db.pool.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_name = 'review_items' AND is_generated = 'NEVER' ORDER BY ordinal_position");
  const changed: Record<string, string> = {
    id: "s.id || '-copy-' || g", interrupt_id: "s.interrupt_id || '-copy-' || g",
    idempotency_key: "CASE WHEN s.idempotency_key IS NULL THEN NULL ELSE s.idempotency_key || '-copy-' || g END",
    due_by: "s.due_by + make_interval(mins => g)", created_at: "s.created_at + make_interval(secs => g)",
  };
  const names = columns.map((c) => c.column_name);
  const copies = Math.max(0, Number(values.items) - pending.n);
  await db.pool.query(`INSERT INTO review_items (${names.join(", ")})
    SELECT ${names.map((c) => changed[c] ?? `s.${c}`).join(", ")}
    FROM generate_series(1, $1::int) AS g
    JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS k, * FROM review_items WHERE status = 'pending') AS s ON s.k = g % $2`, [copies, pending.n]);
  step(`${pending.n} pending items from the sweep, copied to ${(pending.n + copies).toLocaleString("en-US")}`);

  // Audit entries: the sweep's, copied (new seq and id, filler hashes, other runs and subjects) in chunks up to the count asked for.
  const { rows: [audit] } = await db.pool.query<{ n: number; max: string }>("SELECT count(*)::int AS n, max(seq)::text AS max FROM audit_log");
  const wanted = Number(values.audit);
  const chunk = 100_000;
  for (let done = audit?.n ?? 0, next = Number(audit?.max ?? 0) + 1; done < wanted; done += chunk, next += chunk) {
    const n = Math.min(chunk, wanted - done);
    await db.pool.query(`INSERT INTO audit_log (seq, id, at, kind, actor, run_id, agent, node, subject_type, subject_id, payload, prev_hash, hash, key_id)
      SELECT $1::bigint + g, 'bench-' || ($1::bigint + g), s.at, s.kind, s.actor,
        -- Each copy of the sweep's entries is about other runs and appointments (a log of a million entries is a long
        -- history, not the same appointments a hundred times over): the items' own runs and subjects keep their entries.
        s.run_id || '~' || (($1::bigint + g) / $3), s.agent, s.node, s.subject_type, s.subject_id || '~' || (($1::bigint + g) / $3), s.payload,
        decode(md5(($1::bigint + g - 1)::text) || md5('p' || ($1::bigint + g - 1)), 'hex'), decode(md5(($1::bigint + g)::text) || md5('p' || ($1::bigint + g)), 'hex'), s.key_id
      FROM generate_series(0, $2::int - 1) AS g
      JOIN (SELECT row_number() OVER (ORDER BY seq) - 1 AS k, * FROM audit_log WHERE seq <= $4::bigint) AS s ON s.k = g % $3`,
    [next, n, audit?.n ?? 1, audit?.max ?? "0"]);
  }
  await db.pool.query("ANALYZE");
  step(`${(audit?.n ?? 0).toLocaleString("en-US")} audit entries from the sweep, copied to ${Math.max(wanted, audit?.n ?? 0).toLocaleString("en-US")}`);

  const tokens: string[] = [];
  for (let i = 0; i < Number(values.sessions); i += 1) {
    const { user } = await createUser(db.pool, { username: `bench-${i}`, displayName: `Bench ${i}`, role: "admin", createdBy: "bench", password: "bench password long enough" });
    tokens.push(await openSession(db.pool, user.id, { idleMinutes: config.console.idleMinutes, maxHours: config.console.maxHours }));
  }
  const { key } = await createApiKey(db.pool, { name: "bench", role: "admin", createdBy: "bench" });
  const { rows: items } = await db.pool.query<{ id: string }>("SELECT id FROM review_items WHERE status = 'pending' ORDER BY random() LIMIT 500");
  return { tokens, itemIds: items.map((r) => r.id), apiKey: key };
}

/** One cell's figures. */
interface Cell { db: string; phase: string; path: string; p50: number; p99: number; achieved: number; statuses: Record<string, number>; sweepRunning: string }

/** Sends `rate` requests/s for `durationS` on a fixed schedule; latency from each request's scheduled time. */
async function openLoop(url: (i: number) => string, headers: (i: number) => Record<string, string>, perSecond: number, durationS: number) {
  const total = Math.round(perSecond * durationS);
  const interval = 1000 / perSecond;
  const start = performance.now() + 50;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let lastDone = start;
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    const scheduled = start + i * interval;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(fetch(url(i), { headers: headers(i), redirect: "manual" }).then(async (response) => {
      await response.arrayBuffer();
      return String(response.status);
    }, (error: unknown) => `error ${error instanceof Error ? error.message : String(error)}`).then((status) => {
      const done = performance.now();
      latencies.push(done - scheduled);
      statuses[status] = (statuses[status] ?? 0) + 1;
      lastDone = Math.max(lastDone, done);
    }));
  }
  await Promise.all(inFlight);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), achieved: (statuses["200"] ?? 0) / ((lastDone - start) / 1000), statuses };
}

/** Samples the service's resident memory (VmRSS) from /proc. */
class RssSampler {
  peak = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(pid: number) {
    this.timer = setInterval(() => {
      readFile(`/proc/${pid}/status`, "utf8").then((status) => {
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        this.peak = Math.max(this.peak, kb * 1024);
      }, () => undefined);
    }, 100);
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * `split` (PostgreSQL only): the console's instance works no sweep jobs (SWEEP_CONCURRENCY=0) and a
 * second instance on the same database (and data folder, so the same audit key) works them — the shape README "Running several instances"
 * recommends for a clinic whose people work while sweeps run. The peak RSS is the console's instance.
 */
async function bench(label: string, dataDir: string, databaseUrl: string | undefined, open: () => Promise<Database>, split = false): Promise<{ cells: Cell[]; peakRss: number }> {
  const db = await open();
  let seeded: Seeded;
  try {
    seeded = await seed(label, db, dataDir, databaseUrl);
  } finally {
    await db.close();
  }
  const env: Record<string, string> = {
    DATA_DIR: dataDir, SANDBOX_PATIENTS: values.patients, SANDBOX_WEEKS: "2", SWEEP_ON_START: "false", LOG_LEVEL: "warn",
    // Every virtual client comes from 127.0.0.1: the global limiter (per key or address) would refuse most of the load.
    RATE_LIMIT_MAX: "100000000",
    ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
  };
  const service: ServiceProcess = await spawnService(split ? { ...env, SWEEP_CONCURRENCY: "0" } : env, 600_000, ["--max-semi-space-size=64"]);
  const worker: ServiceProcess | null = split ? await spawnService(env, 600_000, ["--max-semi-space-size=64"]) : null;
  const rss = new RssSampler(service.pid);
  const cells: Cell[] = [];
  try {
    const scorecardFrom = addDays(today, -14);
    const paths: Record<string, (i: number) => string> = {
      home: () => "/",
      inbox: () => "/inbox",
      item: (i) => `/inbox/items/${encodeURIComponent(seeded.itemIds[i % seeded.itemIds.length] ?? "none")}`,
      audit: () => "/audit?agent=eligibility",
      scorecard: () => `/scorecard?from=${scorecardFrom}&to=${clinicTo}`,
    };
    const chosen = values.paths.split(",").map((p) => p.trim()).filter((p) => paths[p] !== undefined);
    const headers = (i: number) => ({ cookie: `irc_session=${seeded.tokens[i % seeded.tokens.length] ?? ""}` });
    const api = (p: string, init: RequestInit = {}) => fetch(`${service.url}${p}`, { ...init, headers: { authorization: `Bearer ${seeded.apiKey}`, "content-type": "application/json" } });
    let sweepId: string | undefined;
    const sweepRunning = async () => {
      if (sweepId === undefined) return false;
      const body = await (await api(`/v1/sweeps/${sweepId}`)).json() as { status?: string };
      return body.status === "running";
    };
    const ensureSweep = async () => {
      if (await sweepRunning()) return;
      const response = await api("/v1/sweeps", { method: "POST", body: JSON.stringify({ from: today, to: clinicTo }) });
      if (response.status !== 202) throw new Error(`could not start a sweep: ${response.status} ${await response.text()}`);
      const body = await response.json() as { id: string; total: number };
      sweepId = body.id;
      out(`${label}: sweep of ${body.total} appointments started`);
      await new Promise((r) => setTimeout(r, 2000));
    };
    for (const phase of values.phases.split(",")) {
      for (const name of chosen) {
        const url = paths[name]!;
        if (phase === "sweep") await ensureSweep();
        await openLoop((i) => `${service.url}${url(i)}`, headers, Math.min(20, rate), Number(values.warmup));
        const result = await openLoop((i) => `${service.url}${url(i)}`, headers, rate, seconds);
        const still = phase === "sweep" ? ((await sweepRunning()) ? "yes" : "ended during the cell") : "no";
        const cell = { db: label, phase, path: name === "item" ? "/inbox/items/:id" : url(0), ...result, sweepRunning: still };
        cells.push(cell);
        out(`${label}: ${phase} ${cell.path} p50 ${cell.p50.toFixed(1)} ms, p99 ${cell.p99.toFixed(1)} ms, ${cell.achieved.toFixed(1)}/s, ${JSON.stringify(cell.statuses)}`);
      }
    }
  } finally {
    rss.stop();
    await worker?.stop();
    await service.stop();
    const warnings = service.logs.filter((l) => /"level":(40|50|60)/.test(l));
    if (warnings.length > 0) out(`${label}: the service logged ${warnings.length} warnings or errors, the last: ${warnings.slice(-3).join("\n")}`);
  }
  out(`${label}: service peak RSS ${(rss.peak / 1024 / 1024).toFixed(0)} MB`);
  return { cells, peakRss: rss.peak };
}

async function main(): Promise<void> {
  const results: { label: string; cells: Cell[]; peakRss: number }[] = [];
  const kinds = values.databases.split(",");
  if (kinds.includes("pglite")) {
    const dir = await mkdtemp(path.join(tmpdir(), "irc-bench-console-"));
    try {
      results.push({ label: "embedded (PGlite)", ...await bench("embedded (PGlite)", dir, undefined, () => openDatabase({ kind: "pglite", dataDir: dir })) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const url = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL;
  for (const [kind, label, split] of [["postgres", "PostgreSQL", false], ["postgres-split", "PostgreSQL, sweeps on a second instance", true]] as const) {
    if (!kinds.includes(kind) || url === undefined || url === "") continue;
    const dir = await mkdtemp(path.join(tmpdir(), "irc-bench-console-"));
    const name = `irc_bench_console_${process.pid}_${split ? "split" : "one"}`;
    const scratch = new URL(url);
    scratch.pathname = `/${name}`;
    await adminQuery(url, `CREATE DATABASE ${name}`);
    try {
      results.push({ label, ...await bench(label, dir, scratch.toString(), () => openDatabase({ kind: "postgres", url: scratch.toString(), poolMax: 10 }), split) });
    } finally {
      await adminQuery(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await rm(dir, { recursive: true, force: true });
    }
  }
  out("");
  out(`Open loop at ${rate} requests/s for ${seconds} s per cell (latency from the scheduled time), ${values.sessions} sessions, RATE_LIMIT_MAX raised for the run`);
  out("| database | phase | page | p50 ms | p99 ms | achieved /s | statuses | peak RSS |");
  out("|---|---|---|---:|---:|---:|---|---:|");
  let bad = false;
  for (const r of results) {
    for (const c of r.cells) {
      const ok = Object.keys(c.statuses).every((s) => s === "200");
      bad ||= !ok;
      out(`| ${c.db} | ${c.phase === "sweep" ? `during a sweep${c.sweepRunning === "yes" ? "" : " (ended during the cell)"}` : "idle"} | \`${c.path}\` | ${c.p50.toFixed(1)} | ${c.p99.toFixed(1)} | ${c.achieved.toFixed(1)} | ${Object.entries(c.statuses).map(([s, n]) => `${s}×${n}`).join(" ")}${ok ? "" : " **not 200**"} | ${(r.peakRss / 1024 / 1024).toFixed(0)} MB |`);
    }
  }
  if (bad) {
    process.stderr.write("bench:console: some pages did not answer 200 (see the statuses above: 404 = the page is not built on this branch)\n");
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
