/**
 * Single sign-on in Chromium, with the identity provider on another site than the console
 * (`localhost` against `127.0.0.1`), as in a clinic: the provider's redirect back is a cross-site
 * navigation, which carries the SameSite=Lax state cookie but would not carry a SameSite=Strict
 * one — the browser, not our HTTP client, decides that, so only a browser can show it works.
 * One database: the flow's database side is in oidc.test.ts on both.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findUser } from "../../src/console/users.js";
import { queryAudit } from "../../src/governance/audit-log.js";
import type { App } from "../../src/server/app.js";
import { launchBrowser, startConsoleApp } from "../helpers/browser.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";
import { FakeOidcProvider } from "../helpers/fake-oidc-provider.js";

describe.each(DATABASE_KINDS.slice(0, 1))("single sign-on in a browser (%s)", (kind) => {
  let tdb: TestDatabase;
  let app: App;
  let baseUrl: string;
  let browser: Browser;
  const idp = new FakeOidcProvider({ id: "infusion-rcm", secret: "browser-secret" });

  beforeAll(async () => {
    await idp.start("localhost");
    tdb = await createTestDatabase(kind);
    ({ app, baseUrl } = await startConsoleApp(tdb.db, {
      OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.client.id, OIDC_CLIENT_SECRET: idp.client.secret,
      OIDC_PROVIDER_NAME: "Clinic ID", OIDC_ROLE_CLAIM: "groups", OIDC_ROLE_MAP: "rcm-staff:staff,rcm-council:council", OIDC_AUTO_CREATE: "true",
    }));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await tdb?.drop();
    await idp.stop();
  });

  it("signs a person in through the provider and back to the page they asked for, as a user of the mapped role", async () => {
    expect(new URL(idp.issuer).hostname).not.toBe(new URL(baseUrl).hostname);
    idp.signInAs = { sub: "sub-nina", claims: { preferred_username: "nina.nurse", name: "Nina Nurse", groups: ["rcm-staff"] } };
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/inbox`);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    await Promise.all([page.waitForURL((u) => u.pathname === "/inbox", { timeout: 15_000 }), page.getByRole("link", { name: "Sign in with Clinic ID" }).click()]);
    await expect(page.locator("header .who").textContent()).resolves.toContain("Nina Nurse");
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toMatch(/Inbox/);
    const user = await findUser(tdb.db.pool, "nina.nurse");
    expect(user).toMatchObject({ role: "staff" });
    const [signedIn] = await queryAudit(tdb.db.pool, { kind: "user.signed_in", subjectId: user!.id });
    expect(signedIn?.payload).toMatchObject({ method: "oidc" });
    // The session is the console's own cookie, as a password sign-in makes it.
    const cookies = await context.cookies(baseUrl);
    expect(cookies.find((c) => c.name === "irc_session")).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    await context.close();
  });

  it("refuses someone the provider signed in who has neither a console user nor a mapped role, and says so", async () => {
    idp.signInAs = { sub: "sub-visitor", claims: { preferred_username: "visitor", groups: ["elsewhere"] } };
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/sign-in`);
    await Promise.all([page.waitForURL((u) => u.pathname.startsWith("/sign-in/oidc/callback"), { timeout: 15_000 }), page.getByRole("link", { name: "Sign in with Clinic ID" }).click()]);
    await expect(page.getByRole("alert").textContent()).resolves.toContain("no console account for you");
    expect((await context.cookies(baseUrl)).find((c) => c.name === "irc_session")).toBeUndefined();
    expect(await findUser(tdb.db.pool, "visitor")).toBeUndefined();
    await context.close();
  });
});
