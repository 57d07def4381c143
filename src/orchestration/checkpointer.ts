/**
 * LangGraph's PostgreSQL checkpointer on the service's one pool (PGlite or server), so a run
 * paused for a person survives a restart. Its own table setup runs under an advisory lock so
 * instances starting together do not race.
 */
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type { Database } from "../db/database.js";

const CHECKPOINT_SETUP_LOCK = 0x6368656b;

/** Creates the checkpointer; nothing touches the database until `setupCheckpointer`. */
export function createCheckpointer(db: Database): PostgresSaver {
  return new PostgresSaver(db.pool);
}

/** Creates or upgrades the checkpointer's tables. */
export async function setupCheckpointer(db: Database, saver: PostgresSaver): Promise<void> {
  // PGlite is one process with one connection: no race to guard, and holding the only
  // connection for the lock would starve setup().
  if (db.kind === "pglite") {
    await saver.setup();
    return;
  }
  const client = await db.pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [CHECKPOINT_SETUP_LOCK]);
    try {
      await saver.setup();
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [CHECKPOINT_SETUP_LOCK]);
    }
  } finally {
    client.release();
  }
}
