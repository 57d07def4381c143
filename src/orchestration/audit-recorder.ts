/**
 * How nodes write to the audit log: tool calls (inputs, outputs), model calls (provider, model,
 * prompt id and version hash, tokens, latency) and decisions, each tied to run, agent and node.
 *
 * While the runtime drives a run, the run's entries are buffered in memory (one buffer per run,
 * so concurrent runs never mix) and appended in order, in one transaction, at the run's flush
 * points: before an action is executed (so its decision and gate verdict are in the log before
 * anything happens outside), and when the run completes, waits for a person or fails — together
 * with the run's status change. Entries keep the time they were recorded at.
 *
 * A run's flush points may come at once (a resume applying many decisions runs their review
 * tasks in parallel, each flushing before its action): its writes take turns, and each hands the
 * buffer over whole (taken and emptied in one step), so every entry is appended exactly once, in
 * order, and a write waits for the ones before it — an action never runs before the entries
 * buffered ahead of it are in the log. A write that fails puts what it took back at the front.
 */
import type pg from "pg";
import { ConflictError } from "../../tools/errors.js";
import { withTransaction } from "../db/database.js";
import { appendAudit, appendAuditAt, lockAuditChain, prepareAuditEntries, type AuditInput, type AuditKind } from "../governance/audit-log.js";
import { CanonicalJsonText, canonicalJson } from "../governance/canonical-json.js";
import type { ModelCallRecord } from "../llm/types.js";
import type { Subject } from "./decision.js";

/** Where in a run an entry comes from. */
export interface StepContext {
  runId: string;
  agent: string;
  node: string;
  subject?: Subject;
}

/** A model call as recorded: the model layer produces one for every call. */
export type ModelCallAudit = ModelCallRecord;

/** The entries of a run being driven, waiting to be written. */
interface RunBuffer {
  entries: AuditInput[];
}

