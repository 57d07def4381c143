/** A scratch database for a bench on a PostgreSQL server: created, handed over, closed and dropped. */
import { randomBytes } from "node:crypto";
import { openDatabase, type Database } from "../../src/db/database.js";
import { adminQuery } from "../helpers/databases.js";

/** Runs `fn` on a new database on the server `url` names (its own pool of `poolMax`), then drops it. */
export async function onScratchDatabase(url: string, fn: (db: Database) => Promise<void>, poolMax = 10): Promise<void> {
  const name = `irc_bench_${process.pid}_${randomBytes(3).toString("hex")}`;
  const admin = (sql: string) => adminQuery(url, sql);
  await admin(`CREATE DATABASE ${name}`);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  const db = await openDatabase({ kind: "postgres", url: scratch.toString(), poolMax });
  try {
    await fn(db);
  } finally {
    await db.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
