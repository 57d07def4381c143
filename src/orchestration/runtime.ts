/**
 * The agent runtime: starts runs (one LangGraph thread each), records every node step, turns a
 * pause at `interrupt()` into a review item, resumes a run when staff decide, and recovers runs
 * whose decision landed just before a restart.
 */
import { randomUUID } from "node:crypto";
import { defaultMaxListeners, setMaxListeners } from "node:events";
import { Command, type BaseCheckpointSaver } from "@langchain/langgraph";
import type { Logger } from "pino";
import type pg from "pg";
import { z } from "zod";
import { ConflictError, NotFoundError } from "../../tools/errors.js";
import { crashPoint } from "../crash-points.js";
import { queryAudit, type AuditEntry, type AuditInput } from "../governance/audit-log.js";
import { DEFAULT_AUTONOMY_POLICY, demoteIfBelow, type AutonomyPolicy } from "../governance/autonomy.js";
import { toJson } from "../governance/canonical-json.js";
import {
  decidedReviewsOfWaitingRuns, getReviewItem, insertReviewItems, listReviewItems, onlySupersededLeft, onlySupersededPending, recordDecision, reviewCountsBySubject,
  toListItem, type ReviewItem, type ReviewListItem,
} from "../governance/reviews.js";
import type { PlatformServices } from "./agent-definition.js";
import { AuditRecorder } from "./audit-recorder.js";
import type { ProposedAction, Subject } from "./decision.js";
import { editableFields } from "./edits.js";
import type { ReviewDecision } from "./human-review.js";
import { buildPlatformGraph, reviewInterruptFor, type PlatformGraph } from "./platform-graph.js";
import type { AgentRegistry } from "./registry.js";

/**
 * A batch run fans out one review task per draft, and LangGraph listens on the run's abort
 * signal (an AbortSignal it creates) once per task: with more than ten drafts Node warned of a
 * listener leak on every sweep batch. The default limit is raised to cover the largest batch.
 */
const MAX_TASK_LISTENERS = 2_000;
if (defaultMaxListeners < MAX_TASK_LISTENERS) setMaxListeners(MAX_TASK_LISTENERS);

export const RunStatus = z.enum(["running", "waiting", "completed", "failed"]);
export type RunStatus = z.infer<typeof RunStatus>;

/** A run as the API shows it. */
export interface RunView {
  id: string;
  agent: string;
  subject: Subject;
  status: RunStatus;
  error: string | null;
  result: unknown;
  createdAt: string;
  updatedAt: string;
}

/** Where one subject of a run (an appointment of a batch) stands: its review items by state. */
export const RunSubject = z.object({
  type: z.string(),
  id: z.string(),
  status: z.enum(["running", "waiting", "done", "failed"])
    .describe("waiting: a draft waits on a person · done: none does (all decided or superseded, or none needed) · failed: the agent set it aside"),
  pending: z.number().int(),
  decided: z.number().int(),
  superseded: z.number().int(),
});
export type RunSubject = z.infer<typeof RunSubject>;

/** Which page of a run to read. */
export interface RunPageQuery {
  /** Only what is about this subject (an appointment id for the pre-service agents). */
  subject?: string;
  /** Steps after this audit sequence number. */
  stepsAfter?: number;
  /** Most steps in the page (default 500). */
  stepsLimit?: number;
}

/** A run, a page of its steps, its appointments and review items. */
export interface RunPage {
  run: RunView;
  steps: AuditEntry[];
  stepsNext: number | null;
  subjects: RunSubject[];
  reviews: ReviewListItem[];
  state: unknown;
}

