import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { Readiness } from "../../src/db/readiness.js";
import { buildApp } from "../../src/server/app.js";
import { createLogger } from "../../src/logger.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { LogCapture, buildTestApp, keysForRoles, testConfig, testRuntime } from "../helpers/app.js";
import { TcpProxy } from "../helpers/tcp-proxy.js";

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("condition not met in time");
}

describe.each(DATABASE_KINDS)("readiness on %s", (kind) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.drop().catch(() => undefined);
    t = undefined;
  });

  it("/readyz is 200 when migrated and 503 when the database is gone; /v1 answers 503", async () => {
    t = await createTestDatabase(kind);
    const { app } = await buildTestApp(t.db);
    const keys = await keysForRoles(t.db);
    const ready = await app.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: "ready", database: "up", pendingMigrations: 0, databaseKind: kind });

    await t.db.close();
    const down = await app.inject({ method: "GET", url: "/readyz" });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: "unavailable", database: "down" });
    const v1 = await app.inject({ method: "GET", url: "/v1/me", headers: keys.staff });
    expect(v1.statusCode).toBe(503);
    expect(v1.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(v1.json()).toMatchObject({ code: "UNAVAILABLE" });
    expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    await app.close();
  });

  it("/readyz is 503 while migrations are pending", async () => {
    t = await createTestDatabase(kind, { migrate: false });
    const readiness = new Readiness(t.db);
    const logger = createLogger({ level: "silent" });
    const runtime = await testRuntime(t.db, logger, { setup: false });
    const app = await buildApp(testConfig(), { logger, readiness, runtime });
    const res = await app.inject({ method: "GET", url: "/readyz" });
    expect(res.statusCode).toBe(503);
    expect((res.json() as { pendingMigrations: number }).pendingMigrations).toBeGreaterThan(0);
    await app.close();
  });
});

// Only a server can go away and come back; PGlite runs in-process.
if (process.env.TEST_DATABASE_URL !== undefined) describe("recovery with a PostgreSQL server", () => {
  let t: TestDatabase | undefined;
  let proxy: TcpProxy | undefined;
  let db: Database | undefined;
  afterEach(async () => {
    await proxy?.stop();
    await db?.close();
    await t?.drop();
  });

  it("goes 503 while the server is unreachable and recovers without a restart", async () => {
    t = await createTestDatabase("postgres");
    const target = new URL(t.url!);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    const viaProxy = new URL(t.url!);
    viaProxy.port = String(proxy.port);
    db = await openDatabase({ kind: "postgres", url: viaProxy.toString(), connectionTimeoutMs: 1_000 });
    const logs = new LogCapture();
    const readiness = new Readiness(db, createLogger({ level: "info" }, logs));
    readiness.markMigrated();
    const logger = createLogger({ level: "info" }, logs);
    const app = await buildApp(testConfig(), { logger, readiness, runtime: await testRuntime(db, logger, { setup: false }) });
    const keys = await keysForRoles(t.db);

    expect((await app.inject({ method: "GET", url: "/v1/me", headers: keys.staff })).statusCode).toBe(200);
    await proxy.stop();
    expect((await app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(503);
    const failed = await app.inject({ method: "GET", url: "/v1/me", headers: keys.staff });
    expect(failed.statusCode).toBe(503);
    expect(failed.json()).toMatchObject({ code: "UNAVAILABLE" });

    await proxy.start();
    await waitFor(async () => (await app.inject({ method: "GET", url: "/readyz" })).statusCode === 200);
    expect((await app.inject({ method: "GET", url: "/v1/me", headers: keys.staff })).statusCode).toBe(200);
    await app.close();
  });

  it("starts with the server down, retries migrations in the background, and becomes ready", async () => {
    t = await createTestDatabase("postgres", { migrate: false });
    const target = new URL(t.url!);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    const port = proxy.port;
    await proxy.stop();
    const viaProxy = new URL(t.url!);
    viaProxy.port = String(port);
    db = await openDatabase({ kind: "postgres", url: viaProxy.toString(), connectionTimeoutMs: 1_000 });
    const readiness = new Readiness(db, createLogger({ level: "silent" }));
    expect(await readiness.ensureMigrated()).toBe(false);
    expect(readiness.isMigrated).toBe(false);
    await proxy.start();
    await waitFor(async () => readiness.isMigrated);
    expect((await readiness.check()).ready).toBe(true);
    readiness.stop();
  });
});
