/**
 * Migrations: plain, numbered SQL files (`NNNN_name.sql`) applied in order, each in its own
 * transaction, recorded in `schema_migrations`, never applied twice. A transaction-level advisory
 * lock, taken by each migration's transaction, serialises instances that start at once.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import type { Logger } from "pino";
import { ConflictError } from "../../tools/errors.js";
import { projectRoot } from "../project-root.js";
import { inTransaction } from "./database.js";

/** Advisory-lock key: any constant unique to this application ("infusion-rcm" as two int4s). */
const MIGRATION_LOCK = [0x696e6675, 0x72636d00] as const;
const FILE_PATTERN = /^(\d{4})_([a-z0-9_-]+)\.sql$/;

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** What a migration run did. */
export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

/** The folder the shipped migrations live in. */
export function migrationsDir(): string {
  return path.join(projectRoot(), "src", "db", "migrations");
}

/** Reads and orders the migration files of a folder; refuses gaps and duplicate numbers. */
export async function loadMigrations(dir: string = migrationsDir()): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_PATTERN.exec(file);
    if (match === null) throw new Error(`Migration file name ${file} is not NNNN_name.sql`);
    const sql = await readFile(path.join(dir, file), "utf8");
    const version = Number(match[1]);
    const expected = migrations.length + 1;
    if (version !== expected) throw new Error(`Migration ${file}: expected number ${String(expected).padStart(4, "0")}`);
    migrations.push({ version, name: match[2] ?? file, sql, checksum: sha256(sql) });
  }
  return migrations;
}

/** Applies every pending migration; safe to call from several instances at once. */
export async function migrate(
  pool: pg.Pool,
  options: { dir?: string; logger?: Logger } = {},
): Promise<MigrationResult> {
  const migrations = await loadMigrations(options.dir);
  const client = await pool.connect();
  try {
    await inMigrationLock(client, () => client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      checksum   text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`));
    const applied: string[] = [];
    for (const m of migrations) {
      const done = await inMigrationLock(client, async () => {
        const { rows } = await client.query<{ checksum: string }>("SELECT checksum FROM schema_migrations WHERE version = $1", [m.version]);
        const previous = rows[0];
        if (previous !== undefined) {
          if (previous.checksum !== m.checksum) {
            throw new ConflictError(`Migration ${m.version} (${m.name}) was changed after it was applied; add a new migration instead`);
          }
          return false;
        }
        try {
          await client.query(m.sql);
        } catch (error) {
          throw new Error(`Migration ${m.version} (${m.name}) failed: ${(error as Error).message}`, { cause: error });
        }
        await client.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [m.version, m.name, m.checksum]);
        return true;
      });
      if (!done) continue;
      applied.push(`${String(m.version).padStart(4, "0")}_${m.name}`);
      options.logger?.info({ migration: m.version, migrationName: m.name }, "migration applied");
    }
    return { applied, alreadyApplied: migrations.length - applied.length };
  } finally {
    client.release();
  }
}

/**
 * Runs `fn` in a transaction holding the migration lock, so each step (reading what is applied,
 * applying one migration) sees what the instance before it committed. A transaction-level lock:
 * it cannot outlive the step, and it also serialises the sessions of the embedded database, which
 * share one backend (a session-level lock would not).
 */
function inMigrationLock<T>(client: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
  return inTransaction(client, async () => {
    await client.query("SELECT pg_advisory_xact_lock($1, $2)", [...MIGRATION_LOCK]);
    return fn();
  });
}

/** Pending migrations, without applying anything (for `/readyz`). */
export async function pendingMigrations(pool: pg.Pool, dir?: string): Promise<number> {
  const migrations = await loadMigrations(dir);
  const exists = await pool.query<{ present: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
  );
  if (exists.rows[0]?.present !== true) return migrations.length;
  const { rows } = await pool.query<{ version: number }>("SELECT version FROM schema_migrations");
  const done = new Set(rows.map((r) => r.version));
  return migrations.filter((m) => !done.has(m.version)).length;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
