/**
 * The database test harness: every database suite runs on PGlite always, and on the PostgreSQL
 * server too when TEST_DATABASE_URL is set. Each test database is its own (a fresh in-memory
 * PGlite, or a freshly created server database) and is dropped afterwards.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type Database } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";

export type DatabaseKind = "pglite" | "postgres";

/** The kinds this run covers. */
export const DATABASE_KINDS: DatabaseKind[] = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

/** A database created for one test suite. */
export interface TestDatabase {
  db: Database;
  /** Connection URL for server databases (to open more pools, spawn processes …). */
  url: string | undefined;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** Creates an isolated, empty database of a kind; migrated unless told not to. */
export async function createTestDatabase(
  kind: DatabaseKind,
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  let db: Database;
  let url: string | undefined;
  let dropServerDb: () => Promise<void> = async () => undefined;
  if (kind === "pglite") {
    db = await openDatabase({ kind: "pglite", dataDir: "memory" });
  } else {
    const base = process.env.TEST_DATABASE_URL;
    if (base === undefined) throw new Error("TEST_DATABASE_URL is not set");
    const name = `irc_test_${process.pid}_${randomBytes(4).toString("hex")}`;
    await adminQuery(base, `CREATE DATABASE ${name}`);
    const u = new URL(base);
    u.pathname = `/${name}`;
    url = u.toString();
    db = await openDatabase({ kind: "postgres", url, poolMax: 5 });
    dropServerDb = () => adminQuery(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  if (options.migrate !== false) await migrate(db.pool);
  return {
    db,
    url,
    drop: async () => {
      await db.close();
      await dropServerDb();
    },
  };
}

/** Runs one statement on the server `url` names, on a connection of its own (CREATE and DROP DATABASE). */
export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
