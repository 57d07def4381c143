/**
 * Starts and stops the whole service: database, migrations, first-start key, HTTP listener.
 * Resources start and stop in pairs; `stop()` is what SIGTERM/SIGINT call.
 */
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { openDatabase, type Database } from "./db/database.js";
import { Readiness } from "./db/readiness.js";
import { buildApp, type App } from "./server/app.js";
import { bootstrapAdminKey } from "./server/bootstrap-key.js";
import { createCheckpointer, setupCheckpointer } from "./orchestration/checkpointer.js";
import { AgentRegistry } from "./orchestration/registry.js";
import { AgentRuntime } from "./orchestration/runtime.js";
import { loadCodingTables } from "../tools/coding/coding-tables.js";
import { connectionsFor, seedSandboxIfEmpty, type Connections } from "./sandbox/sandbox-world.js";

/** A running service. */
export interface RunningService {
  app: App;
  connections: Connections;
  runtime: AgentRuntime;
  db: Database;
  readiness: Readiness;
  /** The address the service listens on. */
  url: string;
  /** Stops accepting, finishes in-flight requests (bounded by the shutdown timeout), closes the database. */
  stop(): Promise<void>;
}

/** Opens the database the configuration names. */
export async function openConfiguredDatabase(config: Config, logger?: Logger): Promise<Database> {
  return config.databaseUrl === undefined
    ? openDatabase({ kind: "pglite", dataDir: config.dataDir, logger })
    : openDatabase({ kind: "postgres", url: config.databaseUrl, poolMax: config.dbPoolMax, logger });
}

/** Options for embedding the service (extra routes or plugins registered before it listens). */
export interface StartOptions {
  configure?: (app: App) => Promise<void>;
  /** Agents to run (the product registry by default). */
  registry?: AgentRegistry;
}

/** Starts the service and listens. */
export async function startService(config: Config, logger: Logger, options: StartOptions = {}): Promise<RunningService> {
  const db = await openConfiguredDatabase(config, logger);
  const now = () => new Date();
  const tables = loadCodingTables();
  const connections = connectionsFor(config, db.pool, tables, now);
  const checkpointer = createCheckpointer(db);
  const runtime = new AgentRuntime({
    pool: db.pool, checkpointer, registry: options.registry ?? new AgentRegistry(), logger, now,
    policy: config.autonomy, offlineConfidenceCap: config.llm.offlineConfidenceCap,
  });
  const readiness = new Readiness(db, logger, async () => {
    await setupCheckpointer(db, checkpointer);
    if (config.sandbox.enabled) {
      logger.info("running in SANDBOX mode: synthetic EHR and simulated payers (SANDBOX=off or EHR_BASE_URL to change)");
      await seedSandboxIfEmpty(db.pool, config, tables, now().toISOString().slice(0, 10), logger);
    }
    const resumed = await runtime.recover();
    if (resumed > 0) logger.info({ resumed }, "resumed runs whose review was decided before the last stop");
  });
  const migrated = await readiness.ensureMigrated();
  if (migrated && db.kind === "pglite") await bootstrapAdminKey(db.pool, config.dataDir, logger);

  const app = await buildApp(config, { logger, readiness, runtime, sandboxPayer: config.sandbox.enabled ? connections.sandboxPayer : null });
  await options.configure?.(app);
  const url = await app.listen({ port: config.port, host: config.host });
  logger.info(
    { url, database: db.kind, databaseLocation: db.location, docs: `${url}/docs` },
    `infusion-rcm listening on ${url} (API docs at ${url}/docs)`,
  );

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info("shutting down: no new requests; finishing in-flight ones");
      readiness.stop();
      const timer = setTimeout(() => {
        logger.warn({ timeoutMs: config.shutdownTimeoutMs }, "in-flight requests did not finish in time; closing connections");
        app.server.closeAllConnections();
      }, config.shutdownTimeoutMs);
      timer.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
        await db.close();
      }
      logger.info("shutdown complete");
    })();
    return stopping;
  };
  return { app, connections, db, readiness, runtime, url, stop };
}