/** Runtime settings. */
export interface RuntimeOptions {
  pool: pg.Pool;
  checkpointer: BaseCheckpointSaver;
  registry: AgentRegistry;
  logger: Logger;
  now?: () => Date;
  policy?: AutonomyPolicy;
  offlineConfidenceCap?: number;
  /** Called when a drive of a run ends (completed, waiting or failed), after its trail is written: the service anchors the audit chain's head. */
  onRunEnd?: (runId: string) => void;
  /**
   * The service instance driving runs here (its id is recorded on each run it starts or claims,
   * so a takeover settles the runs of a dead instance); a random id of its own by default.
   */
  instance?: { readonly id: string };
}

interface RunRow {
  id: string; agent: string; subject_type: string; subject_id: string; status: RunStatus; input: Record<string, unknown>;
  result: unknown; error: string | null; created_at: Date; updated_at: Date;
}

/** Runs agents on the platform. */
export class AgentRuntime {
  readonly services: PlatformServices;
  readonly policy: AutonomyPolicy;
  private readonly graphs = new Map<string, PlatformGraph>();
  private readonly now: () => Date;
  private readonly instance: { readonly id: string };

  constructor(private readonly options: RuntimeOptions) {
    this.now = options.now ?? (() => new Date());
    this.instance = options.instance ?? { id: randomUUID() };
    this.policy = options.policy ?? DEFAULT_AUTONOMY_POLICY;
    this.services = {
      pool: options.pool,
      audit: new AuditRecorder(options.pool, this.now),
      logger: options.logger,
      now: this.now,
    };
  }

  get registry(): AgentRegistry {
    return this.options.registry;
  }

  /** Starts a run of `agent` on a work item and drives it until it completes, fails or waits. */
  async start(agent: string, subject: Subject, workItem: Record<string, unknown>, runId: string = randomUUID()): Promise<RunView> {
    this.graphFor(agent);
    const now = this.now();
    const inserted = await this.options.pool.query<RunRow>(
      `INSERT INTO runs (id, agent, subject_type, subject_id, status, input, created_at, updated_at, instance_id)
       VALUES ($1, $2, $3, $4, 'running', $5, $6, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING *`,
      [runId, agent, subject.type, subject.id, JSON.stringify(toJson(workItem)), now, this.instance.id],
    );
    const row = inserted.rows[0];
    if (row === undefined) throw new ConflictError(`Run ${runId} already exists`);
    // From here the run's entries are buffered and written at its flush points (see AuditRecorder).
    this.services.audit.open(runId);
    return this.drive(row, { runId, workItem }, {
      kind: "run.started", actor: `agent:${agent}`, runId, agent, subjectType: subject.type, subjectId: subject.id, payload: { workItem }, at: now,
    });
  }

  /**
   * Records staff's decision on a review item and resumes its run with it. A run waits on each of
   * its drafts independently; when the run is busy applying another decision, this one is picked
   * up by that resume as soon as it finishes (or by `recover()` after a restart).
   */
  async decide(reviewId: string, decision: ReviewDecision, actor: string): Promise<{ review: ReviewItem; run: RunView }> {
    const item = await getReviewItem(this.options.pool, reviewId);
    const actionType = this.registry.actionType(item.agent, item.actionType);
    const review = await recordDecision(this.options.pool, reviewId, decision, actor, actionType, this.now());
    const run = await this.resumeDecided(item.runId) ?? toView(await this.runRow(item.runId));
    await demoteIfBelow(this.options.pool, item.agent, this.policy, this.now());
    return { review, run };
  }

  /** Re-drives a failed run from its last checkpoint (the executor keeps actions at most once). */
  async retry(runId: string): Promise<RunView> {
    const row = await this.claimRun(runId, "failed");
    return this.drive(row, null);
  }

  /** Resumes runs with decisions they have not applied yet (e.g. the process stopped); returns how many runs resumed. */
  async recover(): Promise<number> {
    let resumed = 0;
    const runs = new Set((await decidedReviewsOfWaitingRuns(this.options.pool)).map((r) => r.runId));
    for (const runId of runs) {
      if ((await this.resumeDecided(runId)) !== null) resumed += 1;
    }
    return resumed;
  }

