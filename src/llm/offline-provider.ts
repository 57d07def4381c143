/**
 * The offline provider: no model. Each request's deterministic fallback (extraction by rules,
 * drafting from templates) runs and is recorded as `offline`; decisions drafted this way carry a
 * confidence cap so the gate sends them to people. Nothing pretends to be a model.
 */
import type { DraftRequest, ModelCallRecord, ModelClient, ModelResult, ModelTool, StructuredRequest, ToolCall } from "./types.js";
import type { RenderedPrompt } from "./prompts.js";

export class OfflineModel implements ModelClient {
  readonly provider = "offline" as const;
  readonly model = "offline-deterministic";

  readonly callBudgetMs = null;

  constructor(readonly confidenceCap: number = 0.6, readonly concurrency: number = 4) {}

  private record(prompt: RenderedPrompt, started: number, outcome: ModelCallRecord["outcome"]): ModelCallRecord {
    return { provider: "offline", model: this.model, promptId: prompt.id, promptVersion: prompt.version, promptHash: prompt.hash, inputTokens: 0, outputTokens: 0, latencyMs: Math.round(performance.now() - started), attempts: 1, repaired: false, outcome };
  }

  async structured<T>(req: StructuredRequest<T>): Promise<ModelResult<T>> {
    const started = performance.now();
    const value = req.offline();
    const parsed = req.schema.safeParse(value);
    if (!parsed.success) return { ok: false, error: { kind: "invalid_output", message: `offline extraction did not fit ${req.schemaName}` }, call: this.record(req.prompt, started, "invalid_output") };
    return { ok: true, value: parsed.data, call: this.record(req.prompt, started, "ok") };
  }

  async draft(req: DraftRequest): Promise<ModelResult<string>> {
    const started = performance.now();
    return { ok: true, value: req.offline(), call: this.record(req.prompt, started, "ok") };
  }

  async toolTurn(req: { prompt: RenderedPrompt; tools: ModelTool<unknown>[]; offline: () => ToolCall[] }): Promise<ModelResult<ToolCall[]>> {
    const started = performance.now();
    return { ok: true, value: req.offline(), call: this.record(req.prompt, started, "ok") };
  }
}
