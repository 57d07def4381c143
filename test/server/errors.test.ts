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
