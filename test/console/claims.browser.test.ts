/** The console's claims area in Chromium: the worklist from the navigation, its filters and status tabs, a claim's page, and axe on both. */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/server/app.js";
import { createTestUsers, launchBrowser, seriousViolations, signIn, startConsoleApp } from "../helpers/browser.js";
import { seedConsoleClaims } from "../helpers/claims-seed.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";

// What a browser adds here is the markup, forms and links; the pages' data on both databases is
// covered by claims-pages.test.ts (app.inject), so one database is enough for Chromium's time.
describe.each(DATABASE_KINDS.slice(0, 1))("the claims pages in a browser (%s)", (kind) => {
  let tdb: TestDatabase;
  let app: App;
  let baseUrl: string;
  let browser: Browser;
  let ids: Record<string, string>;

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    ({ app, baseUrl } = await startConsoleApp(tdb.db));
    await createTestUsers(tdb.db, ["staff", "finance"]);
    ids = await seedConsoleClaims(tdb.db, 3);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await tdb?.drop();
  });

  const rowIds = (page: Page) => page.locator("table.claims tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-id")));

  it("staff open the worklist, filter it, pick a status tab and open a claim; no serious accessibility violation", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("response", (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
    await signIn(page, baseUrl, "staff-user");
    await Promise.all([page.waitForURL(/\/claims$/), page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Claims" }).click()]);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Claims");
    await expect(rowIds(page)).resolves.toHaveLength(7);
    const found = await seriousViolations(page);

    // Filters: the payer, then dates of service.
    await page.getByLabel("Payer").selectOption("SBMA1");
    await Promise.all([page.waitForURL(/payer=SBMA1/), page.getByRole("button", { name: "Apply filters" }).click()]);
    await expect(rowIds(page)).resolves.toEqual([ids["ma-1"]]);
    await Promise.all([page.waitForURL(/\/claims$/), page.getByRole("link", { name: "Clear filters" }).click()]);
    await page.getByLabel("Date of service from").fill("2026-03-02");
    await page.getByLabel("to (inclusive)").fill("2026-03-04");
    await Promise.all([page.waitForURL(/to=2026-03-04/), page.getByRole("button", { name: "Apply filters" }).click()]);
    await expect(rowIds(page)).resolves.toEqual([ids["bad-npi"], ids["ma-1"], ids["drug-1"]]);
    // A status tab keeps the dates, and counts under them.
    const tabs = page.getByRole("navigation", { name: "Statuses" });
    await expect(tabs.getByRole("link", { name: /^captured/ }).textContent()).resolves.toMatch(/captured\s+1/);
    await Promise.all([page.waitForURL(/status=accepted/), tabs.getByRole("link", { name: /^accepted/ }).click()]);
    const query = new URL(page.url()).searchParams;
    expect([query.get("status"), query.get("from"), query.get("to")]).toEqual(["accepted", "2026-03-02", "2026-03-04"]);
    await expect(tabs.getByRole("link", { name: /^accepted/ }).getAttribute("aria-current")).resolves.toBe("page");
    await expect(rowIds(page)).resolves.toEqual([ids["drug-1"]]);

    // The claim: corrected cells marked, the finding, the 837 and its acknowledgments.
    await Promise.all([page.waitForURL(/\/claims\/C/), page.getByRole("link", { name: ids["drug-1"]! }).click()]);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toContain(ids["drug-1"]);
    // Modifiers, units, charge and NDC quantity of the drug line.
    await expect(page.locator("#corrected-lines td.changed").count()).resolves.toBe(4);
    await expect(page.locator("#findings").textContent()).resolves.toContain("DRUG_UNITS");
    for (const summary of ["The 999 received", "The 277CA received"]) await page.getByText(summary).click();
    await expect(page.locator("#x12-277ca-1").isVisible()).resolves.toBe(true);
    await expect(page.locator("#x12-837-1").textContent()).resolves.toMatch(/^ISA\*.*~\nGS\*/);
    found.push(...await seriousViolations(page));

    // A rejected claim, its reasons on top.
    await page.goto(`${baseUrl}/claims/${ids["bad-npi"]}`);
    await expect(page.getByRole("note").textContent()).resolves.toContain("A7:562:85");
    found.push(...await seriousViolations(page));
    expect(found, found.join("\n")).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("finance reads claims too: the navigation has Claims and the claim page opens", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, "finance-user");
    await Promise.all([page.waitForURL(/\/claims$/), page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Claims" }).click()]);
    await Promise.all([page.waitForURL(/\/claims\/C/), page.getByRole("link", { name: ids["dep-1"]! }).click()]);
    await expect(page.getByText("Not sent to the payer yet.").isVisible()).resolves.toBe(true);
    // No link to the inbox, which finance may not open.
    await expect(page.getByRole("link", { name: "open the inbox" }).count()).resolves.toBe(0);
    await context.close();
  });
});
