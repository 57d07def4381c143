/**
 * Accessibility of every console page, in Chromium with axe-core: for each role, the pages its
 * navigation links to (read from the layout, so every area added later is covered), the header's
 * own links, the home page, the sign-in page and the 403 page. No serious or critical violation
 * of WCAG 2.1 A/AA may remain; a failure lists each violation with the elements it found.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UserRole } from "../../src/console/users.js";
import type { App } from "../../src/server/app.js";
import { createTestUsers, launchBrowser, seriousViolations, signIn, startConsoleApp } from "../helpers/browser.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";
import { seedScorecardVisits } from "../helpers/scorecard-seed.js";

const ROLES: UserRole[] = ["staff", "council", "admin", "finance"];

/** The same-site links of the layout's header (navigation and account links), as paths. */
async function headerLinks(page: Page): Promise<string[]> {
  const hrefs = await page.locator("header.top a[href]").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
  return [...new Set(hrefs.filter((h) => h.startsWith("/") && !h.startsWith("//")))];
}

// Accessibility is the pages' markup, not the database's: checked once, on the embedded database (the
// pages' behaviour on both databases is in the other browser tests).
describe.each(DATABASE_KINDS.slice(0, 1))("console accessibility (%s)", (kind) => {
  let tdb: TestDatabase;
  let app: App;
  let baseUrl: string;
  let browser: Browser;
  const adminLinks: string[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    ({ app, baseUrl } = await startConsoleApp(tdb.db));
    await createTestUsers(tdb.db);
    // Some figures, so the scorecard draws its charts and tables.
    const today = new Date().toISOString().slice(0, 10);
    await seedScorecardVisits(tdb.db.pool, [
      { appointment: "Appointment/x1", dateOfService: today, checkedAt: new Date(Date.now() - 3 * 86_400_000).toISOString(), auth: { required: true, valid: true }, estimate: "priced" },
      { appointment: "Appointment/x2", dateOfService: today, checkedAt: new Date(Date.now() - 86_400_000).toISOString(), reasons: ["coverage-inactive"], estimate: "unpriced", reviewed: true },
    ]);
    browser = await launchBrowser();
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, "admin-user");
    adminLinks.push(...await headerLinks(page));
    await context.close();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await tdb?.drop();
  });

  it("the sign-in page has no serious or critical violation", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/sign-in`);
    const found = await seriousViolations(page);
    // And after a refused attempt (the alert shown).
    await signIn(page, baseUrl, "staff-user", "wrong password for sure");
    found.push(...await seriousViolations(page));
    // The check itself sees a violation when there is one: an unlabelled field planted in the page.
    await page.evaluate(() => { (globalThis as unknown as { document: { querySelector(s: string): { insertAdjacentHTML(w: string, h: string): void } } }).document.querySelector("main")!.insertAdjacentHTML("beforeend", "<input id='planted'>"); });
    const planted = await seriousViolations(page);
    await context.close();
    expect(found, found.join("\n")).toEqual([]);
    expect(planted.join("\n")).toContain("#planted");
  });

  it.each(ROLES)("every page %s can open from the navigation, home and the error pages have no serious or critical violation", async (role) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, `${role}-user`);
    const links = await headerLinks(page);
    expect(links.length).toBeGreaterThan(1);
    const found: string[] = [];
    const opened: string[] = [];
    for (const path of ["/", ...links.filter((l) => l !== "/")]) {
      const response = await page.goto(`${baseUrl}${path}`);
      expect(response?.status(), path).toBe(200);
      opened.push(path);
      found.push(...await seriousViolations(page));
    }
    // The 403 page: a page of the admin's navigation this role may not open; or, where the role
    // may open them all (admin; and before other areas exist), a page that refuses its request
    // with the same error view (a 400).
    const forbidden = adminLinks.find((l) => !links.includes(l));
    const refused = await page.goto(forbidden === undefined ? `${baseUrl}/scorecard?from=2026-02-30&to=x` : `${baseUrl}${forbidden}`);
    expect(refused?.status()).toBe(forbidden === undefined ? 400 : 403);
    found.push(...await seriousViolations(page));
    await context.close();
    expect(found, `${role} opened ${opened.join(", ")}:\n${found.join("\n")}`).toEqual([]);
  });
});
