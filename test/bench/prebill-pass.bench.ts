/**
 * `npm run bench:prebill-pass [-- --visits 2000 --phase full]` — the whole after-visit pass as the
 * service runs it: a pre-bill pass (sweep of kind pre-bill: one pg-boss job per visit, batches,
 * the service's workers) over a generated sandbox clinic's past visits — each visit's record read
 * from the sandbox EHR (FHIR), ledger and overlays, scrubbed, the claim recorded, drafts through the
 * gate; at full autonomy (the default here) each clean claim's 837 written, sent to the sandbox
 * payer and its 999 and 277CA read — on the embedded database (PGlite on disk) and, with
 * DATABASE_URL or TEST_DATABASE_URL, on a fresh database of that PostgreSQL server. A warm-up pass
 * over the first day comes first. Prints visits/s, claims submitted, p95 per visit, peak RSS.
 * Goal: ≥ 200 visits/s embedded.
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
import { seedClinic } from "../../src/sandbox/sandbox-world.js";
import { buildServiceComponents, prepareComponents } from "../../src/service-components.js";
import { addDays } from "../../tools/iso-dates.js";
import { onScratchDatabase } from "./scratch-database.js";

const { values } = parseArgs({ options: { visits: { type: "string", default: "2000" }, phase: { type: "string", default: "full" } } });
const wanted = Number(values.visits);
const out = (line: string) => process.stdout.write(`${line}\n`);
const today = new Date().toISOString().slice(0, 10);

let peakRss = 0;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 100);

async function bench(label: string, db: Database, dataDir: string): Promise<void> {
  await migrate(db.pool);
  useAuditKeyring(await loadAuditKeyring({ dataDir }));
  const config = loadConfig({ NODE_ENV: "test", DATA_DIR: dataDir, LOG_LEVEL: "silent", SANDBOX_WEEKS: "1" });
  const logger = pino({ level: "silent" });
  let t = performance.now();
  // About 0.9 past visits per patient over the generated history (three weeks): sized to the visits wanted.
  const seeded = await seedClinic(db.pool, config, (await import("../../tools/coding/coding-tables.js")).loadCodingTables(), { patients: Math.ceil(wanted / 0.9), weeks: 1, seed: 7, asOf: today });
  out(`${label}: seeded ${seeded.resources.toLocaleString("en-US")} FHIR resources in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const components = buildServiceComponents(config, db, logger);
  await prepareComponents(config, db, components, logger);
  await db.pool.query(`INSERT INTO agent_autonomy (agent, action_type, phase, updated_by, justification) VALUES ('pre-bill', '*', $1, 'bench', 'bench')
    ON CONFLICT (agent, action_type) DO UPDATE SET phase = EXCLUDED.phase`, [values.phase]);
  const { sweeps } = components;
  await sweeps.start({ schedule: false });
  try {
    const from = addDays(today, -21);
    const warm = await sweeps.startSweep({ id: "warm-up", kind: "pre-bill", from, to: from, requestedBy: "bench" });
    await sweeps.waitForCompletion(warm.id, { pollMs: 200 });
    t = performance.now();
    const pass = await sweeps.startSweep({ id: "pass", kind: "pre-bill", from: addDays(from, 1), to: addDays(today, -1), requestedBy: "bench" });
    const done = await sweeps.waitForCompletion(pass.id, { pollMs: 500 });
    const { rows: [span] } = await db.pool.query<{ s: number }>("SELECT extract(epoch FROM finished_at - created_at)::float8 AS s FROM sweeps WHERE id = $1", [pass.id]);
    const seconds = span?.s ?? (performance.now() - t) / 1000;
    const { rows: latency } = await db.pool.query<{ ms: number }>(
      `SELECT sum(extract(epoch FROM r.updated_at - r.created_at) * 1000) AS ms
       FROM sweep_items i CROSS JOIN LATERAL jsonb_array_elements(i.runs) AS x(run) JOIN runs r ON r.id = x.run->>'runId'
       WHERE i.sweep_id = $1 GROUP BY i.appointment_id ORDER BY 1`, [pass.id]);
    const p95 = Number(latency[Math.floor(latency.length * 0.95)]?.ms ?? 0);
    const { rows: statuses } = await db.pool.query<{ status: string; n: number }>("SELECT status, count(*)::int AS n FROM claims GROUP BY status ORDER BY status");
    out(`${label}: ${done.total.toLocaleString("en-US")} visits (${done.items.done} done, ${done.items.failed} failed), pre-bill ${values.phase}, ${config.sweep.concurrency} workers × batches of ${config.sweep.batchSize}`);
    out(`  throughput          ${(done.total / seconds).toFixed(1)} visits/s (${seconds.toFixed(1)} s)`);
    out(`  p95 per visit       ${p95.toFixed(0)} ms (the run of its batch, submissions included)`);
    out(`  claims by status    ${statuses.map((r) => `${r.status} ${r.n}`).join(", ")}`);
    out(`  peak RSS so far     ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
  } finally {
    await sweeps.stop();
    await components.anchors.stop();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "irc-bench-prebill-"));
  try {
    const db = await openDatabase({ kind: "pglite", dataDir: path.join(dir, "pglite") });
    try {
      await bench("embedded (PGlite)", db, dir);
    } finally {
      await db.close();
    }
    const url = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL;
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
