/** Admin: users in Chromium — create, first sign-in with the one-time password, disable, roles, the last admin. */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/server/app.js";
import { createTestUsers, launchBrowser, signIn, startConsoleApp } from "../helpers/browser.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";

describe.each(DATABASE_KINDS)("admin users in a browser (%s)", (kind) => {
  let tdb: TestDatabase;
  let app: App;
  let baseUrl: string;
  let browser: Browser;

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

  const path = (page: Page) => new URL(page.url()).pathname;
  const submit = (page: Page, name: string) => Promise.all([page.waitForNavigation(), page.getByRole("button", { name, exact: true }).click()]);

  it("admin creates a user; they sign in with the one-time password and must change it; disabled, their session is refused on the next click", async () => {
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    admin.on("dialog", (dialog) => void dialog.accept());
    await signIn(admin, baseUrl, "admin-user");
    await Promise.all([admin.waitForNavigation(), admin.getByRole("link", { name: "Users", exact: true }).click()]);
    expect(path(admin)).toBe("/admin/users");
    await admin.getByLabel("User name (letters, digits, . _ @ -)").fill("new-nurse");
    await admin.getByLabel("Full name").fill("Nora Nurse");
    await admin.getByLabel("Role", { exact: true }).selectOption("staff");
    await submit(admin, "Add user");
    const password = (await admin.locator("#one-time-password").textContent()) ?? "";
    expect(password).toHaveLength(20);
    await expect(admin.getByText("not shown again").count()).resolves.toBe(1);

    const nurseContext = await browser.newContext();
    const nurse = await nurseContext.newPage();
    await signIn(nurse, baseUrl, "new-nurse", password);
    expect(path(nurse)).toBe("/account/password");
    await nurse.getByLabel("Current password").fill(password);
    await nurse.getByLabel("New password (at least 12 characters)").fill("nurse's own passphrase");
    await nurse.getByLabel("New password again").fill("nurse's own passphrase");
    await submit(nurse, "Change password");
    expect(path(nurse)).toBe("/");
    await expect(nurse.locator("header .who").textContent()).resolves.toContain("Nora Nurse");

    await admin.goto(`${baseUrl}/admin/users`);
    const row = admin.locator('tr[data-user="new-nurse"]');
    await expect(row.textContent()).resolves.toContain("active");
    await submit(admin, "Disable new-nurse");
    await expect(admin.getByRole("status").textContent()).resolves.toContain("new-nurse is disabled");
    await expect(admin.locator('tr[data-user="new-nurse"]').textContent()).resolves.toContain("disabled");

    await Promise.all([nurse.waitForNavigation(), nurse.getByRole("link", { name: "Password" }).click()]);
    expect(path(nurse)).toBe("/sign-in");
    await signIn(nurse, baseUrl, "new-nurse", "nurse's own passphrase");
    expect(path(nurse)).toBe("/sign-in");
    await expect(nurse.getByRole("alert").textContent()).resolves.toContain("Wrong user name or password");
    await nurseContext.close();
    await adminContext.close();
  });

  it("gives staff a 403 page on /admin/users, and no Admin entries in their navigation", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl, "staff-user");
    await expect(page.getByRole("link", { name: "Users", exact: true }).count()).resolves.toBe(0);
    const response = await page.goto(`${baseUrl}/admin/users`);
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Not allowed");
    await expect(page.locator("main").textContent()).resolves.toContain("This page is for admin");
    await context.close();
  });

  it("refuses to disable or demote the last admin, saying why", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on("dialog", (dialog) => void dialog.accept());
    await signIn(page, baseUrl, "admin-user");
    await page.goto(`${baseUrl}/admin/users`);
    await submit(page, "Disable admin-user");
    await expect(page.getByRole("status").textContent()).resolves.toContain("last active admin");
    await expect(page.locator('tr[data-user="admin-user"]').textContent()).resolves.toContain("active");
    await page.getByLabel("Role of admin-user").selectOption("staff");
    await submit(page, "Change role of admin-user");
    await expect(page.getByRole("status").textContent()).resolves.toContain("last active admin");
    // Still an admin: the page still opens.
    expect((await page.goto(`${baseUrl}/admin/users`))?.status()).toBe(200);
    await context.close();
  });
});
