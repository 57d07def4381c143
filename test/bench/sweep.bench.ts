/**
 * `npm run bench:sweep [-- --appointments 10000 --concurrency 3 --batch 100 --phase advisory]` — a
 * pre-service sweep over a generated sandbox clinic, as the service runs it (workers and batch size
 * default to the service's own settings): one pg-boss job per appointment,
 * the eligibility and prior-auth agents on the platform (checkpoints, gate, audit), the sandbox
 * payer answering X12, the offline model. Prints appointments/s, p95 per appointment, peak RSS and
 * model calls per clean appointment, on the embedded database (PGlite on disk) and, when
 * DATABASE_URL is set, on that PostgreSQL server (in a fresh database created and dropped here).
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
import { buildServiceComponents, prepareComponents } from "../../src/service-components.js";
import { seedGeneratedClinic } from "../../src/sandbox/harness.js";
import { onScratchDatabase } from "./scratch-database.js";

const { values } = parseArgs({ options: {
  // Workers and batch size default to the service's own (SWEEP_CONCURRENCY, SWEEP_BATCH_SIZE).
  appointments: { type: "string", default: "10000" }, concurrency: { type: "string" }, batch: { type: "string" },
  phase: { type: "string", default: "advisory" },
} });
const wanted = Number(values.appointments);
const out = (line: string) => process.stdout.write(`${line}\n`);
const today = new Date().toISOString().slice(0, 10);

let peakRss = 0;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 100);

/** Seeds the sandbox clinic; returns the date of service of the `wanted`-th upcoming visit. */
async function seed(db: Database): Promise<{ last: string; resources: number }> {
  const clinic = await seedGeneratedClinic(db, { patients: Math.ceil(wanted * 1.15), weeks: 2, seed: 11, asOf: today, historyWeeks: 1 });
  const upcoming = clinic.truth.filter((x) => x.dateOfService >= today).sort((a, b) => a.dateOfService.localeCompare(b.dateOfService));
  return { last: upcoming[Math.min(wanted, upcoming.length) - 1]?.dateOfService ?? today, resources: clinic.bundle.entry.length };
}

async function bench(label: string, db: Database, dataDir: string): Promise<void> {
  await migrate(db.pool);
  useAuditKeyring(await loadAuditKeyring({ dataDir }));
  // About 0.9 upcoming visits per patient over two weeks: size the clinic, then sweep up to the day of the `wanted`-th.
  let t = performance.now();
  // Only the last date is kept: the generated clinic's objects are the harness's, not the service's memory.
  const { last, resources } = await seed(db);
  out(`${label}: seeded ${resources.toLocaleString("en-US")} FHIR resources in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const config = loadConfig({ NODE_ENV: "test", DATA_DIR: dataDir, SWEEP_CONCURRENCY: values.concurrency, SWEEP_BATCH_SIZE: values.batch, LOG_LEVEL: "silent" });
  const { concurrency, batchSize } = config.sweep;
  const logger = pino({ level: "silent" });
  const components = buildServiceComponents(config, db, logger);
  await prepareComponents(config, db, components, logger);
  for (const agent of ["eligibility", "prior-auth"]) {
    await db.pool.query(`INSERT INTO agent_autonomy (agent, action_type, phase, updated_by, justification) VALUES ($1, '*', $2, 'bench', 'bench')
      ON CONFLICT (agent, action_type) DO UPDATE SET phase = EXCLUDED.phase`, [agent, values.phase]);
  }
  await components.sweeps.start({ schedule: false });
  t = performance.now();
  const mainBefore = performance.eventLoopUtilization();
  const dbBefore = db.threadUtilization?.();
  const sweep = await components.sweeps.startSweep({ from: today, to: last, kind: "manual", requestedBy: "bench" });
  const done = await components.sweeps.waitForCompletion(sweep.id, { pollMs: 1000 });
  const mainBusy = performance.eventLoopUtilization(mainBefore).utilization;
  const dbBusy = dbBefore === undefined ? undefined : db.threadUtilization?.(dbBefore).utilization;
  // From the sweep's creation to its completion as the sweep records them (not when the poll noticed).
  const { rows: [span] } = await db.pool.query<{ s: number }>("SELECT extract(epoch FROM finished_at - created_at)::float8 AS s FROM sweeps WHERE id = $1", [sweep.id]);
  const seconds = span?.s ?? (performance.now() - t) / 1000;
  await components.sweeps.stop();

  // An appointment takes as long as the runs that checked it (both agents; a batch's runs check all of its appointments).
  const { rows: latency } = await db.pool.query<{ ms: number }>(
    `SELECT sum(extract(epoch FROM r.updated_at - r.created_at) * 1000) AS ms
     FROM sweep_items i CROSS JOIN LATERAL jsonb_array_elements(i.runs) AS x(run) JOIN runs r ON r.id = x.run->>'runId'
     WHERE i.sweep_id = $1 GROUP BY i.appointment_id ORDER BY 1`, [sweep.id]);
  const p95 = Number(latency[Math.floor(latency.length * 0.95)]?.ms ?? 0);
  const { rows: [calls] } = await db.pool.query<{ clean: number; model_calls: number }>(
    `WITH clean AS (SELECT appointment_id FROM pre_service_checks GROUP BY appointment_id HAVING bool_and(outcome = 'clean'))
     SELECT (SELECT count(*) FROM clean)::int AS clean,
            (SELECT count(*) FROM audit_log a WHERE a.kind = 'model.call' AND a.subject_type = 'appointment' AND a.subject_id IN (SELECT appointment_id FROM clean))::int AS model_calls`);
  out(`${label}: ${done.total.toLocaleString("en-US")} appointments (${done.items.done} done, ${done.items.failed} failed), phase ${values.phase}, ${concurrency} workers × batches of ${batchSize}`);
  out(`  throughput                         ${(done.total / seconds).toFixed(1)} appointments/s (${seconds.toFixed(1)} s)`);
  out(`  busy                               main thread ${(mainBusy * 100).toFixed(0)} %${dbBusy === undefined ? "" : `, database thread ${(dbBusy * 100).toFixed(0)} %`} (event-loop utilisation over the sweep)`);
  out(`  p95 per appointment (both agents)  ${p95.toFixed(0)} ms (the runs of its batch)`);
  out(`  runs                               ${JSON.stringify(done.results.runs)}`);
  out(`  exceptions by reason               ${JSON.stringify(done.results.exceptionsByReason)}`);
  out(`  model calls per clean appointment  ${calls === undefined || calls.clean === 0 ? "n/a" : (calls.model_calls / calls.clean).toFixed(2)} (${calls?.clean ?? 0} clean)`);
  out(`  peak RSS so far                    ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "irc-bench-sweep-"));
  try {
    const db = await openDatabase({ kind: "pglite", dataDir: path.join(dir, "pglite") });
    try {
      await bench("embedded (PGlite)", db, dir);
    } finally {
      await db.close();
    }
    const url = process.env.DATABASE_URL;
    if (url !== undefined && url !== "") await onScratchDatabase(url, (server) => bench("PostgreSQL", server, dir));
  } finally {
    clearInterval(sampler);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
