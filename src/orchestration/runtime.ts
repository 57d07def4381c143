/**
 * The agent runtime: starts runs (one LangGraph thread each), records every node step, turns a
 * pause at `interrupt()` into a review item, resumes a run when staff decide, and recovers runs
 * whose decision landed just before a restart.
 */
import { randomUUID } from "node:crypto";
import { Command, type BaseCheckpointSaver } from "@langchain/langgraph";
import type { Logger } from "pino";
import type pg from "pg";
import { z } from "zod";
import { ConflictError, NotFoundError } from "../../tools/errors.js";
import { appendAudit, queryAudit, type AuditEntry } from "../governance/audit-log.js";
import { DEFAULT_AUTONOMY_POLICY, demoteIfBelow, type AutonomyPolicy } from "../governance/autonomy.js";
import { toJson } from "../governance/canonical-json.js";
import { createReviewItem, decidedReviewsOfWaitingRuns, getReviewItem, listReviewItems, recordDecision, type ReviewItem } from "../governance/reviews.js";
import type { PlatformServices } from "./agent-definition.js";
import { AuditRecorder } from "./audit-recorder.js";
import type { Subject } from "./decision.js";
import type { PlatformInterrupt, ReviewDecision } from "./human-review.js";
import { buildPlatformGraph, type PlatformGraph } from "./platform-graph.js";
import type { AgentRegistry } from "./registry.js";

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

/** Runtime settings. */
export interface RuntimeOptions {
  pool: pg.Pool;
  checkpointer: BaseCheckpointSaver;
  registry: AgentRegistry;
  logger: Logger;
  now?: () => Date;
  policy?: AutonomyPolicy;
  offlineConfidenceCap?: number;
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

  constructor(private readonly options: RuntimeOptions) {
    this.now = options.now ?? (() => new Date());
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
    const inserted = await this.options.pool.query(
      `INSERT INTO runs (id, agent, subject_type, subject_id, status, input, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'running', $5, $6, $6) ON CONFLICT (id) DO NOTHING`,
      [runId, agent, subject.type, subject.id, JSON.stringify(toJson(workItem)), now],
    );
    if (inserted.rowCount === 0) throw new ConflictError(`Run ${runId} already exists`);
    await appendAudit(this.options.pool, [{
      kind: "run.started", actor: `agent:${agent}`, runId, agent, subjectType: subject.type, subjectId: subject.id, payload: { workItem },
    }], this.now);
    return this.drive(runId, agent, { runId, workItem });
  }

  /** Records staff's decision on a review item and resumes its run. */
  async decide(reviewId: string, decision: ReviewDecision, actor: string): Promise<{ review: ReviewItem; run: RunView }> {
    const item = await getReviewItem(this.options.pool, reviewId);
    const actionType = this.registry.actionType(item.agent, item.actionType);
    const review = await recordDecision(this.options.pool, reviewId, decision, actor, actionType.payloadSchema, this.now());
    const run = await this.resume(item.runId, decision);
    await demoteIfBelow(this.options.pool, item.agent, this.policy, this.now());
    return { review, run };
  }

  /** Re-drives a failed run from its last checkpoint (the executor keeps actions at most once). */
  async retry(runId: string): Promise<RunView> {
    const row = await this.runRow(runId);
    if (row.status !== "failed") throw new ConflictError(`Run ${runId} is ${row.status}, not failed`);
    await this.setStatus(runId, "running", null, null);
    return this.drive(runId, row.agent, null);
  }

  /** Resumes runs whose review was decided but which did not resume (e.g. the process stopped). */
  async recover(): Promise<number> {
    let resumed = 0;
    for (const pending of await decidedReviewsOfWaitingRuns(this.options.pool)) {
      const row = await this.runRow(pending.runId);
      const state = await this.graphFor(row.agent).getState({ configurable: { thread_id: row.id } });
      const waitingOn = state.tasks.flatMap((t) => t.interrupts.map((i) => i.id));
      if (!waitingOn.includes(pending.interruptId)) continue;
      await this.resume(row.id, pending.decision);
      resumed += 1;
    }
    return resumed;
  }

