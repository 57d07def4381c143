/**
 * The OpenAI provider: `ChatOpenAI` against OpenAI or any OpenAI-compatible server (vLLM,
 * Ollama, llama.cpp, Azure) through a base URL. Our own retry loop (so it is recorded and
 * testable): 429, 5xx and timeouts are retried with exponential backoff and jitter, honouring
 * Retry-After, at most `maxRetries` times. At most `concurrency` requests are in flight at once
 * (a slot is held per attempt, not during backoff); a call never outlives its deadline (an
 * attempt is cut short at it, a wait that would pass it is not started); and a call of a batch
 * whose model stopped answering fails at once (`CallBatch`).
 * Structured output is requested per the configured method and validated with zod; invalid
 * output gets one repair attempt, then the call fails as `invalid_output` and the caller
 * escalates to a person.
 */
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import { CallLimit, DeadlineExceeded, remainingMs, type CallBatch } from "./call-limit.js";
import type { RenderedPrompt } from "./prompts.js";
import type { BatchedCall, DraftRequest, ModelCallRecord, ModelClient, ModelFailure, ModelResult, ModelTool, StructuredRequest, ToolCall } from "./types.js";

/** Settings of the OpenAI provider. */
export interface OpenAiSettings {
  apiKey: string;
  baseUrl?: string;
  model: string;
  structuredMethod: "jsonSchema" | "functionCalling" | "jsonMode";
  timeoutMs: number;
  maxRetries: number;
  /** Most requests in flight at once (default 4). */
  concurrency?: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

interface Attempted<T> {
  value?: T;
  failure?: ModelFailure;
  attempts: number;
  inputTokens: number;
  outputTokens: number;
}

const statusOf = (e: unknown): number | undefined => {
  const x = e as { status?: unknown; response?: { status?: unknown }; lc_error_code?: string };
  return typeof x.status === "number" ? x.status : typeof x.response?.status === "number" ? x.response.status : undefined;
};
const isTimeout = (e: unknown): boolean => /timed? ?out|timeout|aborted/i.test(`${(e as Error).name} ${(e as Error).message}`);
const retryAfterMs = (e: unknown): number | null => {
  const headers = (e as { headers?: Record<string, string> | Headers }).headers;
  const value = headers instanceof Headers ? headers.get("retry-after") : headers?.["retry-after"];
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 && value !== undefined && value !== null ? n * 1000 : null;
};

/** Backoff before retry `n` (1-based): exponential from 500 ms, at most 8 s, plus up to 250 ms of jitter. */
const backoffMs = (n: number): number => Math.min(500 * 2 ** (n - 1), 8_000) + Math.floor(Math.random() * 250);

export class OpenAiModel implements ModelClient {
  readonly provider = "openai" as const;
  readonly confidenceCap = null;
  readonly concurrency: number;
  /** timeout × (1 + retries) plus the longest backoff between them. */
  readonly callBudgetMs: number;
  private readonly chat: ChatOpenAI;
  private readonly limit: CallLimit;

  constructor(private readonly settings: OpenAiSettings) {
    this.chat = new ChatOpenAI({
      model: settings.model, apiKey: settings.apiKey, timeout: settings.timeoutMs, maxRetries: 0, temperature: 0, useResponsesApi: false,
      configuration: settings.baseUrl === undefined ? undefined : { baseURL: settings.baseUrl },
    });
    this.concurrency = settings.concurrency ?? 4;
    this.limit = new CallLimit(this.concurrency);
    let backoff = 0;
    for (let n = 1; n <= settings.maxRetries; n += 1) backoff += Math.min(500 * 2 ** (n - 1), 8_000) + 250;
    this.callBudgetMs = settings.timeoutMs * (1 + settings.maxRetries) + backoff;
  }

  get model(): string {
    return this.settings.model;
  }

