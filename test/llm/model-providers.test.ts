import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "../../src/config.js";
import { CallBatch } from "../../src/llm/call-limit.js";
import { createModelClient } from "../../src/llm/create-model-client.js";
import { OfflineModel } from "../../src/llm/offline-provider.js";
import { OpenAiModel, type OpenAiSettings } from "../../src/llm/openai-provider.js";
import { loadPrompt, parsePromptTemplate, renderPrompt } from "../../src/llm/prompts.js";
import { FakeOpenAiServer } from "../helpers/fake-openai-server.js";

const Justification = z.object({ diagnosis: z.string(), stage: z.string(), biomarkers: z.array(z.string()) });
const prompt = renderPrompt(parsePromptTemplate("---\nid: test.extract\nversion: 1\n---\n## system\nYou extract.\n## user\nNote: {{note}}", "inline"), { note: "Stage IV NSCLC, PD-L1 60%" });
const valid = { diagnosis: "NSCLC", stage: "IV", biomarkers: ["PD-L1 60%"] };
const offline = () => valid;

describe("OpenAI provider against a local server speaking the chat-completions API", () => {
  let server: FakeOpenAiServer;
  let sleeps: number[];
  const model = (over: Partial<OpenAiSettings> = {}) => new OpenAiModel({
    apiKey: "test-key", baseUrl: server.url, model: "test-model", structuredMethod: "jsonSchema", timeoutMs: 2_000, maxRetries: 2,
    sleep: async (ms) => { sleeps.push(ms); }, ...over,
  });
  beforeEach(async () => {
    server = new FakeOpenAiServer();
    sleeps = [];
    await server.start();
  });
  afterEach(async () => server.stop());

  it("structured output valid on the first try, with token usage and the prompt's version hash recorded", async () => {
    server.reply({ kind: "content", content: JSON.stringify(valid), inputTokens: 42, outputTokens: 9 });
    const r = await model().structured({ schema: Justification, schemaName: "justification", prompt, offline });
    expect(r).toMatchObject({ ok: true, value: valid, call: { provider: "openai", model: "test-model", inputTokens: 42, outputTokens: 9, attempts: 1, repaired: false, outcome: "ok", promptId: "test.extract", promptHash: prompt.hash } });
    const sent = server.requests[0]!.body as { response_format: { type: string; json_schema: { name: string } }; messages: { role: string }[] };
    expect(sent.response_format).toMatchObject({ type: "json_schema", json_schema: { name: "justification" } });
    expect(sent.messages.map((m) => m.role)).toEqual(["system", "user"]);
  });

  it("malformed JSON gets one repair attempt that succeeds", async () => {
    server.reply({ kind: "content", content: "{not json" }, { kind: "content", content: JSON.stringify(valid) });
    const r = await model().structured({ schema: Justification, schemaName: "justification", prompt, offline });
    expect(r).toMatchObject({ ok: true, call: { repaired: true, outcome: "ok" } });
    const repairMessages = (server.requests[1]!.body.messages as { content: string }[]).map((m) => m.content);
    expect(repairMessages.at(-1)).toMatch(/not valid JSON/);
  });

  it("malformed twice → invalid_output (the caller escalates), never a value", async () => {
    server.reply({ kind: "content", content: "{not json" }, { kind: "content", content: JSON.stringify({ diagnosis: 3 }) });
    const r = await model().structured({ schema: Justification, schemaName: "justification", prompt, offline });
    expect(r).toMatchObject({ ok: false, error: { kind: "invalid_output" }, call: { repaired: true, outcome: "invalid_output" } });
    expect("value" in r).toBe(false);
  });

  it("429 then success: retried after Retry-After, attempts recorded", async () => {
    server.reply({ kind: "status", status: 429, retryAfter: 3 }, { kind: "content", content: JSON.stringify(valid) });
    const r = await model().structured({ schema: Justification, schemaName: "justification", prompt, offline });
    expect(r).toMatchObject({ ok: true, call: { attempts: 2 } });
    expect(sleeps).toEqual([3000]);
  });

  it("500 then success: retried with backoff", async () => {
    server.reply({ kind: "status", status: 500 }, { kind: "content", content: "Dear reviewer, …" });
    const r = await model().draft({ prompt, offline: () => "template" });
    expect(r).toMatchObject({ ok: true, value: "Dear reviewer, …", call: { attempts: 2 } });
    expect(sleeps[0]).toBeGreaterThanOrEqual(500);
  });

  it("a 400 is not retried and is an upstream failure", async () => {
    server.reply({ kind: "status", status: 400 });
    const r = await model().draft({ prompt, offline: () => "template" });
    expect(r).toMatchObject({ ok: false, error: { kind: "upstream" }, call: { attempts: 1 } });
  });

  it("timeout: retried, then a timeout failure", async () => {
    server.reply({ kind: "hang" }, { kind: "hang" });
    const r = await model({ timeoutMs: 300, maxRetries: 1 }).structured({ schema: Justification, schemaName: "justification", prompt, offline });
    expect(r).toMatchObject({ ok: false, error: { kind: "timeout" }, call: { attempts: 2, outcome: "timeout" } });
  });

  it("tool calls: arguments validated with each tool's schema; invalid arguments fail the turn", async () => {
    const tools = [{ name: "lookup_units", description: "Units for a dose", schema: z.object({ hcpcs: z.string(), dose: z.string() }) }];
    server.reply({ kind: "tool_calls", calls: [{ name: "lookup_units", args: { hcpcs: "J9267", dose: "332.5 mg" } }] });
    const ok = await model().toolTurn({ prompt, tools, offline: () => [] });
    expect(ok).toMatchObject({ ok: true, value: [{ name: "lookup_units", args: { hcpcs: "J9267", dose: "332.5 mg" }, id: "call_0" }] });
    expect((server.requests[0]!.body.tools as { function: { name: string } }[])[0]!.function.name).toBe("lookup_units");
    server.reply({ kind: "tool_calls", calls: [{ name: "lookup_units", args: { hcpcs: 9267 } }] });
    expect(await model().toolTurn({ prompt, tools, offline: () => [] })).toMatchObject({ ok: false, error: { kind: "invalid_output" } });
  });

  it("function-calling structured output reads the tool arguments", async () => {
    server.reply({ kind: "tool_calls", calls: [{ name: "justification", args: valid }] });
    const r = await model({ structuredMethod: "functionCalling" }).structured({ schema: Justification, schemaName: "justification", prompt, offline });
    expect(r).toMatchObject({ ok: true, value: valid });
    expect(server.requests[0]!.body.tool_choice).toMatchObject({ function: { name: "justification" } });
  });
});

