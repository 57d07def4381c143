/**
 * How the FHIR client reaches a server: over HTTP (any FHIR R4 server: base URL, bearer token,
 * per-request timeout, retries with backoff on 429/5xx/network errors), or in-process.
 */
import { UpstreamError } from "../errors.js";

/** A FHIR interaction's answer. */
export interface FhirResponse {
  status: number;
  body: unknown;
}

/** Sends FHIR interactions. `path` is relative to the base ("Patient?_id=1") or an absolute next link. */
export interface FhirTransport {
  request(method: "GET" | "POST" | "PUT", path: string, body?: unknown): Promise<FhirResponse>;
}

/** Settings for the HTTP transport. */
export interface HttpFhirOptions {
  baseUrl: string;
  token?: string;
  timeoutMs?: number;
  maxAttempts?: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

/** FHIR over HTTP with retries. */
export class HttpFhirTransport implements FhirTransport {
  private readonly base: string;

  constructor(private readonly options: HttpFhirOptions) {
    this.base = options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`;
  }

  async request(method: "GET" | "POST" | "PUT", path: string, body?: unknown): Promise<FhirResponse> {
    const url = /^https?:\/\//.test(path) ? path : new URL(path, this.base).toString();
    if (!url.startsWith(this.base)) throw new UpstreamError(`Refusing to follow a FHIR link outside ${this.base}`);
    const attempts = this.options.maxAttempts ?? 3;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    const doFetch = this.options.fetch ?? fetch;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        const res = await doFetch(url, {
          method,
          headers: {
            accept: "application/fhir+json",
            ...(body === undefined ? {} : { "content-type": "application/fhir+json" }),
            ...(this.options.token === undefined ? {} : { authorization: `Bearer ${this.options.token}` }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
        });
        if (RETRYABLE.has(res.status) && attempt < attempts) {
          await res.body?.cancel();
          const retryAfter = Number(res.headers.get("retry-after"));
          await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoff(attempt));
          continue;
        }
        const text = await res.text();
        let parsed: unknown = null;
        if (text !== "") {
          try {
            parsed = JSON.parse(text);
          } catch {
            throw new UpstreamError(`FHIR server answered ${method} ${path} with non-JSON (HTTP ${res.status})`);
          }
        }
        return { status: res.status, body: parsed };
      } catch (error) {
        if (error instanceof UpstreamError) throw error;
        lastError = error;
        if (attempt < attempts) await sleep(backoff(attempt));
      }
    }
    throw new UpstreamError(`FHIR server unreachable for ${method} ${path}: ${(lastError as Error)?.message ?? "unknown"}`, { cause: lastError });
  }
}

function backoff(attempt: number): number {
  return Math.min(200 * 2 ** (attempt - 1), 5_000) + Math.floor(Math.random() * 100);
}