  /** Calls the model with bounded retries on 429/5xx/timeouts, within the bound on requests in flight and the deadline. */
  private async invoke(messages: BaseMessage[], options: Record<string, unknown>, tally: Attempted<unknown>, deadlineAt: number, batch?: CallBatch): Promise<AIMessage> {
    const sleep = this.settings.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    let timedOut = 0;
    for (;;) {
      if (batch?.unresponsive != null) throw new DeadlineExceeded(`not sent: ${batch.unresponsive}`);
      if (remainingMs(deadlineAt) <= 0) throw this.giveUp(new DeadlineExceeded("the call's deadline passed before the model answered"), timedOut, tally, batch);
      const release = await this.limit.acquire(deadlineAt).catch((e: unknown) => { throw this.giveUp(e, timedOut, tally, batch); });
      if (batch?.unresponsive != null) {
        release();
        throw new DeadlineExceeded(`not sent: ${batch.unresponsive}`);
      }
      tally.attempts += 1;
      try {
        const left = remainingMs(deadlineAt);
        // An attempt that would outlive the deadline is cut short at it.
        const signal = left < this.settings.timeoutMs ? AbortSignal.timeout(Math.max(1, Math.floor(left))) : undefined;
        const res = await this.chat.invoke(messages, signal === undefined ? options : { ...options, signal });
        tally.inputTokens += res.usage_metadata?.input_tokens ?? 0;
        tally.outputTokens += res.usage_metadata?.output_tokens ?? 0;
        return res;
      } catch (error) {
        if (isTimeout(error)) timedOut += 1;
        const status = statusOf(error);
        const retryable = status === 429 || (status !== undefined && status >= 500) || isTimeout(error);
        if (!retryable || tally.attempts > this.settings.maxRetries) throw this.giveUp(error, timedOut, tally, batch);
        const wait = retryAfterMs(error) ?? backoffMs(tally.attempts);
        // A wait that would pass the deadline is not worth starting: the last error stands.
        if (wait >= remainingMs(deadlineAt)) throw this.giveUp(error, timedOut, tally, batch);
        release();
        await sleep(wait);
      } finally {
        release();
      }
    }
  }

  /** A call that gets no answer on any attempt trips its batch's breaker. */
  private giveUp(error: unknown, timedOut: number, tally: Attempted<unknown>, batch?: CallBatch): unknown {
    if (batch !== undefined && isTimeout(error) && tally.attempts > 0 && timedOut === tally.attempts) {
      batch.unresponsive ??= `the model answered no attempt of an earlier call of this batch (${tally.attempts} attempt${tally.attempts === 1 ? "" : "s"})`;
    }
    return error;
  }

  private record(prompt: RenderedPrompt, started: number, t: Attempted<unknown>, repaired: boolean, outcome: ModelCallRecord["outcome"]): ModelCallRecord {
    return { provider: "openai", model: this.settings.model, promptId: prompt.id, promptVersion: prompt.version, promptHash: prompt.hash, inputTokens: t.inputTokens, outputTokens: t.outputTokens, latencyMs: Math.round(performance.now() - started), attempts: t.attempts, repaired, outcome };
  }

  private fail<T>(prompt: RenderedPrompt, started: number, t: Attempted<unknown>, repaired: boolean, error: unknown): ModelResult<T> {
    const kind: ModelFailure["kind"] = isTimeout(error) ? "timeout" : "upstream";
    return { ok: false, error: { kind, message: (error as Error).message }, call: this.record(prompt, started, t, repaired, kind) };
  }

  private messages(prompt: RenderedPrompt): BaseMessage[] {
    return [...(prompt.system === "" ? [] : [new SystemMessage(prompt.system)]), new HumanMessage(prompt.user)];
  }

