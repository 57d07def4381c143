/**
 * What protects a console session, through the app without a browser: idle timeout, absolute
 * expiry, per-account lockout after LOCK_AFTER_FAILURES failures (lifted by an admin's reset),
 * per-address throttle (429 page), a disabled user's session ending at once, `next` never leading
 * off-site, sign-ins and role changes audited, old sessions pruned by retention, and the global
 * rate limit counting each signed-in person apart even from one address.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The console plugin first: its areas import it back (account.ts is one of them).
import { safeNext } from "../../src/console/pages/account.js";
import { changeUser, findUser, LOCK_AFTER_FAILURES } from "../../src/console/users.js";
import { queryAudit } from "../../src/governance/audit-log.js";
import { runRetention } from "../../src/jobs/retention.js";
import type { App } from "../../src/server/app.js";
import { buildTestApp } from "../helpers/app.js";
import { createTestUsers, TEST_PASSWORD } from "../helpers/browser.js";
import { ConsoleClient } from "../helpers/console-client.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";

describe("safeNext", () => {
  it("keeps a path of this site and refuses anything that leaves it", () => {
    expect(safeNext("/admin/users?x=1")).toBe("/admin/users?x=1");
    for (const bad of ["//evil.example/x", "/\\evil.example", "https://evil.example/", "javascript:alert(1)", "evil", "/a b", undefined, 3, `/${"a".repeat(2001)}`]) {
      expect(safeNext(bad)).toBe("/");
    }
  });
});

describe.each(DATABASE_KINDS)("console sessions (%s)", (kind) => {
  let tdb: TestDatabase;
  let app: App;
  const idleMinutes = 30;

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    ({ app } = await buildTestApp(tdb.db, { CONSOLE_IDLE_MINUTES: String(idleMinutes), CONSOLE_SESSION_HOURS: "12", RATE_LIMIT_MAX: "40" }));
    await createTestUsers(tdb.db);
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  const sessionsOf = async (username: string) => (await tdb.db.pool.query<{ ended_at: Date | null }>(
    "SELECT s.ended_at FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE u.username = $1 ORDER BY s.created_at", [username])).rows;

  it("signs in (audited as user.signed_in with the address), and refuses `next` leading off-site", async () => {
    const client = new ConsoleClient(app, "10.0.0.1");
    const signedIn = await client.signIn("council-user", TEST_PASSWORD, "//evil.example/phish");
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe("/");
    const again = new ConsoleClient(app, "10.0.0.1");
    expect((await again.signIn("council-user", TEST_PASSWORD, "/account/password")).location).toBe("/account/password");
    const user = (await findUser(tdb.db.pool, "council-user"))!;
    const entries = await queryAudit(tdb.db.pool, { kind: "user.signed_in", subjectId: user.id });
    expect(entries).toHaveLength(2);
    expect(entries[0]?.payload).toMatchObject({ username: "council-user", ip: "10.0.0.1", method: "password" });
    expect((await findUser(tdb.db.pool, user.id))?.lastSignInAt).not.toBeNull();
  });

  it("ends a session idle longer than CONSOLE_IDLE_MINUTES, and keeps one used within it", async () => {
    const client = new ConsoleClient(app, "10.0.0.2");
    await client.signIn("staff-user", TEST_PASSWORD);
    expect((await client.get("/")).status).toBe(200);
    await tdb.db.pool.query(
      "UPDATE user_sessions SET last_seen_at = now() - make_interval(mins => $1) WHERE user_id = (SELECT id FROM users WHERE username = 'staff-user')", [idleMinutes - 2]);
    expect((await client.get("/")).status).toBe(200);
    await tdb.db.pool.query(
      "UPDATE user_sessions SET last_seen_at = now() - make_interval(mins => $1) WHERE user_id = (SELECT id FROM users WHERE username = 'staff-user')", [idleMinutes + 1]);
    const after = await client.get("/");
    expect(after.status).toBe(303);
    expect(after.location).toBe("/sign-in?next=%2F");
    expect((await sessionsOf("staff-user")).at(-1)?.ended_at).not.toBeNull();
    // Moving last_seen_at back does not revive it: it ended.
    await tdb.db.pool.query("UPDATE user_sessions SET last_seen_at = now()");
    expect((await client.get("/")).status).toBe(303);
  });

  it("ends a session at its absolute expiry whatever the activity", async () => {
    const client = new ConsoleClient(app, "10.0.0.3");
    await client.signIn("finance-user", TEST_PASSWORD);
    expect((await client.get("/")).status).toBe(200);
    await tdb.db.pool.query("UPDATE user_sessions SET expires_at = now() - interval '1 second' WHERE user_id = (SELECT id FROM users WHERE username = 'finance-user')");
    expect((await client.get("/")).status).toBe(303);
  });

  it(`locks an account after ${LOCK_AFTER_FAILURES} failures in a row, even for the right password; an admin's reset unlocks it`, async () => {
    const client = new ConsoleClient(app, "10.0.0.4");
    for (let i = 0; i < LOCK_AFTER_FAILURES; i++) {
      const refused = await client.signIn("staff-user", `wrong password ${i}`);
      expect(refused.status).toBe(i === LOCK_AFTER_FAILURES - 1 ? 429 : 401);
    }
    const locked = await new ConsoleClient(app, "10.0.0.5").signIn("staff-user", TEST_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body).toContain("This account is locked");
    const reasons = (await queryAudit(tdb.db.pool, { kind: "user.sign_in_refused" })).map((e) => (e.payload as { reason: string }).reason);
    expect(reasons.filter((r) => r === "bad-password")).toHaveLength(LOCK_AFTER_FAILURES);
    expect(reasons).toContain("locked");

    const { password } = await changeUser(tdb.db.pool, "staff-user", { resetPassword: true }, "test:admin");
    const unlocked = await new ConsoleClient(app, "10.0.0.6").signIn("staff-user", password ?? "");
    expect(unlocked.status).toBe(303);
    expect(unlocked.location).toBe("/account/password");
  });

  it("throttles failed sign-ins per address with a 429 page, whichever names are tried; other addresses go on", async () => {
    const client = new ConsoleClient(app, "10.0.0.7");
    let last;
    for (let i = 0; i < 11; i++) last = await client.signIn(`nobody-${i}`, "guess guess guess");
    expect(last?.status).toBe(429);
    expect(last?.body).toContain("Too many failed sign-ins from this computer");
    expect(last?.headers["retry-after"]).toBeDefined();
    // The right password from that address is refused too, before it is checked.
    expect((await client.signIn("admin-user", TEST_PASSWORD)).status).toBe(429);
    expect((await new ConsoleClient(app, "10.0.0.8").signIn("admin-user", TEST_PASSWORD)).status).toBe(303);
  });

  it("ends a disabled user's open session at its next request", async () => {
    const { password } = await changeUser(tdb.db.pool, "staff-user", { resetPassword: true }, "test:admin");
    const client = new ConsoleClient(app, "10.0.0.9");
    await client.signIn("staff-user", password ?? "");
    expect((await client.get("/account/password")).status).toBe(200);
    await changeUser(tdb.db.pool, "staff-user", { disabled: true }, "test:admin");
    const refused = await client.get("/account/password");
    expect(refused.status).toBe(303);
    expect(refused.location).toMatch(/^\/sign-in/);
    expect((await sessionsOf("staff-user")).every((s) => s.ended_at !== null)).toBe(true);
    const htmx = await client.get("/", { "hx-request": "true" });
    expect(htmx.status).toBe(401);
    await changeUser(tdb.db.pool, "staff-user", { disabled: false }, "test:admin");
  });

  it("audits a role change with before and after, and the new role applies to an open session", async () => {
    const client = new ConsoleClient(app, "10.0.0.10");
    await client.signIn("council-user", TEST_PASSWORD);
    expect((await client.get("/admin/users")).status).toBe(403);
    const { user } = await changeUser(tdb.db.pool, "council-user", { role: "admin" }, "test:admin");
    expect((await client.get("/admin/users")).status).toBe(200);
    const [entry] = await queryAudit(tdb.db.pool, { kind: "user.changed", subjectId: user.id });
    expect(entry).toMatchObject({ actor: "test:admin", payload: { changed: { role: { before: "council", after: "admin" } } } });
    await changeUser(tdb.db.pool, "council-user", { role: "council" }, "test:admin");
  });

  it("counts the rate limit per console session, not per address, so colleagues behind one NAT do not share it", async () => {
    const nat = "10.0.0.11";
    const first = new ConsoleClient(app, nat);
    const second = new ConsoleClient(app, nat);
    await first.signIn("admin-user", TEST_PASSWORD);
    await second.signIn("finance-user", TEST_PASSWORD);
    let status = 200;
    for (let i = 0; i < 45 && status !== 429; i++) status = (await first.get("/")).status;
    expect(status).toBe(429);
    expect((await second.get("/")).status).toBe(200);
  });

  it("prunes sessions ended, expired or idle for longer than the retention window, and keeps live ones", async () => {
    const client = new ConsoleClient(app, "10.0.0.12");
    await client.signIn("finance-user", TEST_PASSWORD);
    await tdb.db.pool.query(`UPDATE user_sessions SET created_at = now() - interval '50 days', expires_at = now() - interval '40 days'
      WHERE ended_at IS NOT NULL OR expires_at < now()`);
    const before = Number((await tdb.db.pool.query<{ n: string }>("SELECT count(*) AS n FROM user_sessions")).rows[0]?.n);
    const live = Number((await tdb.db.pool.query<{ n: string }>("SELECT count(*) AS n FROM user_sessions WHERE ended_at IS NULL AND expires_at > now()")).rows[0]?.n);
    const report = await runRetention({
      pool: tdb.db.pool, now: () => new Date(), actor: "test",
      settings: { checkpoints: { afterDays: 7, keep: "last" }, supersededReviewsDays: 90, runsDays: 400, sweepsDays: 30, consoleSessionsDays: 30,
        auditRetainMonths: 84, auditArchiveDir: "/nonexistent-archive", batchSize: 2 },
    });
    expect(report.consoleSessions).toBeGreaterThan(0);
    // Ended recently (sign-out, disable) but not 30 days ago: those stay until their window passes.
    const after = Number((await tdb.db.pool.query<{ n: string }>("SELECT count(*) AS n FROM user_sessions")).rows[0]?.n);
    expect(after).toBe(before - report.consoleSessions);
    expect(after).toBeGreaterThanOrEqual(live);
    expect((await client.get("/")).status).toBe(200);
  });
});
