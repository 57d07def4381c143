/**
 * `npm run bench:storage [-- --appointments 500 --warmup 40 --repeats 2 --phase advisory]` — bytes of
 * database per appointment checked: a pre-service sweep over a generated sandbox clinic, run as the
 * service runs it (bench:sweep's set-up, the service's own workers and batch size), each repeat on a
 * fresh database after a warm-up sweep on another. Per table (test/helpers/storage-usage.ts):
 * - disk: growth of `pg_total_relation_size` (heap, TOAST, indexes) from before the sweep to after
 *   it, both after a VACUUM;
 * - rows: growth of `sum(pg_column_size(t.*))`, the live rows' bytes as stored.
 * What stays live after a sweep is counted; then again without the checkpoints of finished runs
 * (retention prunes those; the checkpoints of runs waiting for a person stay). Also prints
 * appointments/s, the p50/p99 of audit bytes per appointment (entries about one appointment) and
 * peak RSS. On the embedded database (PGlite on disk) and, when DATABASE_URL or TEST_DATABASE_URL
 * is set, on that PostgreSQL server (a scratch database created and dropped here).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { loadConfig } from "../../src/config.js";
import { openDatabase, type Database } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";
import { loadAuditKeyring, useAuditKeyring } from "../../src/governance/audit-keys.js";
import { verifyAuditChain } from "../../src/governance/audit-log.js";
import { seedGeneratedClinic } from "../../src/sandbox/harness.js";
import { buildServiceComponents, prepareComponents } from "../../src/service-components.js";
import {
  CHECKPOINT_TABLES, SWEEP_TABLES, bytesDelta, finishedRunCheckpointBytes, pruneFinishedRunCheckpoints, tableBytes, vacuumSweepTables, type TableBytes,
} from "../helpers/storage-usage.js";
import { onScratchDatabase } from "./scratch-database.js";

const { values } = parseArgs({ options: {
  appointments: { type: "string", default: "500" }, warmup: { type: "string", default: "40" }, repeats: { type: "string", default: "2" },
  phase: { type: "string", default: "advisory" },
} });
const out = (line: string) => process.stdout.write(`${line}\n`);
const today = new Date().toISOString().slice(0, 10);
const kib = (bytes: number) => (bytes / 1024).toFixed(2).padStart(8);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

let peakRss = 0;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 100);

/** One measured sweep. */
interface Measure {
  appointments: number;
  seconds: number;
  live: TableBytes;
  /** Disk and row bytes of the checkpoint tables once finished runs' checkpoints are pruned. */
  pruned: { disk: number; rows: number };
  finishedCheckpointRows: number;
  auditPerAppointment: number[];
  /** Audit row bytes by kind (and tool), largest first. */
  auditByKind: { kind: string; entries: number; bytes: number }[];
}

/** Seeds a clinic sized for `wanted` upcoming visits and sweeps them; returns what the sweep left. */
async function sweepOnce(db: Database, dataDir: string, wanted: number): Promise<Measure> {
  await migrate(db.pool);
  useAuditKeyring(await loadAuditKeyring({ dataDir }));
  const clinic = await seedGeneratedClinic(db, { patients: Math.ceil(wanted * 1.15), weeks: 2, seed: 11, asOf: today, historyWeeks: 1 });
  const upcoming = clinic.truth.filter((x) => x.dateOfService >= today).sort((a, b) => a.dateOfService.localeCompare(b.dateOfService));
  const last = upcoming[Math.min(wanted, upcoming.length) - 1]?.dateOfService ?? today;
  const config = loadConfig({ NODE_ENV: "test", DATA_DIR: dataDir, LOG_LEVEL: "silent" });
  const logger = pino({ level: "silent" });
  const components = buildServiceComponents(config, db, logger);
  await prepareComponents(config, db, components, logger);
  for (const agent of ["eligibility", "prior-auth"]) {
    await db.pool.query(`INSERT INTO agent_autonomy (agent, action_type, phase, updated_by, justification) VALUES ($1, '*', $2, 'bench', 'bench')
      ON CONFLICT (agent, action_type) DO UPDATE SET phase = EXCLUDED.phase`, [agent, values.phase]);
  }
  await components.sweeps.start({ schedule: false });
  await vacuumSweepTables(db.pool);
  const before = await tableBytes(db.pool);
  const sweep = await components.sweeps.startSweep({ from: today, to: last, kind: "manual", requestedBy: "bench" });
  const done = await components.sweeps.waitForCompletion(sweep.id, { pollMs: 250 });
  await components.sweeps.stop();
  const { rows: [span] } = await db.pool.query<{ s: number }>("SELECT extract(epoch FROM finished_at - created_at)::float8 AS s FROM sweeps WHERE id = $1", [sweep.id]);
  if (done.items.failed > 0) throw new Error(`${done.items.failed} appointments failed`);
  const chain = await verifyAuditChain(db.pool);
  if (!chain.ok) throw new Error(`audit chain broken: ${JSON.stringify(chain.firstBadEntry)}`);
  await vacuumSweepTables(db.pool);
  const live = bytesDelta(before, await tableBytes(db.pool));
  const { rows: perAppointment } = await db.pool.query<{ b: string }>(
    `SELECT sum(pg_column_size(a.*)) AS b FROM audit_log a JOIN sweep_items i ON i.appointment_id = a.subject_id AND i.sweep_id = $1
     WHERE a.subject_type = 'appointment' GROUP BY a.subject_id ORDER BY 1`, [sweep.id]);
  const { rows: byKind } = await db.pool.query<{ kind: string; entries: string; bytes: string }>(
    `SELECT kind || coalesce(' ' || (payload->>'tool'), '') || coalesce(' ' || node, '') AS kind, count(*) AS entries, sum(pg_column_size(a.*)) AS bytes
     FROM audit_log a WHERE at >= (SELECT created_at FROM sweeps WHERE id = $1) GROUP BY 1 ORDER BY 3 DESC LIMIT 12`, [sweep.id]);
  const auditByKind = byKind.map((r) => ({ kind: r.kind, entries: Number(r.entries), bytes: Number(r.bytes) }));
  const finishedCheckpointRows = await finishedRunCheckpointBytes(db.pool);
  await pruneFinishedRunCheckpoints(db.pool);
  const after = bytesDelta(before, await tableBytes(db.pool));
  const pruned = { disk: 0, rows: 0 };
  for (const t of CHECKPOINT_TABLES) {
    pruned.disk += after[t].disk;
    pruned.rows += after[t].rows;
  }
  return { appointments: done.total, seconds: span?.s ?? 0, live, pruned, finishedCheckpointRows, auditPerAppointment: perAppointment.map((r) => Number(r.b)), auditByKind };
}

