/** Changing audit rows as a database superuser would, for tests of what verify detects. */
import type { TestDatabase } from "./databases.js";

/** Runs `sql` with the append-only triggers bypassed (`session_replication_role = replica`). */
export async function tamper(t: TestDatabase, sql: string, params: unknown[] = []): Promise<void> {
  const client = await t.db.pool.connect();
  try {
    await client.query("SET session_replication_role = replica");
    await client.query(sql, params);
    await client.query("SET session_replication_role = DEFAULT");
  } finally {
    client.release();
  }
}
