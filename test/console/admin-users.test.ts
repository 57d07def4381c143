/**
 * Admin pages for users and API keys (src/console/pages/admin-users.ts), through the app without a
 * browser: only admins open them; a one-time password or a key is shown once, never listed; the
 * last active admin user and the last admin key are refused with a message; changes are audited
 * with the admin as the actor.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryAudit } from "../../src/governance/audit-log.js";
import { authenticateKey, createApiKey } from "../../src/server/auth/api-keys.js";
import { checkSignIn, findUser } from "../../src/console/users.js";
import type { App } from "../../src/server/app.js";
import { buildTestApp } from "../helpers/app.js";
import { createTestUsers, TEST_PASSWORD } from "../helpers/browser.js";
import { ConsoleClient } from "../helpers/console-client.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../helpers/databases.js";

describe.each(DATABASE_KINDS)("admin pages for users and keys (%s)", (kind) => {
  let tdb: TestDatabase;
  let app: App;
  let admin: ConsoleClient;

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    ({ app } = await buildTestApp(tdb.db));
    await createTestUsers(tdb.db);
    admin = new ConsoleClient(app);
    expect((await admin.signIn("admin-user", TEST_PASSWORD)).status).toBe(303);
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  it("are open to admins only: other roles get a 403 page, the navigation shows them to admins", async () => {
    const home = await admin.get("/");
    expect(home.body).toContain('href="/admin/users"');
    expect(home.body).toContain('href="/admin/keys"');
    for (const role of ["staff", "council", "finance"]) {
      const other = new ConsoleClient(app);
      await other.signIn(`${role}-user`, TEST_PASSWORD);
      expect((await other.get("/")).body).not.toContain('href="/admin/users"');
      const users = await other.get("/admin/users");
      expect(users.status).toBe(403);
      expect(users.body).toContain("This page is for admin");
      expect((await other.get("/admin/keys")).status).toBe(403);
      expect((await other.post("/admin/users", { username: "sneaky", role: "admin" })).status).toBe(403);
    }
    expect(await findUser(tdb.db.pool, "sneaky")).toBeUndefined();
  });

  it("creates a user and shows the one-time password once; the list never shows it", async () => {
    const created = await admin.post("/admin/users", { username: "RNurse", displayName: "Rita Nurse", role: "staff" });
    expect(created.status).toBe(200);
    const password = /id="one-time-password">([^<]+)</.exec(created.body)?.[1] ?? "";
    expect(password).toHaveLength(20);
    expect(created.body).toContain("not shown again");
    const list = await admin.get("/admin/users");
    expect(list.body).toContain("rnurse");
    expect(list.body).toContain("Rita Nurse");
    expect(list.body).not.toContain(password);
    expect((await checkSignIn(tdb.db.pool, "rnurse", password, { ip: "127.0.0.1" })).ok).toBe(true);
    const [entry] = await queryAudit(tdb.db.pool, { kind: "user.created", subjectId: (await findUser(tdb.db.pool, "rnurse"))!.id });
    expect(entry?.actor).toMatch(/^user:.+ \(admin "admin-user"\)$/);
  });

  it("refuses a duplicate user name or a bad role with a page, not a 500", async () => {
    const duplicate = await admin.post("/admin/users", { username: "rnurse", role: "staff" });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toContain("exists already");
    const role = await admin.post("/admin/users", { username: "x", role: "boss" });
    expect(role.status).toBe(400);
    const name = await admin.post("/admin/users", { username: "not ok!", role: "staff" });
    expect(name.status).toBe(400);
  });

  it("changes a role (audited before → after), disables, enables and resets a password", async () => {
    const user = (await findUser(tdb.db.pool, "rnurse"))!;
    const role = await admin.post(`/admin/users/${user.id}/role`, { role: "council" });
    expect(role.status).toBe(200);
    expect(role.body).toContain("rnurse is now council");
    const disabled = await admin.post(`/admin/users/${user.id}/disable`, {});
    expect(disabled.body).toContain("rnurse is disabled");
    expect((await findUser(tdb.db.pool, user.id))?.disabledAt).not.toBeNull();
    expect((await admin.post(`/admin/users/${user.id}/enable`, {})).body).toContain("enabled again");
    const reset = await admin.post(`/admin/users/${user.id}/reset`, {});
    const password = /id="one-time-password">([^<]+)</.exec(reset.body)?.[1] ?? "";
    expect(password).toHaveLength(20);
    expect((await checkSignIn(tdb.db.pool, "rnurse", password, { ip: "127.0.0.1" })).ok).toBe(true);
    const changes = await queryAudit(tdb.db.pool, { kind: "user.changed", subjectId: user.id });
    expect(changes.map((e) => (e.payload as { changed: unknown }).changed)).toEqual([
      { role: { before: "staff", after: "council" } }, { disabled: true }, { disabled: false }, { passwordReset: true },
    ]);
    expect(new Set(changes.map((e) => e.actor)).size).toBe(1);
    expect(changes[0]?.actor).toContain('admin "admin-user"');
    expect((await admin.post("/admin/users/no-such-user/disable", {})).status).toBe(404);
  });

  it("refuses to disable or demote the last active admin, saying why", async () => {
    const me = (await findUser(tdb.db.pool, "admin-user"))!;
    const disabled = await admin.post(`/admin/users/${me.id}/disable`, {});
    expect(disabled.status).toBe(409);
    expect(disabled.body).toContain("last active admin");
    const demoted = await admin.post(`/admin/users/${me.id}/role`, { role: "staff" });
    expect(demoted.status).toBe(409);
    expect(demoted.body).toContain("last active admin");
    expect((await findUser(tdb.db.pool, me.id))).toMatchObject({ role: "admin", disabledAt: null });
  });

  it("creates an API key shown once, lists it by prefix only, revokes it, and refuses the last admin key", async () => {
    const created = await admin.post("/admin/keys", { name: "Scheduler", role: "service" });
    expect(created.status).toBe(200);
    const key = /id="api-key">([^<]+)</.exec(created.body)?.[1] ?? "";
    expect(key).toMatch(/^irk_/);
    const principal = await authenticateKey(tdb.db.pool, key);
    expect(principal?.role).toBe("service");
    const list = await admin.get("/admin/keys");
    expect(list.body).toContain("Scheduler");
    expect(list.body).toContain(key.slice(0, 10));
    expect(list.body).not.toContain(key);
    const revoked = await admin.post(`/admin/keys/${principal!.keyId}/revoke`, {});
    expect(revoked.body).toContain("is revoked");
    expect(await authenticateKey(tdb.db.pool, key)).toBeUndefined();
    expect((await admin.get("/admin/keys?all=1")).body).toContain("revoked 20");

    const { info } = await createApiKey(tdb.db.pool, { name: "Only admin key", role: "admin" });
    const refused = await admin.post(`/admin/keys/${info.id}/revoke`, {});
    expect(refused.status).toBe(409);
    expect(refused.body).toContain("last active admin key");
    const entries = await queryAudit(tdb.db.pool, { kind: "key.revoked" });
    expect(entries.map((e) => e.subjectId)).toEqual([principal!.keyId]);
    expect(entries[0]?.actor).toContain('admin "admin-user"');
  });

  it("refuses a change posted without its CSRF token", async () => {
    const user = (await findUser(tdb.db.pool, "staff-user"))!;
    const refused = await admin.post(`/admin/users/${user.id}/disable`, {}, { csrf: false });
    expect(refused.status).toBe(403);
    expect((await findUser(tdb.db.pool, user.id))?.disabledAt).toBeNull();
  });
});
