import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/server/app.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { buildTestApp, keysForRoles, type LogCapture } from "../helpers/app.js";

describe.each(DATABASE_KINDS)("problem+json error shapes on %s", (kind) => {
  let t: TestDatabase;
  let app: App;
  let logs: LogCapture;
  let admin: { authorization: string };

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    ({ app, logs } = await buildTestApp(t.db, { BODY_LIMIT_BYTES: "2048" }));
    await app.register(async (scope) => {
      scope.get("/v1/test-boom", { config: { roles: ["admin"] } }, async () => {
        throw new Error("secret internal detail");
      });
    });
    admin = (await keysForRoles(t.db)).admin;
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  it("unknown route → 404 problem+json", async () => {
    const res = await app.inject({ method: "GET", url: "/nowhere?x=1" });
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 404, code: "NOT_FOUND", instance: "/nowhere" });
  });

  it("malformed JSON → 400 MALFORMED_JSON", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/keys",
      headers: { ...admin, "content-type": "application/json" },
      payload: '{"name": "x", "role": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "MALFORMED_JSON" });
  });

  it("oversize body → 413 PAYLOAD_TOO_LARGE", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/keys",
      headers: { ...admin, "content-type": "application/json" },
      payload: JSON.stringify({ name: "x".repeat(5000), role: "staff" }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: "PAYLOAD_TOO_LARGE", status: 413 });
  });

  it("schema violation → 400 with field-level errors", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/keys", headers: admin, payload: { name: "", role: "boss" } });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { code: string; errors: { path: string }[] };
    expect(body.code).toBe("BAD_REQUEST");
    expect(body.errors.map((e) => e.path).sort()).toEqual(["body.name", "body.role"]);
  });

  it("NUL characters, lone surrogates and bytes that are not UTF-8 → 400 naming the field, before the database", async () => {
    const keys = await keysForRoles(t.db);
    const cases = [
      { method: "GET", url: "/v1/runs/a%00b", headers: keys.staff, path: "params.id", message: /NUL/ },
      { method: "GET", url: "/v1/audit?agent=x%00y", headers: keys.council, path: "querystring.agent", message: /NUL/ },
      { method: "POST", url: "/v1/keys", headers: admin, payload: { name: "bad\u0000name", role: "staff" }, path: "body.name", message: /NUL/ },
      { method: "POST", url: "/v1/keys", headers: admin, payload: { name: "lone \ud800", role: "staff" }, path: "body.name", message: /well-formed/ },
      { method: "POST", url: "/v1/work-items", headers: keys.service, payload: { type: "test", id: "a", data: { "k\u0000": 1 } }, path: "body.data.k\u0000", message: /key .*NUL/ },
    ] as const;
    for (const c of cases) {
      const res = await app.inject({ method: c.method, url: c.url, headers: c.headers, ...("payload" in c ? { payload: c.payload } : {}) });
      expect(res.statusCode, c.url).toBe(400);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      const body = res.json() as { code: string; errors: { path: string; message: string }[] };
      expect(body.code).toBe("BAD_REQUEST");
      expect(body.errors[0]?.path).toBe(c.path);
      expect(body.errors[0]?.message).toMatch(c.message);
    }
    const notUtf8 = await app.inject({
      method: "POST", url: "/v1/keys", headers: { ...admin, "content-type": "application/json" },
      payload: Buffer.concat([Buffer.from('{"name":"a'), Buffer.from([0xc3, 0x28]), Buffer.from('","role":"staff"}')]),
    });
    expect(notUtf8.statusCode).toBe(400);
    expect(notUtf8.json()).toMatchObject({ code: "BAD_REQUEST", detail: "The request body is not valid UTF-8" });
    const badQuery = await app.inject({ method: "GET", url: "/v1/audit?agent=%C3%28", headers: keys.council });
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json()).toMatchObject({ code: "BAD_REQUEST", detail: "Malformed query string" });
    // Nothing was written: no key named with the bad bytes.
    const { rows } = await t.db.pool.query("SELECT count(*)::int AS n FROM api_keys WHERE name LIKE 'a%' OR name LIKE 'lone%'");
    expect(rows[0].n).toBe(0);
  });

  it("ids over 128 characters, free text over its limit and year 0000 → 400", async () => {
    const keys = await keysForRoles(t.db);
    // This suite's body limit is 2 KB; these bodies are larger.
    const { app: wide } = await buildTestApp(t.db);
    const longId = await wide.inject({ method: "POST", url: "/v1/work-items", headers: keys.service, payload: { type: "appointment", id: "x".repeat(100_000) } });
    expect(longId.statusCode).toBe(400);
    expect((longId.json() as { errors: { path: string }[] }).errors.map((e) => e.path)).toContain("body.id");
    const longText = await wide.inject({ method: "POST", url: "/v1/work-items", headers: keys.service, payload: { type: "test", id: "a", data: { note: "n".repeat(20_001) } } });
    expect(longText.statusCode).toBe(400);
    expect(longText.json()).toMatchObject({ errors: [{ path: "body.data.note", message: "is longer than 20000 characters" }] });
    const { rows } = await t.db.pool.query("SELECT count(*)::int AS n FROM runs WHERE length(subject_id) > 128");
    expect(rows[0].n).toBe(0);
    for (const url of ["/v1/scorecard?from=0000-01-01&to=0000-01-02", "/v1/reviews?dueBefore=0000-01-01T00:00:00Z"]) {
      const res = await wide.inject({ method: "GET", url, headers: admin });
      expect(res.statusCode, url).toBe(400);
      const body = res.json() as { code: string; errors: { message: string }[] };
      expect(body.code).toBe("BAD_REQUEST");
      expect(body.errors[0]?.message).toBe("the year must be 0001–9999");
    }
    const sweep = await wide.inject({ method: "POST", url: "/v1/sweeps", headers: admin, payload: { from: "0000-01-01", to: "0000-01-01" } });
    expect(sweep.statusCode).toBe(400);
    await wide.close();
  });

  it("Fastify's own refusals are problem+json: a URL that does not decode, an over-long parameter, a wrong content type", async () => {
    const badUrl = await app.inject({ method: "GET", url: "/v1/runs/%FF", headers: admin });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(badUrl.json()).toMatchObject({ code: "BAD_REQUEST", status: 400 });
    const longParam = await app.inject({ method: "GET", url: `/v1/runs/${"r".repeat(129)}`, headers: admin });
    expect(longParam.statusCode).toBe(414);
    expect(longParam.json()).toMatchObject({ code: "URI_TOO_LONG", status: 414 });
    const atLimit = await app.inject({ method: "GET", url: `/v1/runs/${"r".repeat(128)}`, headers: admin });
    expect(atLimit.json()).toMatchObject({ code: "NOT_FOUND" });
    const wrongType = await app.inject({ method: "POST", url: "/v1/keys", headers: { ...admin, "content-type": "application/xml" }, payload: "<key/>" });
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.json()).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE", status: 415 });
  });

  it("headers over Node's limit → 431 problem+json from the HTTP parser", async () => {
    const { app: listening } = await buildTestApp(t.db);
    const url = await listening.listen({ port: 0, host: "127.0.0.1" });
    try {
      const res = await fetch(`${url}/healthz`, { headers: { "x-big": "h".repeat(20_000) } });
      expect(res.status).toBe(431);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({ code: "HEADERS_TOO_LARGE", status: 431 });
    } finally {
      await listening.close();
    }
  });

  it("unknown error → bare 500, details only in the log under the request id", async () => {
    const res = await app.inject({ method: "GET", url: "/v1/test-boom", headers: { ...admin, "x-request-id": "req-boom-1" } });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("secret internal detail");
    expect(res.json()).toMatchObject({ code: "INTERNAL", requestId: "req-boom-1" });
    const line = logs.lines.find((l) => l.includes("secret internal detail"));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ requestId: "req-boom-1", level: 50 });
  });

  it("takes the request id from x-request-id, else from traceparent, and echoes it", async () => {
    const given = await app.inject({ method: "GET", url: "/healthz", headers: { "x-request-id": "abc-123" } });
    expect(given.headers["x-request-id"]).toBe("abc-123");
    const traced = await app.inject({
      method: "GET",
      url: "/healthz",
      headers: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
    });
    expect(traced.headers["x-request-id"]).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    const fresh = await app.inject({ method: "GET", url: "/healthz", headers: { "x-request-id": "bad id with spaces" } });
    expect(fresh.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sets security headers", async () => {
    const res = await app.inject({ method: "GET", url: "/healthz" });
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["strict-transport-security"]).toBeDefined();
  });

  it("serves OpenAPI 3 with request and response schemas for every /v1 route", async () => {
    const res = await app.inject({ method: "GET", url: "/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    expect(doc.openapi).toMatch(/^3\./);
    const v1 = Object.entries(doc.paths).filter(([p]) => p.startsWith("/v1/") && !p.includes("test-boom"));
    expect(v1.length).toBeGreaterThan(0);
    for (const [, ops] of v1) {
      for (const op of Object.values(ops)) {
        expect(op.responses).toBeDefined();
        expect(Object.keys(op.responses ?? {})).toEqual(expect.arrayContaining(["401", "403"]));
      }
    }
    const docs = await app.inject({ method: "GET", url: "/docs/" });
    expect(docs.statusCode).toBe(200);
  });
});

describe.each(DATABASE_KINDS)("rate limit per API key on %s", (kind) => {
  let t: TestDatabase;
  let app: App;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    ({ app } = await buildTestApp(t.db, { RATE_LIMIT_MAX: "3" }));
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  it("answers 429 problem+json past the limit, counting each key separately", async () => {
    const keys = await keysForRoles(t.db);
    const codes: number[] = [];
    for (let i = 0; i < 4; i += 1) codes.push((await app.inject({ method: "GET", url: "/v1/me", headers: keys.staff })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await app.inject({ method: "GET", url: "/v1/me", headers: keys.staff });
    expect(limited.json()).toMatchObject({ code: "RATE_LIMITED", status: 429 });
    expect((await app.inject({ method: "GET", url: "/v1/me", headers: keys.council })).statusCode).toBe(200);
    // Probes are never limited: orchestrators poll them.
    for (let i = 0; i < 5; i += 1) expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
  });
});
