/**
 * How nodes write to the audit log: tool calls (inputs, outputs), model calls (provider, model,
 * prompt id and version hash, tokens, latency) and decisions, each tied to run, agent and node.
 */
import type pg from "pg";
import { appendAudit, type AuditInput, type AuditKind } from "../governance/audit-log.js";
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

/** Writes run-scoped entries. */
export class AuditRecorder {
  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date,
  ) {}

  /** Appends one entry for a step. */
  async record(ctx: StepContext, kind: AuditKind, payload: unknown, actor = `agent:${ctx.agent}`): Promise<void> {
    await appendAudit(this.pool, [this.entry(ctx, kind, payload, actor)], this.now);
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
