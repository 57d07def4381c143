/**
 * LangGraph's PostgreSQL checkpointer on the service's one pool (PGlite or server), so a run
 * paused for a person survives a restart. Its own table setup runs under an advisory lock so
 * instances starting together do not race.
 */
import { WRITES_IDX_MAP } from "@langchain/langgraph-checkpoint";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type pg from "pg";
import { withTransaction, type Database } from "../db/database.js";
import { valuesList } from "../db/values-list.js";

const CHECKPOINT_SETUP_LOCK = 0x6368656b;

/** One `putWrites` call waiting for its statement. */
interface QueuedWrites {
  upsert: boolean;
  rows: unknown[][];
  resolve: () => void;
  reject: (error: unknown) => void;
}

const WRITE_COLUMNS = 8;
const WRITE_ROWS_PER_STATEMENT = 500;

/**
 * PostgresSaver that writes in fewer statements, with the same tables, rows and transactions
 * (statements as in @langchain/langgraph-checkpoint-postgres 1.0.5, default "public" schema):
 * - `put` writes a checkpoint's channel blobs with one multi-row INSERT, not one per channel;
 * - `putWrites` calls made together (LangGraph saves each finished task's writes on its own, so
 *   a run that ends with a hundred drafts waiting makes a hundred calls at once) are written in
 *   one transaction of multi-row INSERTs; each call resolves when that transaction commits.
 */
export class BatchedPostgresSaver extends PostgresSaver {
  private queuedWrites: QueuedWrites[] = [];

  constructor(private readonly db: pg.Pool) {
    super(db);
  }

  override async putWrites(...[config, writes, taskId]: Parameters<PostgresSaver["putWrites"]>): Promise<void> {
    const { thread_id, checkpoint_ns = "", checkpoint_id } = (config.configurable ?? {}) as { thread_id?: string; checkpoint_ns?: string; checkpoint_id?: string };
    if (thread_id === undefined || checkpoint_id === undefined) throw new Error("putWrites needs a thread_id and a checkpoint_id");
    const rows = await this._dumpWrites(thread_id, checkpoint_ns, checkpoint_id, taskId, writes) as unknown[][];
    return new Promise<void>((resolve, reject) => {
      // Special writes (errors, interrupts, resumes) replace what a task wrote before; others never do.
      this.queuedWrites.push({ upsert: writes.every((w) => w[0] in WRITES_IDX_MAP), rows, resolve, reject });
      // After the calls made together have dumped their values (each awaits its serializer).
      if (this.queuedWrites.length === 1) setImmediate(() => void this.flushWrites());
    });
  }

  private async flushWrites(): Promise<void> {
    const queued = this.queuedWrites;
    this.queuedWrites = [];
    // In call order; a new statement wherever the conflict rule changes or a row would meet its own key again.
    const statements: { upsert: boolean; rows: unknown[][] }[] = [];
    let keys = new Set<string>();
    for (const call of queued) {
      for (const row of call.rows) {
        const key = JSON.stringify(row.slice(0, 5));
        let current = statements.at(-1);
        if (current === undefined || current.upsert !== call.upsert || keys.has(key) || current.rows.length >= WRITE_ROWS_PER_STATEMENT) {
          current = { upsert: call.upsert, rows: [] };
          statements.push(current);
          keys = new Set();
        }
        current.rows.push(row);
        keys.add(key);
      }
    }
    try {
      // Issued together, in order (one message with BEGIN on a pipelined connection).
      await withTransaction(this.db, (client) => Promise.all(statements.map((st) => client.query(
        `INSERT INTO "public".checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob)
         VALUES ${valuesList(st.rows.length, WRITE_COLUMNS)}
         ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) ${st.upsert ? "DO UPDATE SET channel = EXCLUDED.channel, type = EXCLUDED.type, blob = EXCLUDED.blob" : "DO NOTHING"}`,
        st.rows.flat(),
      ))));
      for (const call of queued) call.resolve();
    } catch (error) {
      for (const call of queued) call.reject(error);
    }
  }

  override async put(...[config, checkpoint, metadata, newVersions]: Parameters<PostgresSaver["put"]>): ReturnType<PostgresSaver["put"]> {
    if (config.configurable === undefined) throw new Error(`Missing "configurable" field in "config" param`);
    const { thread_id, checkpoint_ns = "", checkpoint_id } = config.configurable as { thread_id: string; checkpoint_ns?: string; checkpoint_id?: string };
    const serializedCheckpoint = this._dumpCheckpoint(checkpoint);
    const [blobs, serializedMetadata] = await Promise.all([
      this._dumpBlobs(thread_id, checkpoint_ns, checkpoint.channel_values, newVersions),
      this._dumpMetadata(metadata),
    ]);
    // The blobs and the checkpoint that names them, issued together (one message with BEGIN on a pipelined connection).
    await withTransaction(this.db, (client) => Promise.all([
      blobs.length === 0 ? undefined : client.query(
        `INSERT INTO "public".checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob)
         VALUES ${valuesList(blobs.length, 6)}
         ON CONFLICT (thread_id, checkpoint_ns, channel, version) DO NOTHING`,
        blobs.flat(),
      ),
      client.query(
        `INSERT INTO "public".checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, metadata = EXCLUDED.metadata`,
        [thread_id, checkpoint_ns, checkpoint.id, checkpoint_id, serializedCheckpoint, serializedMetadata],
      ),
    ]));
    return { configurable: { thread_id, checkpoint_ns, checkpoint_id: checkpoint.id } };
  }
}

/** Creates the checkpointer; nothing touches the database until `setupCheckpointer`. */
export function createCheckpointer(db: Database): PostgresSaver {
  return new BatchedPostgresSaver(db.pool);
}

/** Creates or upgrades the checkpointer's tables. */
export async function setupCheckpointer(db: Database, saver: PostgresSaver): Promise<void> {
  // PGlite is one process: no other instance to race, and its sessions share one backend, so a
  // session-level lock would not exclude them anyway.
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