function report(label: string, m: Measure): void {
  const n = m.appointments;
  out(`${label}: ${n} appointments, phase ${values.phase}, ${(n / m.seconds).toFixed(1)} appointments/s; bytes per appointment (KiB)`);
  out(`  ${"table".padEnd(20)} ${"disk".padStart(8)} ${"rows".padStart(8)}`);
  let disk = 0;
  let rows = 0;
  let checkpointDisk = 0;
  let checkpointRows = 0;
  for (const t of SWEEP_TABLES) {
    const { disk: d, rows: r } = m.live[t];
    disk += d;
    rows += r;
    if (CHECKPOINT_TABLES.includes(t)) {
      checkpointDisk += d;
      checkpointRows += r;
    }
    out(`  ${t.padEnd(20)} ${kib(d / n)} ${kib(r / n)}`);
  }
  out(`  ${"total".padEnd(20)} ${kib(disk / n)} ${kib(rows / n)}   (checkpoints of all runs kept)`);
  out(`  ${"total, pruned".padEnd(20)} ${kib((disk - checkpointDisk + m.pruned.disk) / n)} ${kib((rows - checkpointRows + m.pruned.rows) / n)}   (finished runs' checkpoints pruned by retention: ${kib(m.finishedCheckpointRows / n).trim()} KiB rows)`);
  const sorted = m.auditPerAppointment;
  out(`  audit rows about one appointment: p50 ${kib(percentile(sorted, 50)).trim()} KiB, p99 ${kib(percentile(sorted, 99)).trim()} KiB (batch-wide entries not included)`);
  out(`  audit rows by kind, tool and node (KiB per appointment, entries per appointment):`);
  for (const k of m.auditByKind) out(`    ${k.kind.padEnd(44)} ${kib(k.bytes / n)} ${(k.entries / n).toFixed(2).padStart(7)}`);
}

async function onFreshDatabase(kind: "pglite" | "postgres", dir: string, fn: (db: Database) => Promise<void>): Promise<void> {
  if (kind === "postgres") return onScratchDatabase(process.env.DATABASE_URL || process.env.TEST_DATABASE_URL || "", fn);
  const dataDir = await mkdtemp(path.join(dir, "pglite-"));
  const db = await openDatabase({ kind: "pglite", dataDir });
  try {
    await fn(db);
  } finally {
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "irc-bench-storage-"));
  const kinds: ("pglite" | "postgres")[] = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
  try {
    for (const kind of kinds) {
      const label = kind === "pglite" ? "embedded (PGlite)" : "PostgreSQL";
      if (Number(values.warmup) > 0) await onFreshDatabase(kind, dir, async (db) => { await sweepOnce(db, dir, Number(values.warmup)); });
      for (let i = 1; i <= Number(values.repeats); i += 1) {
        await onFreshDatabase(kind, dir, async (db) => report(`${label}, repeat ${i}`, await sweepOnce(db, dir, Number(values.appointments))));
      }
      out(`  peak RSS so far ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
    }
  } finally {
    clearInterval(sampler);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
