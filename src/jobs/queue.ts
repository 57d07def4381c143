/**
 * The PostgreSQL job queue (pg-boss) on the service's one pool, in both database modes: jobs are
 * rows claimed with `FOR UPDATE SKIP LOCKED`, so several instances share the work, a crashed
 * instance's jobs are released by the instance that takes it over (takeover.ts; expiry is the
 * backstop), and nothing is lost on restart.
 */
import PgBoss from "pg-boss";
import type { Logger } from "pino";
import type { Database } from "../db/database.js";

/** Queue settings. */
export interface QueueOptions {
  logger: Logger;
  /** Run cron schedules in this instance (one per deployment is enough; pg-boss coordinates). */
  schedule?: boolean;
  /**
   * How long pg-boss keeps finished jobs: completed and failed jobs move to its archive after
   * `completedHours`, and are deleted from it after `archiveDays` (pg-boss's own defaults: 12 h, 7 days).
   */
  retention?: { completedHours: number; archiveDays: number };
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
    ...(options.retention === undefined ? {} : {
      archiveCompletedAfterSeconds: options.retention.completedHours * 3600,
      archiveFailedAfterSeconds: options.retention.completedHours * 3600,
      deleteAfterDays: options.retention.archiveDays,
    }),
  });
  boss.on("error", (error: Error) => options.logger.error({ err: { message: error.message } }, "job queue error"));
  await underSetupLock(db, async () => void (await boss.start()));
  return boss;
}

/** Stops workers (waiting for active jobs up to `timeoutMs`) and closes the queue. */
export async function closeQueue(boss: PgBoss, timeoutMs = 10_000): Promise<void> {
  await boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: false });
}

/** Creates a queue if it does not exist (idempotent; one instance at a time). */
export async function ensureQueue(db: Database, boss: PgBoss, name: string, options: Omit<PgBoss.Queue, "name"> = {}): Promise<void> {
  await underSetupLock(db, async () => {
    const existing = await boss.getQueue(name);
    if (existing === null) await boss.createQueue(name, { name, retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 300, ...options });
  });
}

/** Advisory-lock key of setting up pg-boss ("pgboss" as two int4s; migrations and seeding hold others). */
const QUEUE_SETUP_LOCK = [0x7067626f, 0x73730000] as const;

/**
 * Runs `fn` (pg-boss installing its schema, creating a queue) while no other instance does. pg-boss
 * 10.4 checks for its schema and queues before its own lock, and after waiting its transaction
 * checks against a catalog read before the wait: the second of two instances starting together
 * fails on the schema's name, and two creating queues (each a partition of one table) deadlock. A
 * session lock, held on a connection of its own while pg-boss works on others, makes the second
 * find the first's work. (The embedded database belongs to one process; there the lock is
 * re-entrant and needs to order nothing.)
 */
async function underSetupLock(db: Database, fn: () => Promise<void>): Promise<void> {
  const client = await db.pool.connect();
  let broken = true;
  try {
    await client.query("SELECT pg_advisory_lock($1, $2)", [...QUEUE_SETUP_LOCK]);
    try {
      await fn();
    } finally {
      await client.query("SELECT pg_advisory_unlock($1, $2)", [...QUEUE_SETUP_LOCK]);
      broken = false;
    }
  } finally {
    // A connection that could not unlock is closed, which releases the lock.
    client.release(broken);
  }
}