  async structured<T>(req: StructuredRequest<T>): Promise<ModelResult<T>> {
    const started = performance.now();
    // The repair round shares the call's deadline.
    const deadlineAt = started + this.callBudgetMs;
    const tally: Attempted<unknown> = { attempts: 0, inputTokens: 0, outputTokens: 0 };
    const jsonSchema = z.toJSONSchema(req.schema) as Record<string, unknown>;
    const options: Record<string, unknown> =
      this.settings.structuredMethod === "jsonSchema" ? { response_format: { type: "json_schema", json_schema: { name: req.schemaName, schema: jsonSchema, strict: false } } }
        : this.settings.structuredMethod === "jsonMode" ? { response_format: { type: "json_object" } }
          : { tools: [{ type: "function", function: { name: req.schemaName, description: `Return the ${req.schemaName}`, parameters: jsonSchema } }], tool_choice: { type: "function", function: { name: req.schemaName } } };
    const messages = this.messages(req.prompt);
    if (this.settings.structuredMethod === "jsonMode") messages.push(new HumanMessage(`Answer with JSON only, matching this schema: ${JSON.stringify(jsonSchema)}`));
    let repaired = false;
    for (let round = 0; round < 2; round += 1) {
      let raw: string;
      try {
        const res = await this.invoke(messages, options, tally, deadlineAt, req.batch);
        raw = this.settings.structuredMethod === "functionCalling" ? JSON.stringify(res.tool_calls?.[0]?.args ?? null) : String(res.content);
      } catch (error) {
        // LangChain parses json_schema answers itself; malformed JSON surfaces as a SyntaxError.
        if (!(error instanceof SyntaxError)) return this.fail(req.prompt, started, tally, repaired, error);
        raw = "";
      }
      const problem = validate(req.schema, raw);
      if (problem.ok) return { ok: true, value: problem.value, call: this.record(req.prompt, started, tally, repaired, "ok") };
      if (round === 1) break;
      // One repair attempt: show the model what was wrong.
      repaired = true;
      if (raw !== "") messages.push(new AIMessage(raw));
      messages.push(new HumanMessage(`Your previous output was invalid: ${problem.message}. Reply again with corrected JSON only.`));
    }
    return { ok: false, error: { kind: "invalid_output", message: `output did not match ${req.schemaName} after one repair attempt` }, call: this.record(req.prompt, started, tally, repaired, "invalid_output") };
  }

  async draft(req: DraftRequest): Promise<ModelResult<string>> {
    const started = performance.now();
    const tally: Attempted<unknown> = { attempts: 0, inputTokens: 0, outputTokens: 0 };
    try {
      const res = await this.invoke(this.messages(req.prompt), {}, tally, performance.now() + this.callBudgetMs, req.batch);
      const text = String(res.content).trim();
      if (text === "") return { ok: false, error: { kind: "invalid_output", message: "empty draft" }, call: this.record(req.prompt, started, tally, false, "invalid_output") };
      return { ok: true, value: text, call: this.record(req.prompt, started, tally, false, "ok") };
    } catch (error) {
      return this.fail(req.prompt, started, tally, false, error);
    }
  }

  async toolTurn(req: { prompt: RenderedPrompt; tools: ModelTool<unknown>[]; offline: () => ToolCall[] } & BatchedCall): Promise<ModelResult<ToolCall[]>> {
    const started = performance.now();
    const tally: Attempted<unknown> = { attempts: 0, inputTokens: 0, outputTokens: 0 };
    const tools = req.tools.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: z.toJSONSchema(t.schema) } }));
    let res: AIMessage;
    try {
      res = await this.invoke(this.messages(req.prompt), { tools }, tally, performance.now() + this.callBudgetMs, req.batch);
    } catch (error) {
      return this.fail(req.prompt, started, tally, false, error);
    }
    const calls: ToolCall[] = [];
    for (const c of res.tool_calls ?? []) {
      const tool = req.tools.find((t) => t.name === c.name);
      const parsed = tool?.schema.safeParse(c.args);
      if (tool === undefined || parsed === undefined || !parsed.success) {
        return { ok: false, error: { kind: "invalid_output", message: `tool call ${c.name} ${tool === undefined ? "names no known tool" : "has invalid arguments"}` }, call: this.record(req.prompt, started, tally, false, "invalid_output") };
      }
      calls.push({ name: c.name, args: parsed.data, id: c.id ?? null });
    }
    return { ok: true, value: calls, call: this.record(req.prompt, started, tally, false, "ok") };
  }
}

/**
 * The model's text without a Markdown code fence around it (```json … ```). Trimmed and sliced
 * rather than matched with `\s*```$`, which is quadratic on a long run of blanks.
 */
export function withoutFence(raw: string): string {
  let text = raw.trim();
  if (text.startsWith("```")) text = text.slice(text.startsWith("```json") ? 7 : 3);
  if (text.endsWith("```")) text = text.slice(0, -3);
  return text;
}

function validate<T>(schema: z.ZodType<T>, raw: string): { ok: true; value: T } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(withoutFence(raw));
  } catch {
    return { ok: false, message: "it is not valid JSON" };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ") };
}
