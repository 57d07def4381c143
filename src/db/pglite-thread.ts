/**
 * PGlite on a thread of its own. PostgreSQL in WASM runs wherever it is called; on the main
 * thread every statement's execution stops the agents' JavaScript, so a sweep used one of the
 * machine's cores. Here PGlite lives in a worker thread and the `pg` pool talks to it in the
 * PostgreSQL wire protocol: the client's messages for a statement (parse, bind, describe,
 * execute, sync) are sent as one buffer, the worker hands them to `execProtocolRaw`, and the
 * raw reply is parsed back on the main thread by pg's own protocol parser — the same bytes a
 * server would send, so `pg` behaves as it does against one.
 *
 * PGlite is a single backend, but the pool may hold several clients: each is a session of the
 * thread, whose statements queue there in arrival order. A session whose reply leaves the backend
 * in a transaction has it to itself until the transaction ends (the others' statements wait in the
 * thread), so a transaction sees only its own statements, as on a server; between transactions,
 * the sessions' statements run back to back without waiting for the main thread to hand the one
 * connection on. What a backend keeps per session beyond a transaction (named prepared
 * statements, session settings, session-level advisory locks) is shared; nothing here uses them
 * outside a transaction except the one-process setup locks, which PGlite does not need.
 */
import { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import type { EventLoopUtilization } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import pg from "pg";
import { serialize } from "pg-protocol";
import { Parser } from "pg-protocol/dist/parser.js";
import { UnavailableError } from "../../tools/errors.js";

/** The worker: opens PGlite (with pgvector) and executes wire-protocol buffers in order. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
let db;
// Statements from every session, in arrival order. PGlite is one backend: while a session has a
// transaction open (its last reply left the backend in a transaction, or mid-protocol), only that
// session's messages run; the others wait here, and run back to back once it ends.
const queue = [];
let owner = null;
let pumping = false;
parentPort.on("message", (m) => {
  queue.push(m);
  if (!pumping && db !== undefined) void pump();
});
async function pump() {
  pumping = true;
  for (;;) {
    const i = owner === null ? (queue.length > 0 ? 0 : -1) : queue.findIndex((m) => m.session === owner);
    if (i === -1) break;
    const m = queue.splice(i, 1)[0];
    try {
      if (m.type === "exec") {
        const out = await db.execProtocolRaw(m.bytes);
        owner = inTransaction(out) ? m.session : null;
        const copy = out.slice();
        parentPort.postMessage({ id: m.id, bytes: copy }, [copy.buffer]);
      } else if (m.type === "end") {
        // A session that goes away inside a transaction: roll it back so the others can go on.
        if (owner === m.session) {
          owner = null;
          await db.exec("ROLLBACK");
        }
      } else if (m.type === "close") {
        await db.close();
        parentPort.postMessage({ id: m.id });
      }
    } catch (error) {
      parentPort.postMessage({ id: m.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  pumping = false;
}
// True unless the reply ends with ReadyForQuery ('Z', length 5) reporting an idle backend ('I').
function inTransaction(out) {
  const n = out.length;
  if (n < 6 || out[n - 6] !== 0x5a || out[n - 5] !== 0 || out[n - 4] !== 0 || out[n - 3] !== 0 || out[n - 2] !== 5) return true;
  return out[n - 1] !== 0x49;
}
(async () => {
  const { PGlite } = require(workerData.pglite);
  const { vector } = require(workerData.vector);
  db = await PGlite.create({ dataDir: workerData.dataDir, extensions: { vector } });
  parentPort.postMessage({ id: 0 });
  void pump();
})().catch((error) => parentPort.postMessage({ id: 0, error: error instanceof Error ? error.message : String(error) }));
`;

interface Reply { id: number; bytes?: Uint8Array; error?: string }

/** A PGlite database running in a worker thread. */
export class PgliteThread {
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private nextSession = 1;
  private dead: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on("message", (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      if (waiter === undefined) return;
      this.pending.delete(reply.id);
      this.idleUnref();
      if (reply.error !== undefined) waiter.reject(new UnavailableError(`The embedded database failed: ${reply.error}`));
      else waiter.resolve(reply);
    });
    const fail = (error: Error) => {
      this.dead ??= error;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
    worker.on("error", (error) => fail(new UnavailableError("The embedded database's thread failed", { cause: error })));
    worker.on("exit", (code) => fail(new UnavailableError(`The embedded database's thread exited (code ${code})`)));
  }

  /** Starts the thread and opens the database in `dataDir` (in memory when undefined). */
  static async start(dataDir: string | undefined): Promise<PgliteThread> {
    const require = createRequire(import.meta.url);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { dataDir, pglite: require.resolve("@electric-sql/pglite"), vector: require.resolve("@electric-sql/pglite-pgvector") },
    });
    const thread = new PgliteThread(worker);
    const ready = new Promise<Reply>((resolve, reject) => thread.pending.set(0, { resolve, reject }));
    try {
      await ready;
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    thread.idleUnref();
    return thread;
  }

  /** How busy the thread has been (since an earlier reading). */
  utilization(since?: EventLoopUtilization): EventLoopUtilization {
    return this.worker.performance.eventLoopUtilization(since);
  }

  /** A new session id: the thread keeps each session's transaction to itself. */
  openSession(): number {
    return this.nextSession++;
  }

  /** Executes a session's wire-protocol messages; resolves with the backend's reply bytes. */
  async exec(session: number, bytes: Uint8Array): Promise<Uint8Array> {
    const reply = await this.request({ type: "exec", session, bytes });
    return reply.bytes ?? new Uint8Array(0);
  }

  /** Ends a session: a transaction it left open is rolled back. */
  endSession(session: number): void {
    if (this.dead === null) this.worker.postMessage({ type: "end", session });
  }

  /** Closes the database (PGlite flushes its files) and ends the thread. */
  async close(): Promise<void> {
    if (this.dead === null) await this.request({ type: "close" });
    this.dead ??= new UnavailableError("The embedded database is closed");
    await this.worker.terminate();
  }

  /** A `pg` client class whose connection is this thread. */
  clientClass(): typeof pg.Client {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- captured by the class below
    const thread = this;
    return class PgliteThreadClient extends pg.Client {
      constructor(config?: pg.ClientConfig) {
        // Pipelined: queries issued together go to the thread together (see `withTransaction`).
        super({ ...config, pipeline: true, connection: new ThreadConnection(thread) } as pg.ClientConfig);
      }
    };
  }

  private request(message: { type: "exec"; session: number; bytes: Uint8Array } | { type: "close" }): Promise<Reply> {
    if (this.dead !== null) return Promise.reject(this.dead);
    const id = this.nextId++;
    const reply = new Promise<Reply>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    // Keeps the process alive while a statement is out, not while the thread idles.
    this.worker.ref();
    this.worker.postMessage({ id, ...message });
    return reply;
  }

  private idleUnref(): void {
    if (this.pending.size === 0) this.worker.unref();
  }
}

