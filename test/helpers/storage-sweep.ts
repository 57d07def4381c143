/**
 * A pre-service sweep over a generated sandbox clinic as the service runs it (its own workers and
 * batch size, both product agents, the sandbox payer, the offline model), measured table by table
 * (storage-usage.ts): what the sweep left live, and the checkpoint tables once finished runs'
 * checkpoints are pruned. Used by `npm run bench:storage` and the storage budget test.
 */
import pino from "pino";
import { loadConfig } from "../../src/config.js";
import type { Database } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";
import { verifyAuditChain } from "../../src/governance/audit-log.js";
import { decodeAuditPayload } from "../../src/governance/audit-payload.js";
import { seedGeneratedClinic } from "../../src/sandbox/harness.js";
import { buildServiceComponents, prepareComponents } from "../../src/service-components.js";
import {
  CHECKPOINT_TABLES, bytesDelta, finishedRunCheckpointBytes, pruneFinishedRunCheckpoints, tableBytes, vacuumSweepTables, type TableBytes,
} from "./storage-usage.js";

/** What one measured sweep left. */
export interface SweepStorage {
  sweepId: string;
  appointments: number;
  seconds: number;
  /** Growth per table from before the sweep to after it (both after a VACUUM). */
  live: TableBytes;
  /** The checkpoint tables' growth once finished runs' checkpoints are pruned (and the tables compacted). */
  pruned: { disk: number; rows: number };
  /** Row bytes of the checkpoints of finished runs (what retention prunes). */
  finishedCheckpointRows: number;
  /** Audit row bytes about each appointment (entries whose subject is one appointment), ascending. */
  auditPerAppointment: number[];
  /** Audit row bytes of the sweep by kind, tool and node, largest first. */
  auditByKind: { kind: string; entries: number; bytes: number }[];
  /** The sweep's audit payloads: how many, their canonical JSON text and what is stored for it (marker and body), in bytes. */
  auditPayload: { entries: number; textBytes: number; storedBytes: number };
}

/** Seeds a clinic sized for `wanted` upcoming visits on `db` (generated from `seed`), sweeps them with the agents at `phase`, and measures. */
export async function sweepAndMeasure(db: Database, dataDir: string, wanted: number, phase = "advisory", seed = 11): Promise<SweepStorage> {
  await migrate(db.pool);
  const today = new Date().toISOString().slice(0, 10);
  const clinic = await seedGeneratedClinic(db, { patients: Math.ceil(wanted * 1.15), weeks: 2, seed, asOf: today, historyWeeks: 1 });
  const upcoming = clinic.truth.filter((x) => x.dateOfService >= today).sort((a, b) => a.dateOfService.localeCompare(b.dateOfService));
  const last = upcoming[Math.min(wanted, upcoming.length) - 1]?.dateOfService ?? today;
  const config = loadConfig({ NODE_ENV: "test", DATA_DIR: dataDir, LOG_LEVEL: "silent" });
  const logger = pino({ level: "silent" });
  const components = buildServiceComponents(config, db, logger);
  await prepareComponents(config, db, components, logger);
  for (const agent of ["eligibility", "prior-auth"]) {
    await db.pool.query(`INSERT INTO agent_autonomy (agent, action_type, phase, updated_by, justification) VALUES ($1, '*', $2, 'bench', 'bench')
      ON CONFLICT (agent, action_type) DO UPDATE SET phase = EXCLUDED.phase`, [agent, phase]);
  }
  await components.sweeps.start({ schedule: false });
  let sweepId: string;
  let total: number;
  let before: TableBytes;
  try {
    await vacuumSweepTables(db.pool);
    before = await tableBytes(db.pool);
    const sweep = await components.sweeps.startSweep({ from: today, to: last, kind: "manual", requestedBy: "bench" });
    const done = await components.sweeps.waitForCompletion(sweep.id, { pollMs: 250 });
    if (done.items.failed > 0) throw new Error(`${done.items.failed} appointments failed`);
    sweepId = sweep.id;
    total = done.total;
  } finally {
    await components.sweeps.stop();
  }
  const { rows: [span] } = await db.pool.query<{ s: number }>("SELECT extract(epoch FROM finished_at - created_at)::float8 AS s FROM sweeps WHERE id = $1", [sweepId]);
  const chain = await verifyAuditChain(db.pool);
  if (!chain.ok) throw new Error(`audit chain broken: ${JSON.stringify(chain.firstBadEntry)}`);
  await vacuumSweepTables(db.pool);
  const live = bytesDelta(before, await tableBytes(db.pool));
  const { rows: perAppointment } = await db.pool.query<{ b: string }>(
    `SELECT sum(pg_column_size(a.*)) AS b FROM audit_log a JOIN sweep_items i ON i.appointment_id = a.subject_id AND i.sweep_id = $1
     WHERE a.subject_type = 'appointment' GROUP BY a.subject_id ORDER BY 1`, [sweepId]);
  // The payload is stored compressed (audit-payload.ts): its tool is read by decoding it here.
  const { rows: sweepEntries } = await db.pool.query<{ kind: string; node: string | null; payload: Buffer; bytes: number }>(
    `SELECT kind, node, payload, pg_column_size(a.*) AS bytes FROM audit_log a WHERE at >= (SELECT created_at FROM sweeps WHERE id = $1)`, [sweepId]);
  const byKind = new Map<string, { kind: string; entries: number; bytes: number }>();
  const auditPayload = { entries: 0, textBytes: 0, storedBytes: 0 };
  for (const e of sweepEntries) {
    const text = decodeAuditPayload(e.payload);
    const tool = (JSON.parse(text) as { tool?: unknown } | null)?.tool;
    const kind = `${e.kind}${typeof tool === "string" ? ` ${tool}` : ""}${e.node === null ? "" : ` ${e.node}`}`;
    const k = byKind.get(kind) ?? { kind, entries: 0, bytes: 0 };
    k.entries += 1;
    k.bytes += Number(e.bytes);
    byKind.set(kind, k);
    auditPayload.entries += 1;
    auditPayload.textBytes += Buffer.byteLength(text);
    auditPayload.storedBytes += e.payload.length;
  }
  const finishedCheckpointRows = await finishedRunCheckpointBytes(db.pool);
  await pruneFinishedRunCheckpoints(db.pool);
  const after = bytesDelta(before, await tableBytes(db.pool));
  const pruned = { disk: 0, rows: 0 };
  for (const t of CHECKPOINT_TABLES) {
    pruned.disk += after[t].disk;
    pruned.rows += after[t].rows;
  }
  return {
    sweepId, appointments: total, seconds: span?.s ?? 0, live, pruned, finishedCheckpointRows,
    auditPerAppointment: perAppointment.map((r) => Number(r.b)),
    auditByKind: [...byKind.values()].sort((x, y) => y.bytes - x.bytes),
    auditPayload,
  };
}
