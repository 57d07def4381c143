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
import { bootstrapAdminUser } from "./console/bootstrap-user.js";
import type { AgentRegistry } from "./orchestration/registry.js";
import type { AgentRuntime } from "./orchestration/runtime.js";
import type { SweepService } from "./jobs/sweep-service.js";
import { addDays } from "../tools/iso-dates.js";
import type { ReferenceData } from "./reference-data/reference-data.js";
import type { Connections } from "./sandbox/sandbox-world.js";
import { buildServiceComponents, prepareComponents, takeOverDeadInstances } from "./service-components.js";
import { loadAuditKeyring, useAuditKeyring } from "./governance/audit-keys.js";

/** A running service. */
export interface RunningService {
  app: App;
  /** The CMS quarterly files the service prices from, and their alerts. */
  referenceData: ReferenceData;
  connections: Connections;
  runtime: AgentRuntime;
  sweeps: SweepService;
  db: Database;
  readiness: Readiness;
  /** The address the service listens on. */
  url: string;
  /** Stops accepting, finishes in-flight requests and active sweep jobs (bounded by the shutdown timeout), closes the database. */
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
  // Before anything is audited: every entry is signed with the audit key.
  useAuditKeyring(await loadAuditKeyring({ dataDir: config.dataDir, key: config.audit.key, logger }));
  const db = await openConfiguredDatabase(config, logger);
  const components = buildServiceComponents(config, db, logger, { registry: options.registry });
  const { connections, runtime, sweeps, referenceData, anchors, instance } = components;
  const readiness = new Readiness(db, logger, async () => {
    // Registered (and beating) before the long parts of preparing, so no other instance takes it for dead.
    await instance.start();
    await prepareComponents(config, db, components, logger);
    referenceData.start();
    await sweeps.start({ schedule: true });
    // With the queue open: the work of instances that died (or of this one's crashed predecessor) is taken over now, then at every beat.
    await takeOverDeadInstances(components, logger);
    // The head as found at start (it seals entries written before the chain was keyed), then on the schedule.
    anchors.request("start");
    anchors.start(config.audit.anchorEveryMs);
  });
  const migrated = await readiness.ensureMigrated();
  if (migrated && db.kind === "pglite") await bootstrapAdminKey(db.pool, config.dataDir, logger);
  const passwordFile = migrated && db.kind === "pglite" && config.console.enabled ? await bootstrapAdminUser(db.pool, config.dataDir, logger) : undefined;

  const app = await buildApp(config, { logger, readiness, runtime, sandboxPayer: config.sandbox.enabled ? connections.sandboxPayer : null, sweeps, referenceData, auditAnchors: anchors, codingTables: components.tables });
  await options.configure?.(app);
  const url = await app.listen({ port: config.port, host: config.host });
  logger.info(
    { url, database: db.kind, databaseLocation: db.location, docs: `${url}/docs` },
    `infusion-rcm listening on ${url} (API docs at ${url}/docs)`,
  );
  if (config.console.enabled) {
    const signIn = passwordFile === undefined
      ? "sign in with your user (infusion-rcm users create --username NAME --role admin makes one)"
      : `first sign-in: user admin, one-time password in ${passwordFile}`;
    logger.info({ console: `${url}/`, ...(passwordFile === undefined ? {} : { passwordFile }) }, `console at ${url}/ — ${signIn}`);
  }
  if (migrated && config.sweep.onStart && config.sandbox.enabled) await firstSweep(sweeps, config, url, logger);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info("shutting down: no new requests; finishing in-flight ones");
      readiness.stop();
      referenceData.stop();
      const timer = setTimeout(() => {
        logger.warn({ timeoutMs: config.shutdownTimeoutMs }, "in-flight requests did not finish in time; closing connections");
        app.server.closeAllConnections();
      }, config.shutdownTimeoutMs);
      timer.unref();
      try {
        await app.close();
        await sweeps.stop(config.shutdownTimeoutMs);
        // Stopped, not dead: never taken over.
        await instance.stop().catch((error: Error) => logger.warn({ err: { message: error.message } }, "could not mark the instance stopped; it will be taken over as dead"));
      } finally {
        clearTimeout(timer);
        await anchors.stop();
        await db.close();
      }
      logger.info("shutdown complete");
    })();
    return stopping;
  };
  return { app, connections, db, readiness, referenceData, runtime, sweeps, url, stop };
}

/**
 * The first sweep on start (today through today + daysAhead), once per day: a restart the same
 * day finds the sweep already made rather than checking every appointment again. Logs where to look.
 */
async function firstSweep(sweeps: SweepService, config: Config, url: string, logger: Logger): Promise<void> {
  const from = sweeps.today();
  const to = addDays(from, config.sweep.daysAhead);
  try {
    const { id, total, created } = await sweeps.startSweep({ id: `start-${from}-${to}`, kind: "manual", from, to, requestedBy: "service:start" });
    logger.info(
      { sweepId: id, total, created, reviews: `${url}/v1/reviews`, scorecard: `${url}/v1/scorecard?from=${from}&to=${to}`, sweep: `${url}/v1/sweeps/${id}`, docs: `${url}/docs` },
      `pre-service sweep ${created ? "started" : "already made today"} for ${from}..${to} (${total} appointments): ` +
        `progress ${url}/v1/sweeps/${id} · review queue ${url}/v1/reviews · scorecard ${url}/v1/scorecard?from=${from}&to=${to} · docs ${url}/docs`,
    );
  } catch (error) {
    logger.warn({ err: { message: (error as Error).message } }, "the first pre-service sweep did not start; POST /v1/sweeps to start one");
  }
  // Then the past week's visits through the pre-bill agent, so a new user finds claims and findings (once a day, like the sweep).
  try {
    const pass = await sweeps.preBillPass({ id: `start-pre-bill-${from}`, requestedBy: "service:start" });
    logger.info(
      { sweepId: pass.id, total: pass.total, created: pass.created, claims: `${url}/v1/claims`, console: `${url}/claims` },
      `pre-bill pass ${pass.created ? "started" : "already made today"} for ${pass.from}..${pass.to} (${pass.total} visits): claims ${url}/claims · drafts ${url}/inbox`,
    );
  } catch (error) {
    logger.warn({ err: { message: (error as Error).message } }, "the first pre-bill pass did not start; POST /v1/sweeps/pre-bill to start one");
  }
}
