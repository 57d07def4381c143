/**
 * The pieces the service runs, built on an open database without listening: the EHR and payer
 * connections, the agents, the runtime and the sweep service. `startService` and CLI commands
 * that work in-process (`infusion-rcm sweep`) build the same pieces here.
 */
import type { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type pg from "pg";
import type { Logger } from "pino";
import { AspPricing } from "../tools/coding/asp-pricing.js";
import { codingTablesWith, type CodingTables } from "../tools/coding/coding-tables.js";
import { NdcCrosswalk } from "../tools/coding/ndc.js";
import { PayerRules } from "../tools/payer/payer-rules.js";
import { loadPayerConfig } from "../tools/payer/sandbox/payer-config.js";
import type { Config } from "./config.js";
import type { Database } from "./db/database.js";
import { AuditAnchors } from "./governance/audit-anchors.js";
import { ServiceInstance } from "./jobs/service-instance.js";
import { ensureAuditPartitions } from "./governance/audit-archive.js";
import { RETENTION_QUEUE, retentionDeps, runRetention } from "./jobs/retention.js";
import { SweepService, type SweepServiceOptions } from "./jobs/sweep-service.js";
import { serviceTakeover } from "./jobs/takeover.js";
import { createModelClient } from "./llm/create-model-client.js";
import { createCheckpointer, setupCheckpointer } from "./orchestration/checkpointer.js";
import { productRegistry } from "./orchestration/product-agents.js";
import type { AgentRegistry } from "./orchestration/registry.js";
import { AgentRuntime } from "./orchestration/runtime.js";
import { seedSandboxPayerRules } from "./reference-data/sandbox-payer-rules.js";
import { payerRulesInForce } from "./reference-data/payer-rules.js";
import { claimDesk } from "./claims/claim-desk.js";
import type { PreBillDeps } from "../agents/pre-bill/deps.js";
import { ehrVisitSource } from "../agents/pre-bill/visit-source.js";
import { scrubVisit } from "../tools/claim/scrub/index.js";
import { ReferenceData } from "./reference-data/reference-data.js";
import { connectionsFor, seedSandboxIfEmpty, type Connections } from "./sandbox/sandbox-world.js";

/** What the service runs on one database. */
export interface ServiceComponents {
  /** The coding tables; their pricing comes from the CMS files in the database once prepared. */
  tables: CodingTables;
  /** The CMS quarterly files: loaded at prepare, reloaded when another process imports one. */
  referenceData: ReferenceData;
  connections: Connections;
  payerRules: PayerRules;
  checkpointer: PostgresSaver;
  runtime: AgentRuntime;
  sweeps: SweepService;
  /** The audit chain's anchors in the data folder (written at every run end). */
  anchors: AuditAnchors;
  /** This process in the instance registry: the id runs and job leases name; started (heartbeat, takeover) by the service. */
  instance: ServiceInstance;
  now: () => Date;
  /** The database's pool (orphaned runs are settled on it). */
  pool: pg.Pool;
  /** A run untouched this long, driven by no registered instance, is failed as an orphan: the job expiry (no drive takes longer). */
  orphanAfterSeconds: number;
}

/** Overrides for embedding and tests. */
export interface ComponentOptions {
  /** Agents to run (the product registry by default). */
  registry?: AgentRegistry;
  /** The clock (the wall clock by default). */
  now?: () => Date;
  /** Sweep job retry and polling settings. */
  sweepJobs?: SweepServiceOptions["jobs"];
}

/** Builds the service's pieces on `db`; nothing touches the database until they are used. */
export function buildServiceComponents(config: Config, db: Database, logger: Logger, options: ComponentOptions = {}): ServiceComponents {
  const now = options.now ?? (() => new Date());
  // No pricing until `prepareComponents` loads the quarters in force from the database.
  const tables = codingTablesWith(new AspPricing([]), new NdcCrosswalk([]));
  const referenceData = new ReferenceData({ pool: db.pool, tables, logger, now, checkEveryMs: config.cmsFiles.checkEveryMs });
  const connections = connectionsFor(config, db.pool, tables, now);
  const payerRules = new PayerRules(connections.payerConfig ?? loadPayerConfig(config.sandbox.payerConfigFile));
  const checkpointer = createCheckpointer(db);
  const registry = options.registry ?? productRegistry({
    ehr: connections.ehr, clearinghouse: connections.clearinghouse, tables, model: createModelClient(config.llm),
    clinic: config.clinic, payerRules,
  }, preBillDeps(config, db.pool, connections, tables, now));
  const anchors = new AuditAnchors({ pool: db.pool, dataDir: config.dataDir, logger, now });
  // The embedded database belongs to one process: any other instance not stopped is a crashed one.
  const instance = new ServiceInstance({
    pool: db.pool, logger, ...config.instances, exclusive: db.kind === "pglite",
    // A lease past twice the job expiry can release nothing: its job finished or pg-boss expired it.
    pruneLeasesAfterSeconds: 2 * config.sweep.jobExpireSeconds,
  });
  const runtime = new AgentRuntime({
    pool: db.pool, checkpointer, registry, logger, now, instance,
    policy: config.autonomy, offlineConfidenceCap: config.llm.offlineConfidenceCap,
    onRunEnd: () => anchors.request("run-end"),
  });
  const sweeps = new SweepService({
    db, runtime, ehr: connections.ehr, volatile: (payerId, planId) => payerRules.volatile(payerId, planId), logger, now,
    sweep: config.sweep, instance, jobRetention: config.retention.jobs,
    jobs: { expireInSeconds: config.sweep.jobExpireSeconds, pollingIntervalSeconds: config.sweep.pollingSeconds, ...options.sweepJobs },
    schedules: [{ queue: RETENTION_QUEUE, cron: config.retention.cron, run: () => runRetention(retentionDeps(config, db.pool, now, logger, "schedule:retention")) }],
  });
  return { tables, referenceData, connections, payerRules, checkpointer, runtime, sweeps, anchors, instance, now, pool: db.pool, orphanAfterSeconds: config.sweep.jobExpireSeconds };
}

/** The pre-bill agent's dependencies: visits from the EHR, the ledger and the payer rule overlays; the scrubber on the coding tables; the claim desk. */
export function preBillDeps(config: Pick<Config, "clinic">, pool: pg.Pool, connections: Pick<Connections, "ehr" | "clearinghouse">, tables: CodingTables, now: () => Date): PreBillDeps {
  const { clinic } = config;
  return {
    visits: ehrVisitSource({
      ehr: connections.ehr, pool, billingProvider: { name: clinic.name, npi: clinic.npi, taxId: clinic.taxId, address: clinic.address },
      payerRules: (payerId, dateOfService) => payerRulesInForce(pool, payerId, dateOfService),
    }),
    scrub: (record) => scrubVisit(record, tables),
    claims: claimDesk({ pool, clearinghouse: connections.clearinghouse, submitter: { name: clinic.name, id: clinic.npi, contactName: clinic.billingContact, phone: clinic.phone }, now }),
    ehr: connections.ehr,
  };
}

/**
 * Prepares a migrated database for the pieces: the CMS quarterly files (the shipped ones imported
 * on first start) and the pricing built from them, checkpointer tables, the sandbox clinic on
 * first start (when the sandbox is on; its vial sizes come from the crosswalk) and its payers' rule
 * overlays (once), and runs whose review was decided before the last stop.
 */
export async function prepareComponents(
  config: Config, db: Database, c: ServiceComponents, logger: Logger, onSeedProgress?: (done: number, total: number) => void,
): Promise<void> {
  await c.referenceData.prepare();
  // This month's audit partition and the next ones, before anything is audited.
  await ensureAuditPartitions(db.pool);
  await setupCheckpointer(db, c.checkpointer);
  if (config.sandbox.enabled) {
    logger.info("running in SANDBOX mode: synthetic EHR and simulated payers (SANDBOX=off or EHR_BASE_URL to change)");
    await seedSandboxIfEmpty(db.pool, config, c.tables, c.now().toISOString().slice(0, 10), logger, onSeedProgress);
    // The sandbox payers' default rule overlays, once per database (admins edit them through /v1/payer-rules).
    await seedSandboxPayerRules(db.pool, c.connections.payerConfig ?? loadPayerConfig(config.sandbox.payerConfigFile), c.now(), logger);
  }
  const resumed = await c.runtime.recover();
  if (resumed > 0) logger.info({ resumed }, "resumed runs whose review was decided before the last stop");
}

/**
 * Takes over the work of dead instances now, then at every heartbeat (the instance must be
 * started and the sweep queue open, so released jobs are fetched at once by this instance's
 * workers, which the takeover wakes). A failure now is logged, not fatal: the next beat tries again.
 */
export async function takeOverDeadInstances(c: ServiceComponents, logger: Logger): Promise<void> {
  try {
    await c.instance.takeOverWith(serviceTakeover({
      runtime: c.runtime, logger, now: c.now, wakeWorkers: () => c.sweeps.wakeWorkers(), leasedQueues: () => c.sweeps.leasedQueues(),
      pool: c.pool, orphanAfterSeconds: c.orphanAfterSeconds,
    }));
  } catch (error) {
    logger.warn({ instance: c.instance.id, err: { name: (error as Error).name, message: (error as Error).message } }, "taking over dead instances failed; retrying at the next heartbeat");
  }
}