  /** A run with its audit trail and review items. */
  async getRun(runId: string): Promise<{ run: RunView; steps: AuditEntry[]; reviews: ReviewItem[]; state: unknown }> {
    const row = await this.runRow(runId);
    const [steps, reviews] = await Promise.all([
      queryAudit(this.options.pool, { runId, limit: 10_000 }),
      listReviewItems(this.options.pool, { runId }),
    ]);
    let state: unknown = null;
    if (this.registry.list().some((d) => d.id === row.agent)) {
      const snapshot = await this.graphFor(row.agent).getState({ configurable: { thread_id: runId } });
      const values = snapshot.values as Record<string, unknown>;
      state = { next: snapshot.next, proposals: values.proposals ?? [], outcomes: values.outcomes ?? [] };
    }
    return { run: toView(row), steps, reviews, state };
  }

  private async resume(runId: string, decision: ReviewDecision): Promise<RunView> {
    const row = await this.runRow(runId);
    if (row.status !== "waiting") throw new ConflictError(`Run ${runId} is ${row.status}, not waiting for a person`);
    await this.setStatus(runId, "running", null, null);
    await appendAudit(this.options.pool, [{
      kind: "run.resumed", actor: "platform", runId, agent: row.agent, subjectType: row.subject_type, subjectId: row.subject_id,
      payload: { decision: decision.type },
    }], this.now);
    return this.drive(runId, row.agent, new Command({ resume: decision }));
  }

  private async drive(runId: string, agent: string, input: unknown): Promise<RunView> {
    const graph = this.graphFor(agent);
    const config = { configurable: { thread_id: runId } };
    const row = await this.runRow(runId);
    const subject = { type: row.subject_type, id: row.subject_id };
    try {
      const stream = await graph.stream(input as never, { ...config, streamMode: "updates", subgraphs: true, durability: "sync" });
      for await (const [namespace, chunk] of stream as AsyncIterable<[string[], Record<string, unknown>]>) {
        for (const [node, update] of Object.entries(chunk)) {
          if (node === "__interrupt__" || (namespace.length === 0 && node === "agent")) continue;
          await this.services.audit.record({ runId, agent, node, subject }, "node.step", {
            graph: namespace.length === 0 ? "platform" : "agent",
            updated: update !== null && typeof update === "object" ? Object.keys(update) : [],
          });
        }
      }
      const snapshot = await graph.getState(config);
      const interrupts = snapshot.tasks.flatMap((t) => t.interrupts);
      if (interrupts.length > 0) {
        for (const i of interrupts) {
          if (i.id === undefined) continue;
          await createReviewItem(this.options.pool, { runId, agent, interruptId: i.id }, i.value as PlatformInterrupt, this.now());
        }
        await this.setStatus(runId, "waiting", null, null);
        await appendAudit(this.options.pool, [{ kind: "run.waiting", actor: "platform", runId, agent, subjectType: subject.type, subjectId: subject.id, payload: { interrupts: interrupts.length } }], this.now);
      } else {
        const outcomes = (snapshot.values as { outcomes?: unknown[] }).outcomes ?? [];
        await this.setStatus(runId, "completed", { outcomes }, null);
        await appendAudit(this.options.pool, [{ kind: "run.completed", actor: "platform", runId, agent, subjectType: subject.type, subjectId: subject.id, payload: { outcomes } }], this.now);
      }
    } catch (error) {
      const message = (error as Error).message;
      this.options.logger.error({ runId, agent, err: { name: (error as Error).name, message } }, "run failed");
      await this.setStatus(runId, "failed", null, message);
      await appendAudit(this.options.pool, [{ kind: "run.failed", actor: "platform", runId, agent, subjectType: subject.type, subjectId: subject.id, payload: { error: message } }], this.now);
    }
    return toView(await this.runRow(runId));
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

  private async setStatus(runId: string, status: RunStatus, result: unknown, error: string | null): Promise<void> {
    await this.options.pool.query("UPDATE runs SET status = $2, result = $3, error = $4, updated_at = $5 WHERE id = $1", [
      runId, status, result === null ? null : JSON.stringify(toJson(result)), error, this.now(),
    ]);
  }
}

function toView(row: RunRow): RunView {
  return {
    id: row.id, agent: row.agent, subject: { type: row.subject_type, id: row.subject_id }, status: row.status,
    error: row.error, result: row.result ?? null, createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString(),
  };
}
