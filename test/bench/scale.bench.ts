/**
 * `npm run bench:scale [-- --instances 1,2,3 --patients 2000 --weeks 4 --repeats 2 --skip-takeover]` — service instances as
 * separate processes (`src/main.ts`, the service's own settings) sharing one PostgreSQL database
 * (DATABASE_URL or TEST_DATABASE_URL; a fresh database per configuration, created and dropped
 * here): for 1, 2 and 3 instances, a sandbox clinic of `patients` patients swept over its weeks of
 * appointments —
 * - appointments/s: a one-day warm-up sweep, then the rest of the weeks in `repeats` parts, each
 *   checked for the first time (median and each), then everything re-checked (every draft
 *   supersedes an undecided one and its run is closed: the costlier case),
 * - the time to take over after `kill -9` of an instance a third of the way into a sweep (with one
 *   instance: the instance restarted at once, as a supervisor would), and that the sweep still
 *   completes with every appointment done,
 * - bytes of database per appointment checked (growth of the service's own tables over the
 *   first checks, the sandbox clinic's tables excluded),
 * - peak resident memory of each instance (the kernel's high-water mark, VmHWM).
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type pg from "pg";
import { addDays } from "../../tools/iso-dates.js";
import { createApiKey } from "../../src/server/auth/api-keys.js";
import { openDatabase, type Database } from "../../src/db/database.js";
import { StaticAuditKeyring, useAuditKeyring } from "../../src/governance/audit-keys.js";
import { adminQuery } from "../helpers/databases.js";
import { spawnService, type ServiceProcess } from "../helpers/instances.js";

const { values } = parseArgs({ options: {
  instances: { type: "string", default: "1,2,3" }, patients: { type: "string", default: "2000" }, weeks: { type: "string", default: "4" },
  repeats: { type: "string", default: "2" }, "skip-takeover": { type: "boolean", default: false },
} });
const serverUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const out = (line: string) => process.stdout.write(`${line}\n`);
if (serverUrl === undefined) {
  out("bench:scale needs a PostgreSQL server: set DATABASE_URL (or TEST_DATABASE_URL), e.g. postgres://postgres@127.0.0.1:5432/postgres");
  process.exit(2);
}
const today = new Date().toISOString().slice(0, 10);
const lastDay = addDays(today, Number(values.weeks) * 7 - 1);
/** The audit entry an instance writes when it takes over a dead one's work. */
const TAKEOVER_KIND = "instance.taken_over";
/** Tables of the sandbox clinic and payer (the EHR's and payer's data, not the service's). */
const SANDBOX_TABLES = ["fhir_resources", "payer_members", "payer_dependents", "payer_authorizations", "payer_claims", "sandbox_seeds", "documents", "passages"];

interface Figures { instances: number; total: number; rates: number[]; recheckRate: number; takeoverS: number | null; completedAfterKillS: number | null; bytesPerAppointment: number; peakRssMiB: number[] }