describe("OpenAI provider: calls under a bound, each with its timeout, bounded retries and deadline, a batch's sharing a breaker", () => {
  let server: FakeOpenAiServer;
  beforeEach(async () => {
    server = new FakeOpenAiServer();
    await server.start();
  });
  afterEach(async () => server.stop());
  const real = (over: Partial<OpenAiSettings>) => new OpenAiModel({
    apiKey: "test-key", baseUrl: server.url, model: "test-model", structuredMethod: "jsonSchema", timeoutMs: 2_000, maxRetries: 1, ...over,
  });
  const call = (m: OpenAiModel, batch?: CallBatch) => m.structured({ schema: Justification, schemaName: "justification", prompt, offline, batch });

  it("at most LLM_CONCURRENCY requests are in flight; the rest wait for a slot", async () => {
    server.respondWith(() => ({ kind: "content", content: JSON.stringify(valid), delayMs: 150 }));
    const m = real({ concurrency: 2 });
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 6 }, () => call(m)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(server.maxInFlight).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 140);
  });

  it("a hanging model: a batch's calls run concurrently and, once one got no answer on any attempt, the rest fail unsent — about timeout × (1 + retries) for the batch", async () => {
    server.respondWith(() => ({ kind: "hang" }));
    const m = real({ timeoutMs: 200, maxRetries: 1, concurrency: 3 });
    // 200 ms × 2 attempts, plus at most 750 ms of backoff.
    expect(m.callBudgetMs).toBe(1_150);
    const batch = new CallBatch();
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 9 }, () => call(m, batch)));
    const elapsed = performance.now() - started;
    expect(results.map((r) => (r.ok ? "ok" : r.error.kind))).toEqual(Array(9).fill("timeout"));
    expect(elapsed).toBeLessThan(m.callBudgetMs + 400);
    // No call made more than 1 + retries attempts, and once the first calls got no answer the rest
    // stopped: fewer requests than every call making every attempt (18).
    for (const r of results) expect(r.call.attempts).toBeLessThanOrEqual(2);
    expect(server.requests.length).toBeLessThan(18);
    expect(batch.unresponsive).toMatch(/answered no attempt/);
    // A call of the batch made after that is not sent at all.
    const late = await call(m, batch);
    expect(late).toMatchObject({ ok: false, error: { kind: "timeout", message: expect.stringMatching(/^not sent: the model answered no attempt of an earlier call of this batch/) }, call: { attempts: 0 } });
  });

  it("a slow model that answers trips nothing: every call of the batch gets its answer", async () => {
    server.respondWith(() => ({ kind: "content", content: JSON.stringify(valid), delayMs: 120 }));
    // Answers take 120 ms, the deadline is far beyond them: with two test files at once on two cores
    // a 1 s deadline (four rounds of two, 480 ms) was missed once under load; what is tested is that
    // slowness alone trips nothing.
    const m = real({ timeoutMs: 5_000, maxRetries: 0, concurrency: 2 });
    const batch = new CallBatch();
    const results = await Promise.all(Array.from({ length: 8 }, () => call(m, batch)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(batch.unresponsive).toBeNull();
  });

  it("each call has its deadline: a 429 whose Retry-After is beyond it fails at once instead of waiting it out", async () => {
    server.respondWith(() => ({ kind: "status", status: 429, retryAfter: 30 }));
    const started = performance.now();
    const r = await call(real({ timeoutMs: 500, maxRetries: 3 }));
    expect(r).toMatchObject({ ok: false, error: { kind: "upstream" }, call: { attempts: 1 } });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("500 on every attempt: 1 + LLM_MAX_RETRIES attempts, then an upstream failure (a failing model trips no breaker: it answers)", async () => {
    server.respondWith(() => ({ kind: "status", status: 500 }));
    const batch = new CallBatch();
    const r = await real({ maxRetries: 2, sleep: async () => undefined }).structured({ schema: Justification, schemaName: "justification", prompt, offline, batch });
    expect(r).toMatchObject({ ok: false, error: { kind: "upstream" }, call: { attempts: 3 } });
    expect(server.requests).toHaveLength(3);
    expect(batch.unresponsive).toBeNull();
  });
});

describe("offline provider and provider choice", () => {
  it("runs the deterministic fallback, recorded as offline with zero tokens and a confidence cap", async () => {
    const m = new OfflineModel(0.6);
    const r = await m.structured({ schema: Justification, schemaName: "justification", prompt, offline });
    expect(r).toMatchObject({ ok: true, value: valid, call: { provider: "offline", inputTokens: 0, outputTokens: 0 } });
    expect(m.confidenceCap).toBe(0.6);
    expect(await m.structured({ schema: Justification, schemaName: "justification", prompt, offline: () => ({ diagnosis: 1 }) as never })).toMatchObject({ ok: false, error: { kind: "invalid_output" } });
  });

  it("offline is the default without a key; openai with one; LLM_CONCURRENCY bounds both (default 4)", () => {
    expect(createModelClient(loadConfig({}).llm).provider).toBe("offline");
    expect(createModelClient(loadConfig({}).llm).concurrency).toBe(4);
    expect(createModelClient(loadConfig({ OPENAI_API_KEY: "sk-test", LLM_CONCURRENCY: "9" }).llm).concurrency).toBe(9);
    expect(() => loadConfig({ LLM_CONCURRENCY: "0" })).toThrow(/LLM_CONCURRENCY/);
    expect(createModelClient(loadConfig({ OPENAI_API_KEY: "sk-test" }).llm).provider).toBe("openai");
    expect(() => loadConfig({ LLM_PROVIDER: "openai" })).toThrow(/OPENAI_API_KEY/);
    expect(createModelClient(loadConfig({ LLM_PROVIDER: "openai", OPENAI_BASE_URL: "http://127.0.0.1:11434/v1" }).llm).provider).toBe("openai");
  });
});

describe("prompt files", () => {
  it("refuse an unfilled or unknown placeholder, and hash the file's version", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "irc-prompts-"));
    await writeFile(path.join(dir, "x.md"), "");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(path.join(dir, "demo"));
    await writeFile(path.join(dir, "demo", "letter.md"), "---\nid: demo.letter\nversion: 2\ndescription: test\n---\nDear {{payer}}, about {{drug}}.");
    const t = loadPrompt("demo", "letter", dir);
    expect(t).toMatchObject({ id: "demo.letter", version: "2", placeholders: ["payer", "drug"] });
    expect(renderPrompt(t, { payer: "Acme", drug: "J9271" }).user).toBe("Dear Acme, about J9271.");
    expect(() => renderPrompt(t, { payer: "Acme" })).toThrow(/drug is not filled/);
    expect(() => renderPrompt(t, { payer: "Acme", drug: "x", extra: "y" })).toThrow(/no placeholder named extra/);
    await writeFile(path.join(dir, "demo", "letter.md"), "---\nid: demo.letter\nversion: 2\n---\nDear {{payer}}, about {{drug}}!");
    expect(loadPrompt("demo", "letter", dir).hash).not.toBe(t.hash);
  });
});
