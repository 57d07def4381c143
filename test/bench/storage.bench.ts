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
import { openDatabase, type Database } from "../../src/db/database.js";
import { loadAuditKeyring, useAuditKeyring } from "../../src/governance/audit-keys.js";
import { sweepAndMeasure, type SweepStorage } from "../helpers/storage-sweep.js";
import { CHECKPOINT_TABLES, SWEEP_TABLES } from "../helpers/storage-usage.js";
import { onScratchDatabase } from "./scratch-database.js";

const { values } = parseArgs({ options: {
  appointments: { type: "string", default: "500" }, warmup: { type: "string", default: "40" }, repeats: { type: "string", default: "2" },
  phase: { type: "string", default: "advisory" },
} });
const out = (line: string) => process.stdout.write(`${line}\n`);
const kib = (bytes: number) => (bytes / 1024).toFixed(2).padStart(8);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

let peakRss = 0;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 100);

/** Seeds, sweeps and measures on `db` (the bench signs the chain with the data folder's key, as the service does). */
async function sweepOnce(db: Database, dataDir: string, wanted: number): Promise<SweepStorage> {
  useAuditKeyring(await loadAuditKeyring({ dataDir }));
  return sweepAndMeasure(db, dataDir, wanted, values.phase);
}

function report(label: string, m: SweepStorage): void {
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
  const ap = m.auditPayload;
  out(`  audit payloads: ${(ap.entries / n).toFixed(2)} entries per appointment, JSON text ${kib(ap.textBytes / n).trim()} KiB, stored ${kib(ap.storedBytes / n).trim()} KiB (${((100 * ap.storedBytes) / Math.max(1, ap.textBytes)).toFixed(0)} %)`);
  out(`  audit rows by kind, tool and node (KiB per appointment, entries per appointment):`);
  for (const k of m.auditByKind.slice(0, 12)) out(`    ${k.kind.padEnd(44)} ${kib(k.bytes / n)} ${(k.entries / n).toFixed(2).padStart(7)}`);
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
