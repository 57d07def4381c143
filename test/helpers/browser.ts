/**
 * Browser tests: Debian's Chromium driven by playwright-core (no browser download: STACK.md,
 * "Pages and browser tests"), against the real app listening on a port, on a test database.
 * `CHROMIUM_PATH` overrides where Chromium is; without one the tests fail saying how to install it.
 */
import { existsSync } from "node:fs";
import { AxeBuilder } from "@axe-core/playwright";
import { chromium, type Browser, type Page } from "playwright-core";
import type { Database } from "../../src/db/database.js";
import { createUser, type UserRole } from "../../src/console/users.js";
import { buildTestApp } from "./app.js";
import type { App } from "../../src/server/app.js";

/** Where Chromium is: CHROMIUM_PATH, else Debian's. */
export function chromiumPath(): string {
  const given = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(given)) throw new Error(`Chromium not found at ${given}: apt-get install chromium (or set CHROMIUM_PATH)`);
  return given;
}

/** Launches headless Chromium. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}

/** The real app listening on a free local port. */
export async function startConsoleApp(
  db: Database,
  overrides: Record<string, string> = {},
  deps: Parameters<typeof buildTestApp>[3] = {},
): Promise<{ app: App; baseUrl: string }> {
  const { app } = await buildTestApp(db, overrides, {}, deps);
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, baseUrl: address };
}

/** A user with a known password (not one-time), per role, named after the role. */
export const TEST_PASSWORD = "correct horse battery staple";

export async function createTestUsers(db: Database, roles: readonly UserRole[] = ["staff", "council", "admin", "finance"]): Promise<Record<UserRole, string>> {
  const names: Partial<Record<UserRole, string>> = {};
  for (const role of roles) {
    const username = `${role}-user`;
    await createUser(db.pool, { username, displayName: `Test ${role}`, role, createdBy: "test", password: TEST_PASSWORD });
    names[role] = username;
  }
  return names as Record<UserRole, string>;
}

/** Signs in through the sign-in page; resolves once the page after it has loaded. */
export async function signIn(page: Page, baseUrl: string, username: string, password = TEST_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Sign in" }).click()]);
}

/** The serious and critical accessibility violations (axe, WCAG 2.1 A/AA and best practice) on the page now, one line per element. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((n) => `${new URL(page.url()).pathname}: [${v.impact}] ${v.id} — ${v.help} — ${n.target.join(" ")}: ${n.failureSummary?.replace(/\s+/g, " ") ?? ""}`));
}