  /**
   * Completes runs whose drafts a newer check superseded, once they wait on nothing a person can
   * still decide: their decided drafts are applied first; the superseded ones are never resumed,
   * so a stale draft is never executed. A run busy elsewhere is left to that drive, whose end
   * does the same. Failures are logged: they do not fail the run that superseded them.
   */
  private async closeSuperseded(runIds: string[]): Promise<void> {
    for (const runId of runIds) {
      try {
        if (!(await onlySupersededPending(this.options.pool, runId))) continue;
        await this.resumeDecided(runId);
        const row = await this.runRow(runId);
        if (row.status !== "waiting") continue;
        const { interrupts } = await this.pendingInterrupts(row.agent, runId);
        if (!(await onlySupersededLeft(this.options.pool, runId, interrupts.map((i) => i.id)))) continue;
        // Driven on from its checkpoint: its review tasks pause again, and the end of the drive completes it.
        await this.drive(await this.claimRun(runId, "waiting"), null);
      } catch (error) {
        if (error instanceof ConflictError) continue;
        this.options.logger.warn({ runId, err: { name: (error as Error).name, message: (error as Error).message } }, "closing a superseded run failed");
      }
    }
  }

  /**
   * Resumes a waiting run with every decision it is still waiting on, until none is left (a
   * decision recorded while the run was being resumed is applied next). Null when the run waits
   * on no decided review; the run as it is when it is being driven elsewhere.
   */
  private async resumeDecided(runId: string): Promise<RunView | null> {
    let view: RunView | null = null;
    for (;;) {
      const row = await this.runRow(runId);
      if (row.status !== "waiting") return view ?? (row.status === "running" ? toView(row) : null);
      const waitingOn = new Set((await this.pendingInterrupts(row.agent, runId)).interrupts.map((i) => i.id));
      const ready = (await decidedReviewsOfWaitingRuns(this.options.pool, runId)).filter((r) => waitingOn.has(r.interruptId));
      if (ready.length === 0) return view;
      let claimed: RunRow;
      try {
        claimed = await this.claimRun(runId, "waiting");
      } catch (error) {
        // Another caller claimed it between our read and our claim: it applies these decisions.
        if (error instanceof ConflictError) return toView(await this.runRow(runId));
        throw error;
      }
      view = await this.drive(claimed, new Command({ resume: Object.fromEntries(ready.map((r) => [r.interruptId, r.decision])) }), {
        kind: "run.resumed", actor: "platform", runId, agent: row.agent, subjectType: row.subject_type, subjectId: row.subject_id,
        payload: { decisions: ready.map((r) => ({ reviewId: r.id, decision: r.decision.type })) },
      });
    }
  }

  /** The interrupts a run still waits on (tasks of its checkpoint that have not finished), with the run's state. */
  private async pendingInterrupts(agent: string, runId: string): Promise<{ interrupts: { id: string; value: unknown }[]; values: Record<string, unknown> }> {
    const state = await this.graphFor(agent).getState({ configurable: { thread_id: runId } });
    const interrupts = state.tasks.filter((t) => t.result === undefined).flatMap((t) => t.interrupts)
      .flatMap((i) => (i.id === undefined ? [] : [{ id: i.id, value: i.value }]));
    return { interrupts, values: state.values as Record<string, unknown> };
  }

