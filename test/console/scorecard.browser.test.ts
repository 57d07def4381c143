/** The leadership scorecard in Chromium: the range form, presets, charts drawn with data, tables, bad ranges. */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/server/app.js";
import { presets } from "../../src/console/pages/scorecard.js";
import { createTestUsers, launchBrowser, signIn, startConsoleApp } from "../helpers/browser.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";
import { seedScorecardVisits } from "../helpers/scorecard-seed.js";

describe("scorecard presets", () => {
  it("gives this week (Monday to Sunday), the last 30 days and this quarter", () => {
    expect(presets("2026-05-14")).toEqual([
      { label: "This week", from: "2026-05-11", to: "2026-05-17" },
      { label: "Last 30 days", from: "2026-04-15", to: "2026-05-14" },
      { label: "This quarter", from: "2026-04-01", to: "2026-06-30" },
    ]);
    expect(presets("2026-12-31")[2]).toEqual({ label: "This quarter", from: "2026-10-01", to: "2026-12-31" });
  });
});

describe.each(DATABASE_KINDS)("the scorecard page in a browser (%s)", (kind) => {
  let tdb: TestDatabase;
  let app: App;
  let baseUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    ({ app, baseUrl } = await startConsoleApp(tdb.db));
    await createTestUsers(tdb.db);
    await seedScorecardVisits(tdb.db.pool, [
      { appointment: "Appointment/a1", dateOfService: "2026-03-02", checkedAt: "2026-02-26T10:00:00Z", auth: { required: true, valid: true }, estimate: "priced" },
      { appointment: "Appointment/a2", dateOfService: "2026-03-03", checkedAt: "2026-03-02T10:00:00Z", auth: { required: true, valid: false }, reasons: ["auth-missing"], estimate: "stale", reviewed: true },
      { appointment: "Appointment/a3", dateOfService: "2026-03-10", checkedAt: "2026-03-05T10:00:00Z", reasons: ["coverage-inactive"], estimate: "priced" },
    ]);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await tdb?.drop();
  });

  it("shows a finance leader the totals and draws every chart from the range's data, with tables of the same figures", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("response", (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
    await signIn(page, baseUrl, "finance-user");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Scorecard" }).click();
    await page.waitForURL(/\/scorecard/);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Scorecard");
    // Choose the range in the form.
    await page.getByLabel("From (date of service)").fill("2026-03-01");
    await page.getByLabel("To (inclusive)").fill("2026-03-14");
    await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Show" }).click()]);
    const query = new URL(page.url()).searchParams;
    expect([query.get("from"), query.get("to")]).toEqual(["2026-03-01", "2026-03-14"]);
    const stats = await page.locator(".stats").textContent();
    expect(stats).toContain("50.0 %");
    expect(stats).toContain("1 of 2 appointments needing one");
    // a2 waited for staff: 2 of 3 eligibility checks handled by the agent alone.
    expect(stats).toContain("2 of 3 eligibility checks");
    for (const chart of ["authorization", "automation", "flagged", "exceptions", "estimates"]) {
      await page.locator(`#${chart}-chart[data-drawn="true"] canvas`).waitFor();
    }
    // Every day of the range has a row; the day of a2 shows its failed authorization.
    const authTable = page.locator('section[aria-labelledby="authorization-h"] details tbody tr');
    await expect(authTable.count()).resolves.toBe(14);
    await expect(authTable.filter({ hasText: "2026-03-03" }).textContent()).resolves.toContain("0.0 %");
    await expect(page.locator("table.compact").textContent()).resolves.toMatch(/auth-missing\s*1/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("groups a long range by week and follows the presets", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, "council-user");
    await page.goto(`${baseUrl}/scorecard?from=2026-01-01&to=2026-06-30`);
    await expect(page.locator("#estimates-h").textContent()).resolves.toBe("Patient estimates produced by week");
    const weeks = page.locator('section[aria-labelledby="estimates-h"] details tbody tr');
    await expect(weeks.count()).resolves.toBe(27);
    await expect(weeks.filter({ hasText: "2026-03-02" }).locator("td").first().textContent()).resolves.toBe("2");
    await page.getByRole("link", { name: "This quarter" }).click();
    await page.waitForURL(/from=/);
    await expect(page.getByRole("link", { name: "This quarter" }).getAttribute("aria-current")).resolves.toBe("page");
    await context.close();
  });

  it("answers a bad range with a 400 page, not an error", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, "staff-user");
    for (const query of ["from=2026-03-10&to=2026-03-01", "from=2020-01-01&to=2026-01-01", "from=2026-03-01", "from=soon&to=later", "from=2026-03-01&to=2026-03-02&bucket=year"]) {
      const response = await page.goto(`${baseUrl}/scorecard?${query}`);
      expect(response?.status(), query).toBe(400);
      await expect(page.locator("main").textContent()).resolves.toContain("not valid");
    }
    await context.close();
  });
});
