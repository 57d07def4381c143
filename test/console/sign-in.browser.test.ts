/** Signing in, out and changing a one-time password, in Chromium; roles and CSRF. */
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../src/console/users.js";
import { queryAudit } from "../../src/governance/audit-log.js";
import type { App } from "../../src/server/app.js";
import { createTestUsers, launchBrowser, signIn, startConsoleApp } from "../helpers/browser.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";

describe.each(DATABASE_KINDS)("console sign-in in a browser (%s)", (kind) => {
  let tdb: TestDatabase;
  let app: App;
  let baseUrl: string;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    ({ app, baseUrl } = await startConsoleApp(tdb.db));
    await createTestUsers(tdb.db);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await tdb?.drop();
  });

  it("redirects a signed-out visitor to sign in, then back to the page asked for", async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/account/password`);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    await page.getByLabel("User name").fill("staff-user");
    await page.getByLabel("Password", { exact: true }).fill("correct horse battery staple");
    await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Sign in" }).click()]);
    expect(new URL(page.url()).pathname).toBe("/account/password");
    await expect(page.locator("header .who").textContent()).resolves.toContain("Test staff");
    await context.close();
  });

  it("refuses a wrong password without saying whether the user exists, and audits the refusal", async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, "council-user", "not the password at all");
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Wrong user name or password");
    await signIn(page, baseUrl, "nobody-here", "not the password at all");
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Wrong user name or password");
    const refused = await queryAudit(tdb.db.pool, { kind: "user.sign_in_refused" });
    const reasons = refused.map((e) => (e.payload as { reason: string }).reason).sort();
    expect(reasons).toEqual(["bad-password", "unknown-user"]);
    expect(JSON.stringify(refused)).not.toContain("not the password at all");
    await context.close();
  });

  it("makes a one-time password be changed before anything else, then signs in with the new one", async () => {
    const { password } = await createUser(tdb.db.pool, { username: "new-clerk", role: "staff", createdBy: "test" });
    context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, "new-clerk", password ?? "");
    expect(new URL(page.url()).pathname).toBe("/account/password");
    await page.goto(`${baseUrl}/`);
    expect(new URL(page.url()).pathname).toBe("/account/password");
    await page.getByLabel("Current password").fill(password ?? "");
    await page.getByLabel("New password (at least 12 characters)").fill("short");
    await page.getByLabel("New password again").fill("short");
    // The browser's own minlength check stops this; the server's is tested without it.
    await page.evaluate("document.querySelectorAll('input').forEach((i) => i.removeAttribute('minlength'))");
    await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Change password" }).click()]);
    await expect(page.getByRole("alert").textContent()).resolves.toContain("at least 12 characters");
    await page.getByLabel("Current password").fill(password ?? "");
    await page.getByLabel("New password (at least 12 characters)").fill("a much longer passphrase");
    await page.getByLabel("New password again").fill("a much longer passphrase");
    await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Change password" }).click()]);
    expect(new URL(page.url()).pathname).toBe("/");
    await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Sign out" }).click()]);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    await signIn(page, baseUrl, "new-clerk", "a much longer passphrase");
    expect(new URL(page.url()).pathname).toBe("/");
    await context.close();
  });

  it("refuses a form posted without its CSRF token with a 403 page, and keeps the session", async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, "admin-user");
    const response = await page.request.post(`${baseUrl}/sign-out`, { form: { nothing: "here" } });
    expect(response.status()).toBe(403);
    expect(await response.text()).toContain("was not sent from this console");
    await page.goto(`${baseUrl}/`);
    expect(new URL(page.url()).pathname).toBe("/");
    await context.close();
  });

  it("sets the session cookie httpOnly and SameSite=Strict, and sends a CSP without inline scripts", async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, "finance-user");
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "irc_session");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Strict");
    const response = await page.goto(`${baseUrl}/`);
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toContain("unsafe-inline'; script");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    await context.close();
  });
});