/** Writes run-scoped entries. */
export class AuditRecorder {
  private readonly buffers = new Map<string, RunBuffer>();
  /** Per run, the end of its queue of writes (see `inTurn`). */
  private readonly writes = new Map<string, Promise<unknown>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date,
  ) {}

  /**
   * Starts buffering the entries of a run being driven. Refuses (409) a run that is already being
   * driven in this process. Pair with `close`.
   */
  open(runId: string): void {
    if (this.buffers.has(runId)) throw new ConflictError(`Run ${runId} is already being driven`);
    this.buffers.set(runId, { entries: [] });
  }

  /** Stops buffering a run; entries not yet flushed are dropped (flush or commit first). */
  close(runId: string): void {
    this.buffers.delete(runId);
  }

  /** Entries of a run waiting to be written (a copy). */
  buffered(runId: string): AuditInput[] {
    return [...(this.buffers.get(runId)?.entries ?? [])];
  }

  /** Records one entry for a step: buffered while its run is driven, appended at once otherwise. */
  async record(ctx: StepContext, kind: AuditKind, payload: unknown, actor = `agent:${ctx.agent}`): Promise<void> {
    await this.add([this.entry(ctx, kind, payload, actor)]);
  }

  /** Records entries (with `runId`) in order: buffered while their run is driven, appended at once otherwise. */
  async add(inputs: AuditInput[]): Promise<void> {
    const unbuffered: AuditInput[] = [];
    for (const input of inputs) {
      const buffer = input.runId == null ? undefined : this.buffers.get(input.runId);
      if (buffer === undefined) unbuffered.push(input);
      // Snapshot the payload now (a node may change its objects later), serialised as it is hashed and stored.
      else buffer.entries.push({ ...input, payload: new CanonicalJsonText(canonicalJson(input.payload ?? null)), at: input.at ?? this.now() });
    }
    if (unbuffered.length > 0) await appendAudit(this.pool, unbuffered, this.now);
  }

  /**
   * Appends a run's buffered entries now, in one transaction. Call it before anything with an
   * effect outside the run (the executor does its own audited transaction after this).
   */
  async flush(runId: string): Promise<void> {
    if ((this.buffers.get(runId)?.entries.length ?? 0) === 0 && !this.writes.has(runId)) return;
    // Even with nothing left to take, it waits for the run's writes under way (they hold entries recorded before it was called).
    await this.inTurn(runId, async () => {
      if ((this.buffers.get(runId)?.entries.length ?? 0) > 0) await this.write(runId, async () => ({ value: undefined, entries: [] }));
    });
  }

  /**
   * One transaction: `work` makes its changes on `client` and returns entries to append; the
   * run's buffered entries, then those, are appended last, under the chain's lock.
   * The buffer empties only if the transaction commits: on any error nothing is written and the
   * entries stay buffered. Takes its turn after the run's writes under way (`work` must not flush
   * or commit the same run: it would wait on itself).
   */
  async commit<T>(runId: string, work: (client: pg.PoolClient) => Promise<{ value: T; entries: AuditInput[] }>): Promise<T> {
    return this.inTurn(runId, () => this.write(runId, work));
  }

  /** Runs `next` once the run's writes queued before it have settled (succeeded or failed). */
  private inTurn<T>(runId: string, next: () => Promise<T>): Promise<T> {
    const turn = (this.writes.get(runId) ?? Promise.resolve()).then(next);
    const settled = turn.then(() => undefined, () => undefined);
    this.writes.set(runId, settled);
    void settled.then(() => {
      if (this.writes.get(runId) === settled) this.writes.delete(runId);
    });
    return turn;
  }

  /**
   * Takes the run's buffered entries (the buffer emptied in the same step, so no other write can
   * take them too) and appends them, then `work`'s, in one transaction; on failure puts them back
   * in front of what was buffered since, unless the buffer was closed meanwhile.
   */
  private async write<T>(runId: string, work: (client: pg.PoolClient) => Promise<{ value: T; entries: AuditInput[] }>): Promise<T> {
    const buffer = this.buffers.get(runId);
    const taken = buffer === undefined ? [] : buffer.entries;
    if (buffer !== undefined) buffer.entries = [];
    try {
      return await withTransaction(this.pool, async (client) => {
        const working = work(client);
        // The chain's lock and end are asked for right behind the statements `work` issued first
        // (on a pipelined connection, BEGIN, those and these go as one message). If the work fails,
        // so do these, in the aborted transaction: the work's error is the one that counts.
        const chain = lockAuditChain(client);
        chain.catch(() => undefined);
        const { value, entries } = await working;
        await appendAuditAt(client, await chain, prepareAuditEntries([...taken, ...entries], this.now));
        return value;
      });
    } catch (error) {
      if (buffer !== undefined && this.buffers.get(runId) === buffer) buffer.entries = [...taken, ...buffer.entries];
      throw error;
    }
  }

  /** Runs a deterministic tool and records its input and output (or error). */
  async toolCall<I, O>(ctx: StepContext, tool: string, input: I, run: (input: I) => O | Promise<O>): Promise<O> {
    const started = performance.now();
    try {
      const output = await run(input);
      await this.record(ctx, "tool.call", { tool, input, output, ms: Math.round(performance.now() - started) });
      return output;
    } catch (error) {
      await this.record(ctx, "tool.call", {
        tool, input, error: { name: (error as Error).name, message: (error as Error).message }, ms: Math.round(performance.now() - started),
      });
      throw error;
    }
  }

  /** Records a model call. */
  async modelCall(ctx: StepContext, call: ModelCallAudit): Promise<void> {
    await this.record(ctx, "model.call", call);
  }

  /** Builds an entry without writing it (for callers batching inside a transaction). */
  entry(ctx: StepContext, kind: AuditKind, payload: unknown, actor = `agent:${ctx.agent}`): AuditInput {
    return {
      kind, actor, runId: ctx.runId, agent: ctx.agent, node: ctx.node,
      subjectType: ctx.subject?.type ?? null, subjectId: ctx.subject?.id ?? null, payload,
    };
  }
}
