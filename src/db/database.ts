/**
 * The one database module. Without a server URL: PGlite (PostgreSQL in WASM) with pgvector, on
 * disk in the data folder, on a thread of its own and reached through a `pg` pool whose clients
 * are sessions of that thread (it keeps an open transaction to its session: a direct PGlite query
 * while a transaction is open would run inside it, STACK.md). With a URL: a `pg` pool to a
 * PostgreSQL server. Callers see the same `pg.Pool`.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { EventLoopUtilization } from "node:perf_hooks";
import pg from "pg";
import type { Logger } from "pino";
import { UnavailableError } from "../../tools/errors.js";
import { installByteaArrayParser } from "./bytea-array.js";
import { PgliteThread } from "./pglite-thread.js";

declare module "pg" {
  interface ClientConfig {
    /** pg ≥ 8.23: send each query as it is issued, without waiting for the replies before it. */
    pipeline?: boolean;
  }
}

/** An open database: the pool every query goes through, and how to close it. */
export interface Database {
  kind: "pglite" | "postgres";
  pool: pg.Pool;
  /** Where the embedded database lives (`memory` for an in-memory one); undefined for a server. */
  location: string | undefined;
  /** The embedded database's thread: how busy it has been (for `performance.eventLoopUtilization` deltas). */
  threadUtilization?: (since?: EventLoopUtilization) => EventLoopUtilization;
  close(): Promise<void>;
}

/** How to open the database. */
export type DatabaseOptions =
  | { kind: "postgres"; url: string; poolMax?: number; logger?: Logger; connectionTimeoutMs?: number }
  | { kind: "pglite"; dataDir: string | "memory"; logger?: Logger };

/** Opens the database; pair with `closeDatabase` (or `db.close()`). */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  installByteaArrayParser();
  return options.kind === "postgres" ? openServer(options) : openEmbedded(options);
}

/** Closes a database opened with `openDatabase`; safe to call twice. */
export async function closeDatabase(db: Database): Promise<void> {
  await db.close();
}

function openServer(options: Extract<DatabaseOptions, { kind: "postgres" }>): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    // Queries issued together on a client go out together (as on the embedded database).
    pipeline: true,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its server emits 'error' on the pool; unhandled, it would end the
  // process. The next query fails with a connection error the HTTP layer turns into a 503.
  pool.on("error", (error) => {
    options.logger?.warn({ err: { message: error.message } }, "database connection lost");
  });
  let closed = false;
  return {
    kind: "postgres",
    pool,
    location: undefined,
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/**
 * Clients of the embedded pool. Their statements queue in the database's thread, so it goes from
 * one to the next without waiting on the main thread; more only adds queued work.
 */
const EMBEDDED_SESSIONS = 10;

async function openEmbedded(options: Extract<DatabaseOptions, { kind: "pglite" }>): Promise<Database> {
  const dataDir = options.dataDir === "memory" ? undefined : path.resolve(options.dataDir, "pglite");
  let lockFile: string | undefined;
  if (dataDir !== undefined) {
    await mkdir(dataDir, { recursive: true });
    lockFile = await lockDataDir(dataDir);
  }
  let pglite: PgliteThread;
  try {
    pglite = await PgliteThread.start(dataDir);
  } catch (error) {
    if (lockFile !== undefined) await rm(lockFile, { force: true });
    throw new UnavailableError(`The embedded database in ${dataDir ?? "memory"} could not be opened`, {
      cause: error,
    });
  }
  const pool = new pg.Pool({ Client: pglite.clientClass(), max: EMBEDDED_SESSIONS });
  let closed = false;
  return {
    kind: "pglite",
    pool,
    location: dataDir ?? "memory",
    threadUtilization: (since) => pglite.utilization(since),
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
      // close() flushes PGlite's files to disk: without it the next start may replay or lose work.
      await pglite.close();
      if (lockFile !== undefined) await rm(lockFile, { force: true });
    },
  };
}

/**
 * PGlite is one process: two processes writing one data folder corrupt it. A lock file holding
 * the owner's pid refuses a second opener; a lock left by a process that no longer runs is taken over.
 */
async function lockDataDir(dataDir: string): Promise<string> {
  const lockFile = path.join(dataDir, "..", "pglite.lock");
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: "wx" });
      return lockFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number((await readFile(lockFile, "utf8").catch(() => "")).trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processRuns(owner)) {
        throw new UnavailableError(
          `The embedded database in ${dataDir} is in use by process ${owner}; stop it, or use the HTTP API while it runs`,
        );
      }
      await rm(lockFile, { force: true });
    }
  }
  throw new UnavailableError(`Could not lock the embedded database in ${dataDir}`);
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Runs `fn` in a transaction on one client of the pool: commit on success, rollback on any error. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, () => fn(client));
  } finally {
    client.release();
  }
}

/**
 * Runs `fn` in a transaction on a client the caller holds: commit on success, rollback on any
 * error. On a pipelined client (the embedded database's), BEGIN is not waited for: it goes out
 * with the statements `fn` issues first, in one message. (BEGIN fails only with the connection,
 * and then so does everything queued behind it.)
 */
export async function inTransaction<T>(client: pg.ClientBase, fn: () => Promise<T>): Promise<T> {
  const begun = client.query("BEGIN");
  if (!isPipelined(client)) await begun;
  else begun.catch(() => undefined);
  try {
    const [, result] = await Promise.all([begun, fn()]);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/**
 * True for a client in pg's pipeline mode: it sends queries as they are issued, without waiting
 * for the replies of those before them, so statements issued together travel together.
 */
function isPipelined(client: pg.ClientBase): boolean {
  return (client as { pipeline?: boolean }).pipeline === true;
}

/** True when an error means the database cannot be reached (as opposed to a bad query). */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    // Node socket errors, and PostgreSQL class 08 (connection exception) / 57P (operator intervention).
    if (["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "EPIPE"].includes(code)) return true;
    if (code.startsWith("08") || code.startsWith("57P")) return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/i.test(
    error.message,
  );
}
