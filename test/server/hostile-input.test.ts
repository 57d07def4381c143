/**
 * Property: whatever hostile strings a caller sends — NUL bytes, invalid UTF-8 percent-encodings,
 * lone surrogates, huge strings, absurd dates, unicode, SQL and path tricks — to any route of
 * `/openapi.json` with any role, the service answers below 500 and every error is problem+json
 * (OWASP ASVS 5.1: input validation; a 5xx means input reached a layer that could not take it).
 * The service is built as `startService` builds it: product agents, sandbox EHR and payer, the
 * CMS files, the sweep queue (open, without workers).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Readiness } from "../../src/db/readiness.js";
import type { SweepService } from "../../src/jobs/sweep-service.js";
import { createLogger } from "../../src/logger.js";
import { buildApp, type App } from "../../src/server/app.js";
import { buildServiceComponents, prepareComponents } from "../../src/service-components.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { keysForRoles, LogCapture, testConfig } from "../helpers/app.js";

/** Stands for raw bytes that are not UTF-8, spliced into a JSON body after serialisation. */
const INVALID_UTF8 = "\u{E000}invalid-utf8\u{E000}";

const CURATED = [
  "a\u0000b", "\u0000", "%00", "x\u0000' OR 1=1 --", INVALID_UTF8, "\ud800", "a\udfffb", "\uffff", "\ufeff",
  "0000-01-01", "0000-01-01T00:00:00Z", "-000001-01-01", "275760-09-13", "9999-12-31T23:59:59+14:00", "2026-02-30",
  "1970-01-01T00:00:00+99:99", "2026-13-01", "' OR 1=1 --", "'; DROP TABLE api_keys; --", "$1", "../../etc/passwd",
  "..%2f..%2f", "\\", "null", "{}", "[]", "-1", "1e309", "NaN", "😀🏥", "\u202Eevil", "e\u0301", "x".repeat(100_000),
  "é".repeat(40_000), " ", "",
];

/** A hostile string: curated, random unicode, random with a curated part, or huge. */
const hostile: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...CURATED) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...CURATED), fc.string({ maxLength: 8 })).map((p) => p.join("")) },
);

/** Raw percent-sequences that decode to nothing valid (bad UTF-8, surrogates, overlong, NUL). */
const BAD_ESCAPES = ["%00", "%C3%28", "%FF", "%ED%A0%80", "%E0%80%AF", "%C0%AF", "%", "%zz", "%F4%90%80%80"];

/** A string as it goes into a URL: percent-encoded when it can be, else with raw bad escapes. */
const urlPart = (s: string, bad: string | null): string => {
  const encoded = encodeURIComponent(s.replaceAll(INVALID_UTF8, "").replace(/\p{Cs}/gu, "\uFFFD"));
  return bad === null ? encoded : `${encoded}${bad}`;
};

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  minLength?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  $ref?: string;
}

/** Any JSON value, hostile strings at its leaves. */
const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostile, fc.integer(), fc.constant(null), fc.boolean(),
    fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(hostile, tie("v"), { maxKeys: 3 }),
  ),
})).v;

/** Values for a schema: plausible ones (to get past the first check) mixed with hostile ones. */
function fromSchema(schema: JsonSchema, refs: Record<string, JsonSchema>, depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref !== undefined) return fromSchema(refs[schema.$ref.split("/").pop() ?? ""] ?? {}, refs, depth + 1);
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches !== undefined) return fc.oneof(...branches.map((b) => fromSchema(b, refs, depth + 1)));
  if (schema.enum !== undefined) return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...schema.enum) }, { weight: 1, arbitrary: hostile });
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string": {
      // Well-formed values, absurd ones among them, to get past the format check to the database.
      const plausible = schema.format === "date" ? fc.constantFrom("2026-03-02", "0000-01-01", "0001-01-01", "9999-12-31")
        : schema.format === "date-time" ? fc.constantFrom("2026-03-02T10:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59-12:00")
          : fc.constant("a".repeat(Math.max(schema.minLength ?? 1, 12)));
      return fc.oneof({ weight: 3, arbitrary: plausible }, { weight: 2, arbitrary: hostile });
    }
    case "integer": case "number": return fc.oneof(fc.integer({ min: -2, max: 2000 }), hostile);
    case "boolean": return fc.oneof(fc.boolean(), hostile);
    case "null": return fc.constant(null);
    case "array": return fc.array(schema.items === undefined || depth > 4 ? hostileValue : fromSchema(schema.items, refs, depth + 1), { maxLength: 3 });
    case "object": {
      if (schema.properties === undefined || depth > 4) return fc.dictionary(hostile, hostileValue, { maxKeys: 4 });
      const props = Object.fromEntries(Object.entries(schema.properties).map(([k, s]) => [k, fromSchema(s, refs, depth + 1)]));
      return fc.record(props, { requiredKeys: schema.required?.filter((k) => k in props) ?? [] });
    }
    default: return hostileValue;
  }
}

