import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type App } from "../../src/server/app.js";
import { Readiness } from "../../src/db/readiness.js";
import { createLogger } from "../../src/logger.js";
import type { SweepService } from "../../src/jobs/sweep-service.js";
import { addDays } from "../../tools/iso-dates.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { buildTestApp, keysForRoles, testConfig } from "../helpers/app.js";
import { TODAY, seedSmallClinic, sweepHarness } from "../jobs/sweep-harness.js";

describe.each(DATABASE_KINDS)("sweep routes on %s", (kind) => {
  let t: TestDatabase;
  let app: App;
  let sweeps: SweepService;
  let keys: Awaited<ReturnType<typeof keysForRoles>>;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await seedSmallClinic(t.db);
    const h = await sweepHarness(t.db);
    sweeps = h.sweeps;
    await sweeps.start({ schedule: false });
    const logger = createLogger({ level: "silent" });
    const readiness = new Readiness(t.db, logger);
    readiness.markMigrated();
    app = await buildApp(testConfig(), { logger, readiness, runtime: h.runtime, sweeps });
    keys = await keysForRoles(t.db);
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await sweeps.stop(2_000);
    await t.drop();
  });

  it("staff start a sweep (202 with id and total); any role follows its progress to completion; the list shows it", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/sweeps", headers: keys.staff, payload: { from: TODAY, to: addDays(TODAY, 4) } });
    expect(res.statusCode).toBe(202);
    const { id, total } = res.json() as { id: string; total: number };
    expect(total).toBeGreaterThan(0);
    await sweeps.waitForCompletion(id, { pollMs: 200, timeoutMs: 60_000 });
    for (const role of ["council", "service", "staff", "admin"] as const) {
      const progress = await app.inject({ method: "GET", url: `/v1/sweeps/${id}`, headers: keys[role] });
      expect(progress.statusCode).toBe(200);
      expect(progress.json()).toMatchObject({ id, kind: "manual", status: "completed", total, items: { queued: 0, done: total, failed: 0 } });
    }
    const body = (await app.inject({ method: "GET", url: `/v1/sweeps/${id}`, headers: keys.staff })).json() as { results: { runs: { completed: number; waiting: number } } };
    // The test agent checks the sweep's appointments in batches (at most 4 each here): one run per batch.
    const runs = body.results.runs.completed + body.results.runs.waiting;
    expect(runs).toBeGreaterThanOrEqual(Math.ceil(total / 4));
    expect(runs).toBeLessThanOrEqual(total);
    const list = await app.inject({ method: "GET", url: "/v1/sweeps?limit=5", headers: keys.council });
    expect((list.json() as { sweeps: { id: string }[] }).sweeps.map((s) => s.id)).toContain(id);
  }, 90_000);

  it("council may not start a sweep; no key is 401", async () => {
    const forbidden = await app.inject({ method: "POST", url: "/v1/sweeps", headers: keys.council, payload: { from: TODAY, to: TODAY } });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ code: "FORBIDDEN" });
    expect((await app.inject({ method: "POST", url: "/v1/sweeps", payload: { from: TODAY, to: TODAY } })).statusCode).toBe(401);
  });

  it("refuses from after to, a range over 92 days and non-dates with 400 problem+json", async () => {
    for (const payload of [{ from: "2026-03-06", to: "2026-03-02" }, { from: "2026-01-01", to: "2026-04-03" }, { from: "March 2", to: "2026-03-06" }]) {
      const res = await app.inject({ method: "POST", url: "/v1/sweeps", headers: keys.service, payload });
      expect(res.statusCode).toBe(400);
      expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
      expect(res.json()).toMatchObject({ code: "BAD_REQUEST", errors: expect.any(Array) });
    }
    const ok = await app.inject({ method: "POST", url: "/v1/sweeps", headers: keys.admin, payload: { from: "2026-01-01", to: "2026-04-02" } });
    expect(ok.statusCode).toBe(202);
  });

  it("an unknown sweep is 404", async () => {
    const res = await app.inject({ method: "GET", url: "/v1/sweeps/nope", headers: keys.staff });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: "NOT_FOUND" });
  });

  it("without a sweep service, starting a sweep is 503 problem+json", async () => {
    const bare = await buildTestApp(t.db);
    try {
      const res = await bare.app.inject({ method: "POST", url: "/v1/sweeps", headers: keys.staff, payload: { from: TODAY, to: TODAY } });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: "UNAVAILABLE" });
    } finally {
      await bare.app.close();
    }
  });
});