  /**
   * A run with a page of its audit trail (entries after `stepsAfter`, in order; `stepsNext` is
   * the cursor of the next page), its review items and where each of its subjects stands; with
   * `subject`, only what is about that subject (an appointment of a batch). A subject is done
   * once none of its drafts waits on a person, even while the run (a batch) waits on others.
   */
  async getRun(runId: string, page: RunPageQuery = {}): Promise<RunPage> {
    const row = await this.runRow(runId);
    const limit = Math.min(page.stepsLimit ?? 500, 10_000);
    const subjects = await this.runSubjects(row, page.subject);
    if (page.subject !== undefined && subjects.length === 0) throw new NotFoundError(`Run ${runId} has no subject ${page.subject}`);
    const [steps, reviews] = await Promise.all([
      queryAudit(this.options.pool, { runId, subjectId: page.subject, afterSeq: page.stepsAfter, limit: limit + 1 }),
      listReviewItems(this.options.pool, { runId, subjectId: page.subject, limit: 1000 }),
    ]);
    let state: unknown = null;
    if (this.registry.list().some((d) => d.id === row.agent)) {
      const snapshot = await this.graphFor(row.agent).getState({ configurable: { thread_id: runId } });
      const values = snapshot.values as Record<string, unknown>;
      const about = (list: unknown) => (page.subject === undefined || !Array.isArray(list) ? list ?? [] : list.filter((x: { subject?: Subject }) => x.subject?.id === page.subject));
      state = { next: snapshot.next, proposals: about(values.proposals), outcomes: values.outcomes ?? [] };
    }
    const next = steps.length > limit ? steps[limit - 1]?.seq ?? null : null;
    return { run: toView(row), steps: steps.slice(0, limit), stepsNext: next, subjects, reviews: reviews.map(toListItem), state };
  }

  /**
   * Where each subject of a run stands: those of its work item (a batch's appointments, or the
   * run's own subject) and those its review items are about.
   */
  private async runSubjects(row: RunRow, only?: string): Promise<RunSubject[]> {
    const listed = Array.isArray(row.input.appointments) ? row.input.appointments.filter((a): a is string => typeof a === "string") : [];
    const own = listed.length > 0 ? listed.map((id) => ({ type: "appointment", id })) : [{ type: row.subject_type, id: row.subject_id }];
    const [counts, failed] = await Promise.all([
      reviewCountsBySubject(this.options.pool, row.id, only),
      queryAudit(this.options.pool, { runId: row.id, kind: "subject.failed", subjectId: only, limit: 10_000 }),
    ]);
    const bySubject = new Map(counts.map((c) => [`${c.subjectType}\u0000${c.subjectId}`, c]));
    const failedIds = new Set(failed.map((e) => `${e.subjectType}\u0000${e.subjectId}`));
    const subjects = new Map([...own, ...counts.map((c) => ({ type: c.subjectType, id: c.subjectId }))].map((s) => [`${s.type}\u0000${s.id}`, s]));
    return [...subjects].filter(([, s]) => only === undefined || s.id === only).map(([k, s]) => {
      const c = bySubject.get(k) ?? { pending: 0, decided: 0, superseded: 0 };
      const status: RunSubject["status"] = c.pending > 0 ? "waiting" : failedIds.has(k) || (row.status === "failed" && c.decided === 0) ? "failed"
        : c.decided + c.superseded > 0 || row.status !== "running" ? "done" : "running";
      return { ...s, status, pending: c.pending, decided: c.decided, superseded: c.superseded };
    });
  }

  /**
   * Opens the run's audit buffer and moves the run from `from` to running in one conditional
   * update, so two callers cannot both resume or retry it.
   */
  private async claimRun(runId: string, from: "waiting" | "failed"): Promise<RunRow> {
    // Refuses (409) a run this process is driving right now; closed again if the claim fails.
    this.services.audit.open(runId);
    try {
      const { rows } = await this.options.pool.query<RunRow>(
        "UPDATE runs SET status = 'running', result = NULL, error = NULL, updated_at = $3, instance_id = $4 WHERE id = $1 AND status = $2 RETURNING *",
        [runId, from, this.now(), this.instance.id],
      );
      const row = rows[0];
      if (row !== undefined) return row;
      const current = await this.runRow(runId);
      throw new ConflictError(from === "waiting" ? `Run ${runId} is ${current.status}, not waiting for a person` : `Run ${runId} is ${current.status}, not failed`);
    } catch (error) {
      this.services.audit.close(runId);
      throw error;
    }
  }

