import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/server/app.js";
import { createApiKey, revokeApiKey } from "../../src/server/auth/api-keys.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { buildTestApp, keysForRoles } from "../helpers/app.js";
import { countingPool } from "../helpers/counting-pool.js";

describe.each(DATABASE_KINDS)("API keys and roles on %s", (kind) => {
  let t: TestDatabase;
  let app: App;
  let keys: Awaited<ReturnType<typeof keysForRoles>>;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    ({ app } = await buildTestApp(t.db));
    keys = await keysForRoles(t.db);
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  it("answers 401 problem+json without a key", async () => {
    const res = await app.inject({ method: "GET", url: "/v1/me" });
    expect(res.statusCode).toBe(401);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 401, code: "UNAUTHENTICATED", instance: "/v1/me" });
  });

  it("answers 401 for an unknown key and for a malformed Authorization header", async () => {
    const unknown = await app.inject({ method: "GET", url: "/v1/me", headers: { authorization: "Bearer irk_not-a-real-key" } });
    expect(unknown.statusCode).toBe(401);
    const basic = await app.inject({ method: "GET", url: "/v1/me", headers: { authorization: "Basic dXNlcjpwYXNz" } });
    expect(basic.statusCode).toBe(401);
  });

  it("answers 401 for a revoked key", async () => {
    const { key, info } = await createApiKey(t.db.pool, { name: "soon revoked", role: "admin" });
    const before = await app.inject({ method: "GET", url: "/v1/me", headers: { authorization: `Bearer ${key}` } });
    expect(before.statusCode).toBe(200);
    await revokeApiKey(t.db.pool, info.id);
    const after = await app.inject({ method: "GET", url: "/v1/me", headers: { authorization: `Bearer ${key}` } });
    expect(after.statusCode).toBe(401);
  });

  it("lets every role read its own identity", async () => {
    for (const role of ["staff", "council", "admin", "service"] as const) {
      const res = await app.inject({ method: "GET", url: "/v1/me", headers: keys[role] });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ role });
    }
  });

  it("answers 403 when the role may not use the route (only admins manage keys)", async () => {
    for (const role of ["staff", "council", "service"] as const) {
      const res = await app.inject({ method: "GET", url: "/v1/keys", headers: keys[role] });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: "FORBIDDEN" });
    }
    const admin = await app.inject({ method: "GET", url: "/v1/keys", headers: keys.admin });
    expect(admin.statusCode).toBe(200);
  });

  it("lets an admin create a key that works once and never lists its secret", async () => {
    const created = await app.inject({
      method: "POST",
      url: "/v1/keys",
      headers: keys.admin,
      payload: { name: "Infusion scheduler", role: "service" },
    });
    expect(created.statusCode).toBe(201);
    const { key, info } = created.json() as { key: string; info: { id: string; role: string } };
    expect(info.role).toBe("service");
    const me = await app.inject({ method: "GET", url: "/v1/me", headers: { authorization: `Bearer ${key}` } });
    expect(me.json()).toMatchObject({ role: "service", keyId: info.id });
    const list = await app.inject({ method: "GET", url: "/v1/keys", headers: keys.admin });
    expect(list.body).not.toContain(key);
    const stored = await t.db.pool.query("SELECT key_hash FROM api_keys WHERE id = $1", [info.id]);
    expect(stored.rows[0].key_hash).not.toBe(key);
    const revoked = await app.inject({ method: "DELETE", url: `/v1/keys/${info.id}`, headers: keys.admin });
    expect(revoked.statusCode).toBe(200);
    const denied = await app.inject({ method: "GET", url: "/v1/me", headers: { authorization: `Bearer ${key}` } });
    expect(denied.statusCode).toBe(401);
  });

  it("refuses to start with a /v1 route that declares no roles", async () => {
    const { app: other } = await buildTestApp(t.db);
    await expect(
      other.register(async (scope) => {
        scope.get("/v1/open-by-accident", async () => ({ ok: true }));
      }).ready(),
    ).rejects.toThrow(/declares no roles/);
  });
});

describe.each(DATABASE_KINDS)("failed authentication limited per client address on %s", (kind) => {
  let t: TestDatabase;
  let app: App;
  let counted: ReturnType<typeof countingPool>;
  let keys: Awaited<ReturnType<typeof keysForRoles>>;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    counted = countingPool(t.db.pool);
    ({ app } = await buildTestApp({ ...t.db, pool: counted.pool }, { AUTH_FAILURE_MAX: "5" }));
    keys = await keysForRoles(t.db);
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  const me = (remoteAddress: string, headers: Record<string, string> = {}) =>
    app.inject({ method: "GET", url: "/v1/me", headers, remoteAddress });

  it("answers 429 problem+json with Retry-After past the limit, and a burst of random keys costs no lookup after it", async () => {
    counted.reset();
    const codes: number[] = [];
    for (let i = 0; i < 50; i += 1) {
      codes.push((await me("203.0.113.7", { authorization: `Bearer irk_${randomBytes(32).toString("base64url")}` })).statusCode);
    }
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(codes.slice(5))).toEqual(new Set([429]));
    // One lookup per key until the address was blocked; none after.
    expect(counted.statements()).toBe(5);
    const limited = await me("203.0.113.7", { authorization: `Bearer irk_${randomBytes(32).toString("base64url")}` });
    expect(limited.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(limited.json()).toMatchObject({ status: 429, code: "RATE_LIMITED" });
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    // While blocked, the address is refused whatever key it sends; other addresses are not affected.
    expect((await me("203.0.113.7", keys.staff)).statusCode).toBe(429);
    expect((await me("198.51.100.1", keys.staff)).statusCode).toBe(200);
  });

  it("counts requests without a key, and a bad key sent again is refused without a lookup", async () => {
    for (let i = 0; i < 5; i += 1) expect((await me("203.0.113.8")).statusCode).toBe(401);
    expect((await me("203.0.113.8")).statusCode).toBe(429);
    const revoked = `Bearer irk_${randomBytes(32).toString("base64url")}`;
    expect((await me("198.51.100.2", { authorization: revoked })).statusCode).toBe(401);
    counted.reset();
    expect((await me("198.51.100.3", { authorization: revoked })).statusCode).toBe(401);
    expect(counted.statements()).toBe(0);
    // Valid keys never count as failures.
    for (let i = 0; i < 10; i += 1) expect((await me("198.51.100.4", keys.council)).statusCode).toBe(200);
  });
});
