/**
 * `npm run bench:runtime` — throughput of the agent runtime: N runs of the test agent
 * (test/orchestration/test-agent.ts) at full autonomy, each gathering one fact with a recorded
 * tool call and proposing one action that the gate lets execute. Measured on in-memory PGlite,
 * and on a PostgreSQL server too when DATABASE_URL is set (a scratch database is created on that
 * server and dropped afterwards). Prints runs/s, p50/p95 latency, audit entries per run and peak RSS,
 * and checks at the end that every run completed, every action executed once and the chain verifies.
 *
 * Options: --runs N (default 400), --warmup N (default 30), --concurrency 1,4 (runs in flight at
 * once; one measurement per value), --durability sync|exit (overrides the agent's setting).
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { openDatabase, type Database } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";
import { StaticAuditKeyring, useAuditKeyring } from "../../src/governance/audit-keys.js";
import { verifyAuditChain } from "../../src/governance/audit-log.js";
import type { AgentDefinition } from "../../src/orchestration/agent-definition.js";
import { createCheckpointer, setupCheckpointer } from "../../src/orchestration/checkpointer.js";
import { AgentRegistry } from "../../src/orchestration/registry.js";
import { AgentRuntime } from "../../src/orchestration/runtime.js";
import { SubmissionLog, testAgent } from "../orchestration/test-agent.js";
import { onScratchDatabase } from "./scratch-database.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "400" },
    warmup: { type: "string", default: "30" },
    concurrency: { type: "string", default: "1,4" },
    durability: { type: "string" },
  },
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const concurrencies = values.concurrency.split(",").map(Number);
const durability = values.durability as "sync" | "exit" | undefined;
if (durability !== undefined && durability !== "sync" && durability !== "exit") throw new Error("--durability is sync or exit");

const rssMb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function bench(label: string, db: Database): Promise<void> {
  await migrate(db.pool);
  useAuditKeyring(new StaticAuditKeyring([randomBytes(32)]));
  const checkpointer = createCheckpointer(db);
  await setupCheckpointer(db, checkpointer);
  const log = new SubmissionLog();
  const agent = testAgent();
  // Set only when asked, so that the bench also runs against a runtime without the option.
  const definition = durability === undefined ? agent : ({ ...agent, durability } as AgentDefinition<{ log: SubmissionLog }>);
  const registry = new AgentRegistry().register(definition, { log });
  const runtime = new AgentRuntime({ pool: db.pool, checkpointer, registry, logger: pino({ level: "silent" }) });
  await db.pool.query(
    `INSERT INTO agent_autonomy (agent, action_type, phase, updated_by, justification) VALUES ('test-escalator', '*', 'full', 'bench', 'bench')
     ON CONFLICT (agent, action_type) DO UPDATE SET phase = 'full'`,
  );
  let n = 0;
  const one = async (): Promise<number> => {
    const key = `bench-${(n += 1)}`;
    const started = performance.now();
    const run = await runtime.start("test-escalator", { type: "test", id: key }, {
      proposals: [{ actionType: "file-note", key, note: "coverage verified", confidence: 0.99 }],
    });
    const ms = performance.now() - started;
    if (run.status !== "completed") throw new Error(`run ${run.id} ended ${run.status}: ${run.error ?? ""}`);
    return ms;
  };
  const many = async (count: number, concurrency: number): Promise<number[]> => {
    const latencies: number[] = [];
    let left = count;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (left > 0) {
        left -= 1;
        latencies.push(await one());
      }
    }));
    return latencies;
  };

  await many(warmup, 1);
  for (const concurrency of concurrencies) {
    const auditBefore = Number((await db.pool.query<{ n: string }>("SELECT count(*) AS n FROM audit_log")).rows[0]!.n);
    const started = performance.now();
    const latencies = (await many(runs, concurrency)).sort((a, b) => a - b);
    const seconds = (performance.now() - started) / 1000;
    const auditAfter = Number((await db.pool.query<{ n: string }>("SELECT count(*) AS n FROM audit_log")).rows[0]!.n);
    console.log(
      `${label.padEnd(8)} concurrency ${String(concurrency).padStart(2)}: ${runs} runs in ${seconds.toFixed(2)} s = ` +
        `${(runs / seconds).toFixed(1)} runs/s; p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms; ` +
        `${((auditAfter - auditBefore) / runs).toFixed(1)} audit entries/run; peak RSS ${rssMb()} MB`,
    );
  }
  const total = warmup + runs * concurrencies.length;
  const submitted = new Set(log.submitted.map((s) => s.idempotencyKey));
  if (log.submitted.length !== total || submitted.size !== total) throw new Error(`expected ${total} actions executed once, got ${log.submitted.length}`);
  const chain = await verifyAuditChain(db.pool);
  if (!chain.ok) throw new Error(`audit chain broken: ${JSON.stringify(chain.firstBadEntry)}`);
  console.log(`${label.padEnd(8)} checks: ${total} runs completed, each action executed once, audit chain of ${chain.checked} entries verifies`);
}

console.log(`agent runtime bench: test agent at full autonomy (1 tool call, 1 executed action), durability ${durability ?? "as configured"}`);
const pglite = await openDatabase({ kind: "pglite", dataDir: "memory" });
try {
  await bench("pglite", pglite);
} finally {
  await pglite.close();
}

const base = process.env.DATABASE_URL;
if (base !== undefined && base !== "") await onScratchDatabase(base, (server) => bench("postgres", server));