  /**
   * Drives a run (its audit buffer open; `opening` is its first entry) until it completes, fails
   * or waits; the run's buffered entries, its status change, any review items and (the first time
   * it waits or completes) its effects are written in one transaction at the end. Closes the buffer.
   */
  private async drive(row: RunRow, input: unknown, opening?: AuditInput): Promise<RunView> {
    const runId = row.id;
    const agent = row.agent;
    const audit = this.services.audit;
    const subject = { type: row.subject_type, id: row.subject_id };
    const ends = { runId, agent, subjectType: subject.type, subjectId: subject.id };
    // Runs to complete once this drive is over: those whose drafts this run's check superseded.
    let toClose: string[] = [];
    try {
      const graph = this.graphFor(agent);
      const config = { configurable: { thread_id: runId } };
      const durability = this.registry.get(agent).definition.durability ?? "exit";
      try {
        if (opening !== undefined) await audit.add([opening]);
        const stream = await graph.stream(input as never, { ...config, streamMode: ["updates", "values"], subgraphs: true, durability });
        let values: Record<string, unknown> = {};
        let interrupted = false;
        // The interrupts raised in this run, as they are streamed: a task still waiting on a person
        // raises its interrupt again whenever the run is resumed, so these are the ones pending.
        const raised = new Map<string, unknown>();
        for await (const [namespace, mode, chunk] of stream as AsyncIterable<[string[], "updates" | "values", Record<string, unknown>]>) {
          if (mode === "values") {
            // (A step that interrupts streams its interrupts as "values" too: not the state.)
            if (namespace.length === 0 && !("__interrupt__" in chunk)) values = chunk;
            continue;
          }
          // Updates LangGraph replays on a resume for tasks that finished in an earlier drive of the
          // run (marked cached) were recorded then: each step is recorded once.
          if ((chunk.__metadata__ as { cached?: boolean } | undefined)?.cached === true) continue;
          for (const [node, update] of Object.entries(chunk)) {
            if (node === "__interrupt__") {
              interrupted = true;
              if (namespace.length === 0) for (const i of update as { id?: string; value: unknown }[]) if (i.id !== undefined) raised.set(i.id, i.value);
              continue;
            }
            if (namespace.length === 0 && node === "agent") continue;
            await audit.record({ runId, agent, node, subject }, "node.step", {
              graph: namespace.length === 0 ? "platform" : "agent",
              updated: update !== null && typeof update === "object" ? Object.keys(update) : [],
            });
            crashPoint("run.step");
          }
        }
        // A run that paused: the interrupts it still waits on, with the state they refer to (the last streamed).
        const interrupts = interrupted ? [...raised].map(([id, value]) => ({ id, value })) : [];
        if (interrupted && interrupts.length === 0) throw new Error("The run paused without an interrupt of the platform's to review");
        const now = this.now();
        const editable = (type: string) => editableFields(this.registry.actionType(agent, type)).length > 0;
        const items = interrupts.map((i) => ({ interruptId: i.id, value: reviewInterruptFor(agent, values, i.value, editable) }));
        // The subjects this run checked (every proposal's, reviewed or not): its drafts supersede older runs' undecided ones.
        const checked = ((values as { proposals?: ProposedAction[] }).proposals ?? []).map((p) => p.subject);
        const ended = await audit.commit(runId, async (client) => {
          // (The review items' statements go first: the audit chain's lock is asked for right behind them.)
          const written = await insertReviewItems(client, { runId, agent }, items, now, checked);
          // The run's effects (its checks …) commit with its end, so a retry after a crash finds them only with the run ended.
          const effects = await this.writeEffects(client, runId, agent, values, now);
          toClose = written.supersededRuns;
          // A run still waits for a person unless every draft it waits on was superseded by a newer check.
          if (interrupts.length > 0 && !(await onlySupersededLeft(client, runId, interrupts.map((i) => i.id)))) {
            const value = await this.setStatus(runId, "waiting", null, null, client);
            return { value, entries: [...effects, ...written.entries, { ...ends, kind: "run.waiting", actor: "platform", payload: { interrupts: interrupts.length }, at: now }] };
          }
          const outcomes = (values as { outcomes?: unknown[] }).outcomes ?? [];
          const result = interrupts.length === 0 ? { outcomes } : { outcomes, superseded: interrupts.length };
          const value = await this.setStatus(runId, "completed", result, null, client);
          return { value, entries: [...effects, ...written.entries, { ...ends, kind: "run.completed", actor: "platform", payload: result, at: now }] };
        });
        crashPoint("run.ended");
        // Checked again once its buffer is closed: a newer check may have superseded its last drafts meanwhile.
        if (ended.status === "waiting") toClose = [...toClose, runId];
        return toView(ended);
      } catch (error) {
        const message = (error as Error).message;
        this.options.logger.error({ runId, agent, err: { name: (error as Error).name, message } }, "run failed");
        // What was buffered up to the failure, then run.failed, with the status: all or nothing.
        const failed = await audit.commit(runId, async (client) => ({
          value: await this.setStatus(runId, "failed", null, message, client),
          entries: [{ ...ends, kind: "run.failed", actor: "platform", payload: { error: message } }],
        }));
        return toView(failed);
      }
    } finally {
      audit.close(runId);
      await this.closeSuperseded(toClose);
      this.options.onRunEnd?.(runId);
    }
  }