async function withScratchDatabase<T>(fn: (url: string, db: Database) => Promise<T>): Promise<T> {
  const name = `irc_scale_${process.pid}_${randomBytes(3).toString("hex")}`;
  await adminQuery(serverUrl!, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  const db = await openDatabase({ kind: "postgres", url: url.toString(), poolMax: 2 });
  try {
    return await fn(url.toString(), db);
  } finally {
    await db.close();
    await adminQuery(serverUrl!, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** Bytes on disk of the service's own tables (with indexes and TOAST), the sandbox's excluded. */
async function serviceBytes(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ bytes: string }>(
    `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND NOT (c.relname = ANY($1))`, [SANDBOX_TABLES]);
  return Number(rows[0]!.bytes);
}

async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kb === undefined ? Number.NaN : Math.round(Number(kb) / 1024);
}

/** Starts a sweep on `instance` and waits for it; returns its size and the seconds it took (by the service's own timestamps). */
async function sweep(instance: ServiceProcess, headers: Record<string, string>, db: Database, from: string, to: string,
  during?: (done: number, total: number) => Promise<void>): Promise<{ total: number; seconds: number }> {
  const res = await fetch(`${instance.url}/v1/sweeps`, { method: "POST", headers, body: JSON.stringify({ from, to }) });
  if (res.status !== 202) throw new Error(`POST /v1/sweeps: ${res.status} ${await res.text()}`);
  const { id, total } = await res.json() as { id: string; total: number };
  for (;;) {
    const { rows } = await db.pool.query<{ status: string; done: number; failed: number; seconds: number | null }>(
      `SELECT s.status, (SELECT count(*)::int FROM sweep_items i WHERE i.sweep_id = s.id AND i.status = 'done') AS done,
        (SELECT count(*)::int FROM sweep_items i WHERE i.sweep_id = s.id AND i.status = 'failed') AS failed,
        extract(epoch FROM s.finished_at - s.created_at)::float8 AS seconds FROM sweeps s WHERE s.id = $1`, [id]);
    const s = rows[0]!;
    if (s.status === "completed") {
      if (s.failed > 0 || s.done !== total) throw new Error(`sweep ${id}: ${s.done} of ${total} done, ${s.failed} failed`);
      return { total, seconds: s.seconds! };
    }
    await during?.(s.done, total);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function run(n: number): Promise<Figures> {
  return withScratchDatabase(async (url, db) => {
    // This process writes to the chain too (the bench's API key): it signs with the instances' key.
    const secret = randomBytes(32);
    useAuditKeyring(new StaticAuditKeyring([secret]));
    const env = {
      DATABASE_URL: url, AUDIT_KEY: secret.toString("base64"), SANDBOX_PATIENTS: values.patients, SANDBOX_WEEKS: values.weeks,
      SWEEP_ON_START: "false", LOG_LEVEL: "warn", NODE_ENV: "production",
    };
    // As `npm start` runs it (package.json), from the sources.
    const spawnOne = () => spawnService(env, 600_000, ["--max-semi-space-size=64"]);
    const instances: ServiceProcess[] = [await spawnOne()];
    try {
      for (let i = 1; i < n; i += 1) instances.push(await spawnOne());
      const { key } = await createApiKey(db.pool, { name: "bench:scale", role: "admin" });
      const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
      const first = instances[0]!;
      // Warm-up: the first day. Then the rest of the weeks in `repeats` parts, each swept once — a
      // first check of each appointment, as the daily sweep makes — and then all of them again (a
      // re-check: each new draft supersedes an undecided one, whose run is closed).
      await sweep(first, headers, db, today, today);
      const before = await serviceBytes(db.pool);
      const rates: number[] = [];
      let checked = 0;
      const days = Number(values.weeks) * 7 - 1;
      const parts = Number(values.repeats);
      for (let r = 0; r < parts; r += 1) {
        const from = addDays(today, 1 + Math.floor((r * days) / parts));
        const to = addDays(today, Math.floor(((r + 1) * days) / parts));
        const s = await sweep(first, headers, db, from, to);
        rates.push(s.total / s.seconds);
        checked += s.total;
        out(`  ${n} instance(s), first check ${r + 1} (${from}..${to}): ${s.total} appointments in ${s.seconds.toFixed(1)} s = ${(s.total / s.seconds).toFixed(1)} /s`);
      }
      const bytesPerAppointment = (await serviceBytes(db.pool) - before) / checked;
      const again = await sweep(first, headers, db, today, lastDay);
      const total = again.total;
      const recheckRate = again.total / again.seconds;
      out(`  ${n} instance(s), re-check of all: ${again.total} appointments in ${again.seconds.toFixed(1)} s = ${recheckRate.toFixed(1)} /s`);
      const peak = await Promise.all(instances.map((i) => peakRssMiB(i.pid)));

      if (values["skip-takeover"]) return { instances: n, total, rates, recheckRate, takeoverS: null, completedAfterKillS: null, bytesPerAppointment, peakRssMiB: peak };
      // Takeover: kill -9 the last instance a third of the way into a sweep (with one, restart it).
      let killedAt: number | null = null;
      const victim = instances[instances.length - 1]!;
      const survivor = n > 1 ? instances[0]! : null;
      const kill = async (done: number, all: number) => {
        if (killedAt !== null || done < all / 3) return;
        victim.kill("SIGKILL");
        await victim.exited;
        killedAt = Date.now();
        if (survivor === null) instances[0] = await spawnOne();
      };
      const started = Date.now();
      const sweepOn = survivor ?? first;
      const res = await fetch(`${sweepOn.url}/v1/sweeps`, { method: "POST", headers, body: JSON.stringify({ from: today, to: lastDay }) });
      const { id } = await res.json() as { id: string };
      let completedAt: number | null = null;
      while (completedAt === null && Date.now() - started < 600_000) {
        const { rows } = await db.pool.query<{ status: string; done: number; total: number }>(
          "SELECT status, total, (SELECT count(*)::int FROM sweep_items WHERE sweep_id = $1 AND status = 'done') AS done FROM sweeps WHERE id = $1", [id]);
        if (rows[0]!.status === "completed") completedAt = Date.now();
        else await kill(rows[0]!.done, rows[0]!.total);
        await new Promise((r) => setTimeout(r, 200));
      }
      const { rows: taken } = await db.pool.query<{ at: Date }>("SELECT at FROM audit_log WHERE kind = $1 ORDER BY seq LIMIT 1", [TAKEOVER_KIND]);
      const takeoverS = killedAt === null || taken[0] === undefined ? null : (taken[0].at.getTime() - killedAt) / 1000;
      const completedAfterKillS = killedAt === null || completedAt === null ? null : (completedAt - killedAt) / 1000;
      return { instances: n, total, rates, recheckRate, takeoverS, completedAfterKillS, bytesPerAppointment, peakRssMiB: peak };
    } finally {
      for (const i of instances) i.kill("SIGKILL");
      await Promise.all(instances.map((i) => i.exited));
    }
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
out(`bench:scale — ${values.patients} patients, ${today}..${lastDay}, PostgreSQL at ${new URL(serverUrl).host}, service defaults`);
const results: Figures[] = [];
for (const n of values.instances.split(",").map(Number)) {
  const f = await run(n);
  results.push(f);
  out(`${n} instance(s): first checks ${median(f.rates).toFixed(1)} appointments/s (median of ${f.rates.map((x) => x.toFixed(1)).join(", ")}), `
    + `re-check of all ${f.recheckRate.toFixed(1)} /s · `
    + `takeover after kill -9 ${f.takeoverS === null ? "not seen" : `${f.takeoverS.toFixed(1)} s`}${n === 1 ? " (restarted)" : ""}, `
    + `sweep completed ${f.completedAfterKillS === null ? "—" : `${f.completedAfterKillS.toFixed(1)} s`} after the kill · `
    + `${(f.bytesPerAppointment / 1024).toFixed(1)} KiB per appointment · peak RSS ${f.peakRssMiB.join(" / ")} MiB`);
}