interface Operation {
  parameters?: { in: string; name: string; schema?: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

/** One generated request for a route: its URL and, for bodies, the payload and content type. */
function requestFor(path: string, op: Operation, refs: Record<string, JsonSchema>) {
  const params = op.parameters ?? [];
  const inPath = params.filter((p) => p.in === "path");
  const inQuery = params.filter((p) => p.in === "query");
  const bad = fc.option(fc.constantFrom(...BAD_ESCAPES), { freq: 3 });
  const part = fc.tuple(hostile, bad).map(([s, b]) => urlPart(s, b));
  const json = op.requestBody?.content["application/json"]?.schema;
  const body: fc.Arbitrary<{ payload: string | Buffer; type: string } | null> =
    op.requestBody === undefined ? fc.constant(null)
      : json !== undefined ? fromSchema(json, refs).map((v) => ({ payload: jsonBytes(v), type: "application/json" }))
        : fc.tuple(hostile, fc.constantFrom(...Object.keys(op.requestBody.content))).map(([s, type]) => ({ payload: Buffer.from(s.replaceAll(INVALID_UTF8, "\uFFFF")), type }));
  return fc.record({
    path: fc.tuple(...inPath.map(() => part)).map((values) => {
      let url = path;
      inPath.forEach((p, i) => (url = url.replace(p.name === "*" ? "{*}" : `{${p.name}}`, p.name === "*" ? `Patient/${values[i]}` : values[i] ?? "")));
      return url;
    }),
    query: fc.tuple(...inQuery.map((p) => fc.option(
      fc.tuple(fromSchema(p.schema ?? {}, refs), bad).map(([v, b]) => `${encodeURIComponent(p.name)}=${urlPart(String(v), b)}`), { freq: 4 },
    ))),
    body,
  }).map(({ path: url, query, body: b }) => {
    const q = query.filter((x): x is string => x !== null).join("&");
    return { url: q === "" ? url : `${url}?${q}`, body: b };
  });
}

/** JSON bytes of a value, with each INVALID_UTF8 marker replaced by bytes that are not UTF-8. */
function jsonBytes(value: unknown): Buffer {
  const text = JSON.stringify(value) ?? "null";
  const parts = text.split(INVALID_UTF8);
  return Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [Buffer.from(p)] : [Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(p)])));
}

describe.each(DATABASE_KINDS)("hostile input on every route on %s", (kind) => {
  let t: TestDatabase;
  let app: App;
  let sweeps: SweepService;
  let identities: [string, Record<string, string>][];

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const logs = new LogCapture();
    const logger = createLogger({ level: "info" }, logs);
    const config = testConfig({ RATE_LIMIT_MAX: "100000", AUTH_FAILURE_MAX: "100000", SANDBOX_PATIENTS: "8", SANDBOX_WEEKS: "1" });
    const components = buildServiceComponents(config, t.db, logger);
    await prepareComponents(config, t.db, components, logger);
    sweeps = components.sweeps;
    await sweeps.start({ schedule: false, work: false });
    const readiness = new Readiness(t.db, logger);
    readiness.markMigrated();
    app = await buildApp(config, {
      logger, readiness, runtime: components.runtime, sandboxPayer: components.connections.sandboxPayer, sweeps, referenceData: components.referenceData,
    });
    const keys = await keysForRoles(t.db);
    identities = [...Object.entries(keys), ["anonymous", {}]];
  });
  afterAll(async () => {
    await app.close();
    await sweeps.stop(1_000);
    await t.drop();
  });

  it("answers every generated request below 500, errors as problem+json", async () => {
    const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json() as {
      paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, JsonSchema> };
    };
    const refs = doc.components?.schemas ?? {};
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
    expect(routes.length).toBeGreaterThan(20);
    const failures = new Map<string, string>();
    for (const { method, path, op } of routes) {
      await fc.assert(
        fc.asyncProperty(requestFor(path, op, refs), fc.constantFrom(...identities), async (req, [, headers]) => {
          const res = await app.inject({
            method: method as "GET", url: req.url,
            headers: { ...headers, ...(req.body === null ? {} : { "content-type": req.body.type }) },
            ...(req.body === null ? {} : { payload: req.body.payload }),
          });
          const where = `${method} ${req.url.slice(0, 120)} → ${res.statusCode} ${String(res.headers["content-type"])} ${res.body.slice(0, 160)}`;
          expect(res.statusCode, where).toBeLessThan(500);
          if (res.statusCode >= 400) {
            // The sandbox FHIR server answers its own errors as FHIR does: an OperationOutcome.
            const fhir = path.startsWith("/sandbox/fhir") && /^application\/fhir\+json/.test(String(res.headers["content-type"]));
            expect(res.headers["content-type"], where).toMatch(fhir ? /^application\/fhir\+json/ : /^application\/problem\+json/);
            const body = res.json() as { status?: number; code?: string; resourceType?: string };
            if (fhir) expect(body.resourceType, where).toBe("OperationOutcome");
            else expect({ status: body.status, code: typeof body.code }, where).toEqual({ status: res.statusCode, code: "string" });
          }
        }),
        { numRuns: 40, endOnFailure: true },
      ).catch((error: unknown) => failures.set(`${method} ${path}`, error instanceof Error && error.cause instanceof Error ? error.cause.message.split("\n")[0] ?? "" : String(error)));
    }
    expect(Object.fromEntries(failures)).toEqual({});
  });
});
