/**
 * The PostgreSQL job queue (pg-boss) on the service's one pool, in both database modes: jobs are
 * rows claimed with `FOR UPDATE SKIP LOCKED`, so several instances share the work, a crashed
 * instance's jobs expire and are retried, and nothing is lost on restart.
 */
import PgBoss from "pg-boss";
import type { Logger } from "pino";
import type { Database } from "../db/database.js";

/** Queue settings. */
export interface QueueOptions {
  logger: Logger;
  /** Run cron schedules in this instance (one per deployment is enough; pg-boss coordinates). */
  schedule?: boolean;
}

/** Opens the queue; pair with `closeQueue`. */
export async function openQueue(db: Database, options: QueueOptions): Promise<PgBoss> {
  const boss = new PgBoss({
    db: { executeSql: async (text, values) => db.pool.query(text, values) },
    schema: "pgboss",
    schedule: options.schedule ?? true,
    supervise: true,
    migrate: true,
    // PGlite has one connection: keep pg-boss's own monitoring light.
    monitorStateIntervalSeconds: 60,
    maintenanceIntervalSeconds: 120,
  });
  boss.on("error", (error: Error) => options.logger.error({ err: { message: error.message } }, "job queue error"));
  await boss.start();
  return boss;
}

/** Stops workers (waiting for active jobs up to `timeoutMs`) and closes the queue. */
export async function closeQueue(boss: PgBoss, timeoutMs = 10_000): Promise<void> {
  await boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: false });
}

/** Creates a queue if it does not exist (idempotent). */
export async function ensureQueue(boss: PgBoss, name: string, options: Omit<PgBoss.Queue, "name"> = {}): Promise<void> {
  const existing = await boss.getQueue(name);
  if (existing === null) await boss.createQueue(name, { name, retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 300, ...options });
}
