import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AspPricing } from "../../tools/coding/asp-pricing.js";
import { codingTablesWith, type CodingTables } from "../../tools/coding/coding-tables.js";
import { NdcCrosswalk } from "../../tools/coding/ndc.js";
import { createLogger } from "../../src/logger.js";
import { importCmsFile, listCmsFiles } from "../../src/reference-data/cms-file-store.js";
import { ReferenceData } from "../../src/reference-data/reference-data.js";
import { SandboxClock } from "../../src/sandbox/harness.js";
import type { App } from "../../src/server/app.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { LogCapture, buildTestApp, keysForRoles } from "../helpers/app.js";

const fixture = (f: string) => readFileSync(path.resolve(import.meta.dirname, "../fixtures/cms", f));

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(DATABASE_KINDS)("CMS quarterly files in a running service on %s", (kind) => {
  let t: TestDatabase;
  let app: App;
  let keys: Awaited<ReturnType<typeof keysForRoles>>;
  let tables: CodingTables;
  let data: ReferenceData;
  const logs = new LogCapture();
  // Today, as in the sandbox: 2026-12-01, in 2026 Q4; only the 2026 Q1 files ship.
  const clock = new SandboxClock(new Date("2026-12-01T08:00:00Z"));
  const warnings = (text: string) => logs.lines.filter((l) => l.includes('"level":40') && l.includes(text));

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    tables = codingTablesWith(new AspPricing([]), new NdcCrosswalk([]));
    data = new ReferenceData({ pool: t.db.pool, tables, logger: createLogger({ level: "info" }, logs), now: clock.now, checkEveryMs: 50 });
    await data.prepare();
    ({ app } = await buildTestApp(t.db, {}, {}, { logs, referenceData: data }));
    keys = await keysForRoles(t.db);
  }, 60_000);
  afterAll(async () => {
    data.stop();
    await app.close();
    await t.drop();
  });

  it("first start imports the shipped 2026 Q1 files and prices a Q4 date of service from them, marked stale", async () => {
    expect((await listCmsFiles(t.db.pool)).map((f) => [f.kind, f.quarter, f.importedBy])).toEqual([["asp", "2026Q1", "service:first-start"], ["crosswalk", "2026Q1", "service:first-start"]]);
    expect(tables.asp.priceRow("J9271", "2026-12-03")).toMatchObject({ priceQuarter: "2026Q1", quarterInForce: "2026Q4", stale: true, row: { paymentLimit: "59.726" } });
    expect(tables.drugs.byCode("J9271")?.containers.length).toBeGreaterThan(0);
  });

  it("raises one alert per missing file: in /readyz (still 200), in the API, and in the log once", async () => {
    const ready = await app.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    const body = ready.json() as { status: string; alerts: { id: string; severity: string; message: string }[] };
    expect(body.status).toBe("ready");
    expect(body.alerts.map((a) => [a.id, a.severity, a.message])).toEqual([
      ["cms-file-missing:asp:2026Q4", "alert", "ASP file for 2026 Q4 not loaded"],
      ["cms-file-missing:crosswalk:2026Q4", "alert", "ASP NDC-HCPCS crosswalk for 2026 Q4 not loaded"],
    ]);
    const quarters = await app.inject({ method: "GET", url: "/v1/data/quarters", headers: keys.staff });
    expect(quarters.statusCode).toBe(200);
    expect(quarters.json()).toMatchObject({ quarterInForce: "2026Q4", asp: [{ quarter: "2026Q1" }], crosswalk: [{ quarter: "2026Q1" }], alerts: body.alerts });
    await data.refresh();
    expect(warnings("ASP file for 2026 Q4 not loaded")).toHaveLength(1);
    expect(warnings("ASP file for 2026 Q4 not loaded: estimates for dates of service in 2026 Q4 are priced from the 2026 Q1 file, marked stale")).toHaveLength(1);
  });

  it("an admin imports the Q4 file through the API: the service prices from it at once and the alert clears", async () => {
    const post = (headers: Record<string, string>, body: Buffer, query = "kind=asp&source=q4.csv") =>
      app.inject({ method: "POST", url: `/v1/data/imports?${query}`, headers: { ...headers, "content-type": "text/csv" }, payload: body });
    expect((await post(keys.staff, fixture("synthetic-asp-payment-limits-2026-q4.csv"))).statusCode).toBe(403);
    const bad = await post(keys.admin, Buffer.from(fixture("synthetic-asp-payment-limits-2026-q4.csv").toString("latin1").replace("Co-insurance Percentage", "Coinsurance"), "latin1"));
    expect(bad.statusCode).toBe(400);
    expect(bad.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(bad.json()).toMatchObject({ code: "INVALID_DATA_FILE", details: { source: "q4.csv", line: 9, column: "Co-insurance Percentage" } });
    expect(tables.asp.list().map((q) => q.quarter)).toEqual(["2026Q1"]);

    const res = await post(keys.admin, fixture("synthetic-asp-payment-limits-2026-q4.csv"), "kind=asp&quarter=2026Q4&source=q4.csv");
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: "imported", file: { kind: "asp", quarter: "2026Q4", sourceName: "q4.csv" } });
    expect(res.json().file.importedBy).toMatch(/^key:/);
    expect(tables.asp.priceRow("J9271", "2026-12-03")).toMatchObject({ priceQuarter: "2026Q4", stale: false, row: { paymentLimit: "65.699" } });
    const ready = (await app.inject({ method: "GET", url: "/readyz" })).json() as { alerts: { id: string }[] };
    expect(ready.alerts.map((a) => a.id)).toEqual(["cms-file-missing:crosswalk:2026Q4"]);
    expect(logs.text).toContain("alert cleared: the file is loaded (ASP file for 2026 Q4 not loaded)");
    const again = await post(keys.admin, fixture("synthetic-asp-payment-limits-2026-q4.csv"));
    expect([again.statusCode, again.json().status]).toEqual([200, "unchanged"]);
  });

  it("a running service picks up a quarter another process imported", async () => {
    // The CLI on a PostgreSQL server is another connection; the embedded database has one process.
    const other = t.url === undefined ? null : new pg.Pool({ connectionString: t.url, max: 1 });
    try {
      data.start();
      await importCmsFile(other ?? t.db.pool, { kind: "crosswalk", bytes: fixture("synthetic-asp-ndc-hcpcs-crosswalk-2026-q4.csv"), source: "cw-q4.csv", importedBy: "cli" });
      await until(() => tables.crosswalk.list().some((q) => q.quarter === "2026Q4"));
      expect(tables.crosswalk.matches("00006302602", "J9271", "2026-12-03").matches).toBe(true);
      expect(((await app.inject({ method: "GET", url: "/readyz" })).json() as { alerts: unknown[] }).alerts).toEqual([]);
    } finally {
      data.stop();
      await other?.end();
    }
  });

  it("warns when the next quarter begins within 14 days and its file is not loaded", async () => {
    clock.set("2026-12-10T08:00:00Z");
    expect(data.alerts()).toEqual([]);
    clock.set("2026-12-20T08:00:00Z");
    expect(data.alerts().map((a) => [a.id, a.severity, a.message])).toEqual([
      ["cms-file-due:asp:2027Q1", "warning", "ASP file for 2027 Q1 not loaded"],
      ["cms-file-due:crosswalk:2027Q1", "warning", "ASP NDC-HCPCS crosswalk for 2027 Q1 not loaded"],
    ]);
    clock.set("2026-12-01T08:00:00Z");
  });
});
