/** The console frame without a browser: redirects, assets, bad input as an error page, `next` kept on this site. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { safeNext } from "../../src/console/pages/account.js";
import type { App } from "../../src/server/app.js";
import { buildTestApp } from "../helpers/app.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";

describe("safeNext", () => {
  it.each([
    ["/inbox?tab=x", "/inbox?tab=x"],
    ["//evil.example/", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example/", "/"],
    ["javascript:alert(1)", "/"],
    ["/a b", "/"],
    [undefined, "/"],
  ])("%s → %s", (given, expected) => {
    expect(safeNext(given)).toBe(expected);
  });
});

describe.each(DATABASE_KINDS)("console frame (%s)", (kind) => {
  let tdb: TestDatabase;
  let app: App;

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    ({ app } = await buildTestApp(tdb.db));
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  it("sends a signed-out visitor to the sign-in page with where they were going", async () => {
    const res = await app.inject({ method: "GET", url: "/account/password?x=1" });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/sign-in?next=${encodeURIComponent("/account/password?x=1")}`);
  });

  it("answers a signed-out htmx request with 401 and an HX-Redirect, not a page", async () => {
    const res = await app.inject({ method: "GET", url: "/", headers: { "hx-request": "true" } });
    expect(res.statusCode).toBe(401);
    expect(res.headers["hx-redirect"]).toBe("/sign-in");
  });

  it("serves its assets and the vendored htmx from the service, and nothing outside them", async () => {
    const css = await app.inject({ method: "GET", url: "/assets/console.css" });
    expect(css.statusCode).toBe(200);
    expect(css.headers["content-type"]).toContain("text/css");
    const htmx = await app.inject({ method: "GET", url: "/assets/htmx.min.js" });
    expect(htmx.statusCode).toBe(200);
    expect(htmx.body).toContain("htmx");
    for (const url of ["/assets/..%2f..%2fpackage.json", "/assets/%2e%2e%2fplugin.ts", "/assets/nothing.js"]) {
      expect((await app.inject({ method: "GET", url })).statusCode).toBe(404);
    }
  });

  it("answers bad input on a console form with a 400 page naming the field", async () => {
    const page = await app.inject({ method: "GET", url: "/sign-in" });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    const res = await app.inject({
      method: "POST", url: "/sign-in", headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      payload: `username=a%00b&password=x&_csrf=${encodeURIComponent(token)}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toContain("text/html");
    expect(res.body).toContain("body.username contains a NUL character");
  });

  it("refuses a sign-in posted without the CSRF cookie and token (login CSRF)", async () => {
    const res = await app.inject({ method: "POST", url: "/sign-in", payload: { username: "admin", password: "whatever-it-is" } });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain("not sent from this console");
  });

  it("answers a page with a 503 page and Retry-After when the database is unreachable, never a 500", async () => {
    const own = await createTestDatabase(kind);
    const { app: broken } = await buildTestApp(own.db);
    try {
      await own.db.pool.end();
      const res = await broken.inject({ method: "GET", url: "/", headers: { cookie: "irc_session=some-session-token" } });
      expect(res.statusCode).toBe(503);
      expect(res.headers["retry-after"]).toBe("5");
      expect(res.body).toContain("The database is busy or unreachable");
    } finally {
      await broken.close();
      await own.drop().catch(() => undefined);
    }
  });
});
