/**
 * The model layer agents receive by injection. Providers: `openai` (OpenAI or any
 * OpenAI-compatible server) and `offline` (deterministic extraction and template drafting, with
 * confidence capped so its drafts go to people). Every call yields a record for the audit log;
 * nothing acts on model output that did not validate.
 */
import type { z } from "zod";
import type { CallBatch } from "./call-limit.js";
import type { RenderedPrompt } from "./prompts.js";

/** What the audit log keeps of a model call. */
export interface ModelCallRecord {
  provider: "openai" | "offline";
  model: string;
  promptId: string;
  promptVersion: string;
  promptHash: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  attempts: number;
  repaired: boolean;
  outcome: "ok" | "invalid_output" | "timeout" | "upstream";
}

/** A failed call: the caller escalates to a person. */
export interface ModelFailure {
  kind: "invalid_output" | "timeout" | "upstream";
  message: string;
}

/** A call's result: a validated value, or a failure — both with the call record. */
export type ModelResult<T> = { ok: true; value: T; call: ModelCallRecord } | { ok: false; error: ModelFailure; call: ModelCallRecord };

/**
 * What a call may share with the other calls of a batch: once one of them timed out on every
 * attempt, the rest fail at once, so a hanging model costs the batch about one call's budget
 * (`ModelClient.callBudgetMs`), not one per call.
 */
export interface BatchedCall {
  batch?: CallBatch;
}

/** A structured-output request. `offline` is the deterministic fallback the offline provider runs. */
export interface StructuredRequest<T> extends BatchedCall {
  schema: z.ZodType<T>;
  schemaName: string;
  prompt: RenderedPrompt;
  offline: () => T;
}

/** A free-text drafting request (letters, notes). */
export interface DraftRequest extends BatchedCall {
  prompt: RenderedPrompt;
  offline: () => string;
}

/** A tool the model may call, with its argument schema. */
export interface ModelTool<A> {
  name: string;
  description: string;
  schema: z.ZodType<A>;
}

/** One validated tool call. */
export interface ToolCall {
  name: string;
  args: unknown;
  id: string | null;
}

/** The model, as agents see it. */
export interface ModelClient {
  readonly provider: "openai" | "offline";
  readonly model: string;
  /** Confidence ceiling for decisions drafted by this provider (offline: the configured cap). */
  readonly confidenceCap: number | null;
  /** Most requests in flight at once (`LLM_CONCURRENCY`); callers fan a batch out up to it. */
  readonly concurrency: number;
  /** Each call's deadline from its start: timeout × (1 + retries) plus backoff; null offline. */
  readonly callBudgetMs: number | null;
  structured<T>(req: StructuredRequest<T>): Promise<ModelResult<T>>;
  draft(req: DraftRequest): Promise<ModelResult<string>>;
  /** One tool-calling turn; every call's arguments are validated with its tool's schema. */
  toolTurn(req: { prompt: RenderedPrompt; tools: ModelTool<unknown>[]; offline: () => ToolCall[] } & BatchedCall): Promise<ModelResult<ToolCall[]>>;
}
