/**
 * A local HTTP server speaking the OpenAI chat-completions API, scripted per request, recording
 * every request: the edge we do not own, faked with its real protocol. Tests script replies in
 * order; the model-fault evaluation answers each request from what it asks (`respondWith`), so
 * concurrent calls get the answer meant for them. It counts requests in flight, so a test can see
 * the bound on concurrent model calls. Listens on 127.0.0.1 only.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

/** What a request gets. `hang` never answers (until the server stops); `raw` is sent as the body as is. */
export type ScriptedReply =
  | { kind: "content"; content: string; inputTokens?: number; outputTokens?: number; delayMs?: number }
  | { kind: "tool_calls"; calls: { name: string; args: unknown }[] }
  | { kind: "status"; status: number; retryAfter?: number; body?: unknown }
  | { kind: "hang" };

/** A recorded chat-completions (or embeddings) request, with when it arrived (`performance.now()`). */
export interface RecordedRequest {
  path: string;
  body: Record<string, unknown>;
  at: number;
}

/** Answers a request the script has no reply for. */
export type Responder = (request: RecordedRequest) => ScriptedReply;

export class FakeOpenAiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly script: ScriptedReply[] = [];
  private responder: Responder | undefined;
  private server: http.Server | undefined;
  private readonly hanging = new Set<http.ServerResponse>();
  private inFlight = 0;
  /**
   * The most chat-completions requests that were open at once. A request a client gave up on is
   * closed when its socket's close arrives, which may be after the client's next request.
   */
  maxInFlight = 0;
  url = "";

  /** Queues replies, answered in order. */
  reply(...replies: ScriptedReply[]): this {
    this.script.push(...replies);
    return this;
  }

  /** Answers every request the script does not cover (default: a 500). */
  respondWith(responder: Responder): this {
    this.responder = responder;
    return this;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const parsed = body === "" ? {} : (JSON.parse(body) as Record<string, unknown>);
        const recorded = { path: req.url ?? "", body: parsed, at: performance.now() };
        this.requests.push(recorded);
        if (req.url?.endsWith("/embeddings")) {
          this.embeddings(parsed, res);
          return;
        }
        this.inFlight += 1;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        // A client that gives up (timeout, abort) closes the socket: the request is no longer in flight.
        res.on("close", () => {
          this.inFlight -= 1;
          this.hanging.delete(res);
        });
        const next = this.script.shift() ?? this.responder?.(recorded) ?? { kind: "status", status: 500 };
        this.answer(next, res, String(parsed.model ?? "test-model"));
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, "127.0.0.1", () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  private embeddings(parsed: Record<string, unknown>, res: http.ServerResponse): void {
    const input = (Array.isArray(parsed.input) ? parsed.input : [parsed.input]) as string[];
    const dims = Number(parsed.dimensions ?? 256);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({
      object: "list", model: parsed.model, usage: { prompt_tokens: 1, total_tokens: 1 },
      data: input.map((_t, i) => {
        const vector = Array.from({ length: dims }, (_, k) => (k === i % dims ? 1 : 0));
        // The SDK asks for base64-encoded float32 by default, as the real API supports.
        const embedding = parsed.encoding_format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector;
        return { object: "embedding", index: i, embedding };
      }),
    }));
  }

  private answer(next: ScriptedReply, res: http.ServerResponse, model: string): void {
    if (next.kind === "hang") {
      this.hanging.add(res);
      return;
    }
    if (next.kind === "status") {
      res.writeHead(next.status, { "content-type": "application/json", ...(next.retryAfter === undefined ? {} : { "retry-after": String(next.retryAfter) }) })
        .end(JSON.stringify(next.body ?? { error: { message: `scripted ${next.status}`, type: "server_error" } }));
      return;
    }
    const message = next.kind === "content"
      ? { role: "assistant", content: next.content }
      : { role: "assistant", content: null, tool_calls: next.calls.map((c, i) => ({ id: `call_${i}`, type: "function", function: { name: c.name, arguments: JSON.stringify(c.args) } })) };
    const usage = next.kind === "content" ? { prompt_tokens: next.inputTokens ?? 11, completion_tokens: next.outputTokens ?? 7 } : { prompt_tokens: 13, completion_tokens: 5 };
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({
        id: "chatcmpl-test", object: "chat.completion", created: 0, model,
        choices: [{ index: 0, message, finish_reason: next.kind === "content" ? "stop" : "tool_calls" }],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      }));
    };
    const delay = next.kind === "content" ? next.delayMs ?? 0 : 0;
    if (delay === 0) send();
    else {
      // A slow answer is open (and stops with the server) until it is sent.
      this.hanging.add(res);
      setTimeout(send, delay);
    }
  }

  async stop(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    // Clients keep connections alive for seconds; a stopped fake closes them rather than wait.
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server === undefined ? r() : this.server.close(() => r())));
  }
}
