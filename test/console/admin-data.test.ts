/** The admin's data status page: the CMS files loaded, the code edits and the open alerts (app.inject). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AspPricing } from "../../tools/coding/asp-pricing.js";
import { codingTablesWith } from "../../tools/coding/coding-tables.js";
import { NdcCrosswalk } from "../../tools/coding/ndc.js";
import { openSession } from "../../src/console/sessions.js";
import { createLogger } from "../../src/logger.js";
import { ReferenceData } from "../../src/reference-data/reference-data.js";
import { SandboxClock } from "../../src/sandbox/harness.js";
import type { App } from "../../src/server/app.js";
import { buildTestApp } from "../helpers/app.js";
import { createTestUsers } from "../helpers/browser.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";

describe.each(DATABASE_KINDS)("the data status page (%s)", (kind) => {
  let tdb: TestDatabase;
  let app: App;
  let data: ReferenceData;
  let cookie: string;
  // As in the sandbox: 2026-12-01, in 2026 Q4; only the 2026 Q1 files ship.
  const clock = new SandboxClock(new Date("2026-12-01T08:00:00Z"));

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    const tables = codingTablesWith(new AspPricing([]), new NdcCrosswalk([]));
    data = new ReferenceData({ pool: tdb.db.pool, tables, logger: createLogger({ level: "silent" }), now: clock.now, checkEveryMs: 0 });
    await data.prepare();
    ({ app } = await buildTestApp(tdb.db, {}, {}, { referenceData: data }));
    await createTestUsers(tdb.db, ["admin"]);
    const { rows } = await tdb.db.pool.query<{ id: string }>("SELECT id FROM users WHERE username = 'admin-user'");
    cookie = `irc_session=${await openSession(tdb.db.pool, rows[0]!.id, { idleMinutes: 30, maxHours: 12 })}`;
  }, 120_000);
  afterAll(async () => {
    data?.stop();
    await app?.close();
    await tdb?.drop();
  });

  it("lists the ASP and crosswalk quarters loaded, the code edits, and the alerts for the quarter in force", async () => {
    const res = await app.inject({ method: "GET", url: "/admin/data", headers: { cookie } });
    expect(res.statusCode).toBe(200);
    const text = res.body.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    expect(text).toContain("ASP payment limits Quarter In force Rows File Imported By 2026Q1");
    expect(text).toContain("NDC–HCPCS crosswalk Quarter In force Rows File Imported By 2026Q1");
    expect(text).toContain("service:first-start");
    for (const alert of data.alerts()) expect(text).toContain(alert.message);
    expect(data.alerts().length).toBeGreaterThan(0);
    const edits = data.codeEdits();
    expect(edits.ncciPairs).toBeGreaterThan(0);
    expect(text).toContain(`NCCI procedure-to-procedure pairs ${edits.ncciPairs}`);
    expect(text).toContain("the sample files shipped with the service");
    expect(text).toContain("Quarter in force: 2026Q4");
  });
});