  /**
   * Writes the run's effects from its state (AgentDefinition.writeEffects) in the transaction of
   * `client`, and returns their entries — only in the first drive that ends the run waiting or
   * completed (`runs.effects_written_at`, migration 0017): a resume or retry of the run has them
   * in its state again, already written.
   */
  private async writeEffects(client: pg.PoolClient, runId: string, agent: string, values: Record<string, unknown>, now: Date): Promise<AuditInput[]> {
    const { definition } = this.registry.get(agent);
    const effects = Array.isArray(values.effects) ? (values.effects as unknown[]) : [];
    if (definition.writeEffects === undefined || effects.length === 0) return [];
    const first = await client.query("UPDATE runs SET effects_written_at = $2 WHERE id = $1 AND effects_written_at IS NULL", [runId, now]);
    if (first.rowCount === 0) return [];
    return definition.writeEffects(effects, { client, runId, agent, now });
  }

  private graphFor(agent: string): PlatformGraph {
    let graph = this.graphs.get(agent);
    if (graph === undefined) {
      const { definition, deps } = this.registry.get(agent);
      graph = buildPlatformGraph(definition, deps, this.services, this.options.checkpointer, {
        offlineConfidenceCap: this.options.offlineConfidenceCap ?? 0.6,
      });
      this.graphs.set(agent, graph);
    }
    return graph;
  }

  private async runRow(runId: string): Promise<RunRow> {
    const { rows } = await this.options.pool.query<RunRow>("SELECT * FROM runs WHERE id = $1", [runId]);
    const row = rows[0];
    if (row === undefined) throw new NotFoundError(`No run ${runId}`);
    return row;
  }

  private async setStatus(runId: string, status: RunStatus, result: unknown, error: string | null, db: pg.Pool | pg.PoolClient = this.options.pool): Promise<RunRow> {
    const { rows } = await db.query<RunRow>("UPDATE runs SET status = $2, result = $3, error = $4, updated_at = $5 WHERE id = $1 RETURNING *", [
      runId, status, result === null ? null : JSON.stringify(toJson(result)), error, this.now(),
    ]);
    const row = rows[0];
    if (row === undefined) throw new NotFoundError(`No run ${runId}`);
    return row;
  }
}

function toView(row: RunRow): RunView {
  return {
    id: row.id, agent: row.agent, subject: { type: row.subject_type, id: row.subject_id }, status: row.status,
    error: row.error, result: row.result ?? null, createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString(),
  };
}
