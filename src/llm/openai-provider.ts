/**
 * The OpenAI provider: `ChatOpenAI` against OpenAI or any OpenAI-compatible server (vLLM,
 * Ollama, llama.cpp, Azure) through a base URL. Our own retry loop (so it is recorded and
 * testable): 429, 5xx and timeouts are retried with exponential backoff and jitter, honouring
 * Retry-After. Structured output is requested per the configured method and validated with zod;
 * invalid output gets one repair attempt, then the call fails as `invalid_output` and the caller
 * escalates to a person.
 */
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import type { RenderedPrompt } from "./prompts.js";
import type { DraftRequest, ModelCallRecord, ModelClient, ModelFailure, ModelResult, ModelTool, StructuredRequest, ToolCall } from "./types.js";

/** Settings of the OpenAI provider. */
export interface OpenAiSettings {
  apiKey: string;
  baseUrl?: string;
  model: string;
  structuredMethod: "jsonSchema" | "functionCalling" | "jsonMode";
  timeoutMs: number;
  maxRetries: number;
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

export class OpenAiModel implements ModelClient {
  readonly provider = "openai" as const;
  readonly confidenceCap = null;
  private readonly chat: ChatOpenAI;

  constructor(private readonly settings: OpenAiSettings) {
    this.chat = new ChatOpenAI({
      model: settings.model, apiKey: settings.apiKey, timeout: settings.timeoutMs, maxRetries: 0, temperature: 0, useResponsesApi: false,
      configuration: settings.baseUrl === undefined ? undefined : { baseURL: settings.baseUrl },
    });
  }

  get model(): string {
    return this.settings.model;
  }

  /** Calls the model with retries on 429/5xx/timeouts. */
  private async invoke(messages: BaseMessage[], options: Record<string, unknown>, tally: Attempted<unknown>): Promise<AIMessage> {
    const sleep = this.settings.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    for (;;) {
      tally.attempts += 1;
      try {
        const res = await this.chat.invoke(messages, options);
        tally.inputTokens += res.usage_metadata?.input_tokens ?? 0;
        tally.outputTokens += res.usage_metadata?.output_tokens ?? 0;
        return res;
      } catch (error) {
        const status = statusOf(error);
        const retryable = status === 429 || (status !== undefined && status >= 500) || isTimeout(error);
        if (!retryable || tally.attempts > this.settings.maxRetries) throw error;
        const backoff = Math.min(500 * 2 ** (tally.attempts - 1), 8_000) + Math.floor(Math.random() * 250);
        await sleep(retryAfterMs(error) ?? backoff);
      }
    }
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
        const res = await this.invoke(messages, options, tally);
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
      const res = await this.invoke(this.messages(req.prompt), {}, tally);
      const text = String(res.content).trim();
      if (text === "") return { ok: false, error: { kind: "invalid_output", message: "empty draft" }, call: this.record(req.prompt, started, tally, false, "invalid_output") };
      return { ok: true, value: text, call: this.record(req.prompt, started, tally, false, "ok") };
    } catch (error) {
      return this.fail(req.prompt, started, tally, false, error);
    }
  }

  async toolTurn(req: { prompt: RenderedPrompt; tools: ModelTool<unknown>[]; offline: () => ToolCall[] }): Promise<ModelResult<ToolCall[]>> {
    const started = performance.now();
    const tally: Attempted<unknown> = { attempts: 0, inputTokens: 0, outputTokens: 0 };
    const tools = req.tools.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: z.toJSONSchema(t.schema) } }));
    let res: AIMessage;
    try {
      res = await this.invoke(this.messages(req.prompt), { tools }, tally);
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

function validate<T>(schema: z.ZodType<T>, raw: string): { ok: true; value: T } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw.replace(/^```(?:json)?\s*|\s*```$/g, ""));
  } catch {
    return { ok: false, message: "it is not valid JSON" };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ") };
}
