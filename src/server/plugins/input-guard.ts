/**
 * The input guard: every string a request carries — path parameters, query, body, object keys
 * included — is checked once, before any route's schema, for what no layer below can take: a NUL
 * character (PostgreSQL text and jsonb refuse it), text that is not well-formed Unicode (a lone
 * surrogate; jsonb refuses its escape), a malformed percent-encoding in the query, and strings over
 * the length limit. Bodies are decoded as strict UTF-8, so bytes that are not UTF-8 are refused
 * instead of silently becoming U+FFFD. Any of these is a 400 problem+json naming each field
 * (OWASP ASVS 5.1.4 / 5.3: validate and canonicalise input at the trust boundary).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { BadInputError } from "../../../tools/errors.js";
import { problemBody, sendProblem } from "../problem.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Longest string this route takes anywhere in its input (default `MAX_STRING_CHARS`). */
    maxStringChars?: number;
  }
}

/** The longest string any field takes unless its schema or route says otherwise (free text: notes, answers, letters). */
export const MAX_STRING_CHARS = 20_000;
/** Field errors reported at most per request. */
const MAX_REPORTED = 10;

/** A UTF-16 surrogate not part of a pair (with the `u` flag a pair is one code point, not `Cs`). */
const LONE_SURROGATE = /\p{Cs}/u;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes a body as UTF-8, refusing bytes that are not (a 400, as a schema violation would be). */
export function decodeUtf8Body(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new BadInputError("The request body is not valid UTF-8");
  }
}

type Done = (error: Error | null, body?: unknown) => void;

/** A content-type parser (`parseAs: "buffer"`) that decodes the body as strict UTF-8 and hands the text to `next`. */
export function utf8Parser(next: (request: FastifyRequest, text: string, done: Done) => void) {
  return (request: FastifyRequest, body: string | Buffer, done: Done): void => {
    let text: string;
    try {
      text = decodeUtf8Body(Buffer.isBuffer(body) ? body : Buffer.from(body));
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    next(request, text, done);
  };
}

/** What is wrong with one string, or null. */
function stringProblem(value: string, max: number): string | null {
  if (value.includes("\u0000")) return "contains a NUL character";
  if (LONE_SURROGATE.test(value)) return "is not well-formed Unicode (a lone surrogate)";
  if (value.length > max) return `is longer than ${max} characters`;
  return null;
}

/** The problems of every string in `root` (keys included), each with its path, e.g. `body.data.id`. */
export function inputProblems(root: unknown, rootPath: string, max: number): { path: string; message: string }[] {
  const found: { path: string; message: string }[] = [];
  // Iterative, so a deeply nested body cannot exhaust the stack.
  const stack: [unknown, string][] = [[root, rootPath]];
  while (stack.length > 0 && found.length < MAX_REPORTED) {
    const [value, path] = stack.pop() as [unknown, string];
    if (typeof value === "string") {
      const problem = stringProblem(value, max);
      if (problem !== null) found.push({ path, message: problem });
    } else if (Buffer.isBuffer(value)) {
      if (value.includes(0)) found.push({ path, message: "contains a NUL byte" });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i -= 1) stack.push([value[i], `${path}.${i}`]);
    } else if (value !== null && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        const problem = stringProblem(key, max);
        if (problem !== null) found.push({ path: `${path}.${key.slice(0, 64)}`, message: `key ${problem}` });
        else stack.push([child, `${path}.${key}`]);
      }
    }
  }
  return found;
}

/** A query string whose percent-encoding does not decode to UTF-8 (`%FF`, `%C3%28`, `%zz`). */
function malformedQuery(request: FastifyRequest): boolean {
  const url = request.raw.url ?? "";
  const q = url.indexOf("?");
  if (q < 0) return false;
  try {
    decodeURIComponent(url.slice(q + 1).replaceAll("+", " "));
    return false;
  } catch {
    return true;
  }
}

async function inputGuardPlugin(app: FastifyInstance): Promise<void> {
  // JSON bodies: strict UTF-8, then Fastify's own parser (prototype-poisoning checks included).
  const parseJson = app.getDefaultJsonParser("error", "ignore");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, utf8Parser(parseJson));

  // A console page is answered with an error page naming the fields, an API route with problem+json.
  const refuse = (request: FastifyRequest, reply: FastifyReply, detail: string, errors: { path: string; message: string }[]) =>
    request.routeOptions.config.console !== undefined
      ? reply.page("error", { status: 400, message: `${detail}: ${errors.map((e) => `${e.path} ${e.message}`).join("; ")}` }, { title: "That request was not valid", status: 400 })
      : sendProblem(reply, problemBody(request, 400, "BAD_REQUEST", detail, { errors }));

  app.addHook("preValidation", async (request, reply) => {
    if (malformedQuery(request)) {
      return refuse(request, reply, "Malformed query string", [{ path: "querystring", message: "has a percent-encoding that is not UTF-8" }]);
    }
    const max = request.routeOptions.config.maxStringChars ?? MAX_STRING_CHARS;
    const errors = [
      ...inputProblems(request.params, "params", max),
      ...inputProblems(request.query, "querystring", max),
      ...inputProblems(request.body, "body", max),
    ].slice(0, MAX_REPORTED);
    if (errors.length === 0) return undefined;
    return refuse(request, reply, "Invalid characters or length in the request", errors);
  });
}

export const inputGuard = fp(inputGuardPlugin, { name: "input-guard" });