/**
 * The `connection` a `pg.Client` drives (the interface of pg's Connection that the Client uses,
 * as PGlite's own node-postgres adapter implements it): outgoing messages are collected and
 * sent once the current synchronous burst ends; replies are emitted as pg's Connection emits them.
 */
class ThreadConnection extends EventEmitter {
  _connecting = false;
  readonly stream = { destroy: () => this.end() };
  readonly parsedStatements: Record<string, unknown> = {};
  readonly submittedNamedStatements: Record<string, unknown> = {};
  private emitMessages = false;
  private chain: Promise<void> = Promise.resolve();
  private outgoing: Buffer[] = [];
  private readonly parser = new Parser();
  private readonly session: number;

  constructor(private readonly thread: PgliteThread) {
    super();
    this.session = thread.openSession();
    this.on("newListener", (event) => {
      if (event === "message") this.emitMessages = true;
    });
  }

  connect(): void {
    this._connecting = true;
    process.nextTick(() => this.emit("readyForQuery"));
  }

  requestSsl(): void {}
  startup(): void {}
  cancel(): void {}
  password(): void {}
  ref(): void {}
  unref(): void {}

  sendSASLInitialResponseMessage(mechanism: string, response: string): void { this.write(serialize.sendSASLInitialResponseMessage(mechanism, response)); }
  sendSCRAMClientFinalMessage(message: string): void { this.write(serialize.sendSCRAMClientFinalMessage(message)); }
  query(text: string): void { this.write(serialize.query(text)); }
  parse(config: Parameters<typeof serialize.parse>[0]): void { this.write(serialize.parse(config)); }
  bind(config: Parameters<typeof serialize.bind>[0]): void { this.write(serialize.bind(config)); }
  execute(config: Parameters<typeof serialize.execute>[0]): void { this.write(serialize.execute(config)); }
  describe(config: Parameters<typeof serialize.describe>[0]): void { this.write(serialize.describe(config)); }
  close(config: Parameters<typeof serialize.close>[0]): void { this.write(serialize.close(config)); }
  flush(): void { this.write(serialize.flush()); }
  sync(): void { this.write(serialize.sync()); }
  sendCopyFromChunk(chunk: Buffer): void { this.write(serialize.copyData(chunk)); }
  endCopyFrom(): void { this.write(serialize.copyDone()); }
  sendCopyFail(message: string): void { this.write(serialize.copyFail(message)); }

  end(): void {
    this.chain = this.chain.then(() => {
      this.thread.endSession(this.session);
      this.emit("end");
    });
    for (const event of this.eventNames()) if (event !== "newListener") this.removeAllListeners(event);
    this.emitMessages = false;
  }

  /** Queues a message; the messages written in one synchronous burst go to the thread together. */
  private write(message: Buffer): void {
    this.outgoing.push(message);
    if (this.outgoing.length === 1) queueMicrotask(() => this.send());
  }

  private send(): void {
    const bytes = Buffer.concat(this.outgoing);
    this.outgoing = [];
    // Sent at once (the thread runs a session's messages in order, so a pipelined query need not
    // wait for the reply before it); the replies are parsed in the order they were asked for.
    const reply = this.thread.exec(this.session, bytes);
    reply.catch(() => undefined);
    this.chain = this.chain
      .then(() => reply)
      .then((reply) => {
        this.parser.parse(Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength), (message) => {
          if (this.emitMessages) this.emit("message", message);
          this.emit(message.name === "error" ? "errorMessage" : message.name, message);
        });
      })
      .catch((error: unknown) => {
        this.emit("error", error);
      });
  }
}
