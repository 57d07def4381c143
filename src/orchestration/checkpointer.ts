/**
 * LangGraph's PostgreSQL checkpointer on the service's one pool (PGlite or server), so a run
 * paused for a person survives a restart. Its own table setup runs under an advisory lock so
 * instances starting together do not race.
 */
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type pg from "pg";
import type { Database } from "../db/database.js";

const CHECKPOINT_SETUP_LOCK = 0x6368656b;

/**
 * PostgresSaver whose `put` writes a checkpoint's channel blobs with one multi-row INSERT instead
 * of one statement per channel; same tables, same rows, same single transaction (statements as
 * in @langchain/langgraph-checkpoint-postgres 1.0.5, default "public" schema).
 */
export class BatchedPostgresSaver extends PostgresSaver {
  constructor(private readonly db: pg.Pool) {
    super(db);
  }

  override async put(...[config, checkpoint, metadata, newVersions]: Parameters<PostgresSaver["put"]>): ReturnType<PostgresSaver["put"]> {
    if (config.configurable === undefined) throw new Error(`Missing "configurable" field in "config" param`);
    const { thread_id, checkpoint_ns = "", checkpoint_id } = config.configurable as { thread_id: string; checkpoint_ns?: string; checkpoint_id?: string };
    const serializedCheckpoint = this._dumpCheckpoint(checkpoint);
    const [blobs, serializedMetadata] = await Promise.all([
      this._dumpBlobs(thread_id, checkpoint_ns, checkpoint.channel_values, newVersions),
      this._dumpMetadata(metadata),
    ]);
    const client = await this.db.connect();
    try {
      await client.query("BEGIN");
      if (blobs.length > 0) {
        await client.query(
          `INSERT INTO "public".checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob)
           VALUES ${blobs.map((_, i) => `($${i * 6 + 1}, $${i * 6 + 2}, $${i * 6 + 3}, $${i * 6 + 4}, $${i * 6 + 5}, $${i * 6 + 6})`).join(", ")}
           ON CONFLICT (thread_id, checkpoint_ns, channel, version) DO NOTHING`,
          blobs.flat(),
        );
      }
      await client.query(
        `INSERT INTO "public".checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, metadata = EXCLUDED.metadata`,
        [thread_id, checkpoint_ns, checkpoint.id, checkpoint_id, serializedCheckpoint, serializedMetadata],
      );
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    } finally {
      client.release();
    }
    return { configurable: { thread_id, checkpoint_ns, checkpoint_id: checkpoint.id } };
  }
}

/** Creates the checkpointer; nothing touches the database until `setupCheckpointer`. */
export function createCheckpointer(db: Database): PostgresSaver {
  return new BatchedPostgresSaver(db.pool);
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
