import { userInfo } from "node:os";
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { queryAudit } from "../../src/governance/audit-log.js";
import { checkSignIn } from "../../src/console/users.js";
import { openConfiguredDatabase } from "../../src/service.js";
import { DATABASE_KINDS } from "../helpers/databases.js";
import { runCliCaptured, useCliDatabase } from "../helpers/cli.js";

/** Runs `fn` on the database the CLI uses (closed after). */
async function onCliDatabase<T>(fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const db = await openConfiguredDatabase(loadConfig());
  try {
    return await fn(db.pool);
  } finally {
    await db.close();
  }
}

// Each CLI call opens the database (on PGlite: starts it), so these take longer than most tests.
describe.each(DATABASE_KINDS)("infusion-rcm users on %s", { timeout: 240_000 }, (kind) => {
  useCliDatabase(kind);

  it("creates a user with a one-time password shown once, which signs in and must be changed", async () => {
    const created = await runCliCaptured(["users", "create", "--username", "MLopez", "--role", "staff", "--name", "Maria Lopez"]);
    expect(created.code).toBe(0);
    const user = JSON.parse(created.stdout) as { password: string; username: string; role: string; displayName: string; mustChangePassword: boolean };
    expect(user).toMatchObject({ username: "mlopez", role: "staff", displayName: "Maria Lopez", mustChangePassword: true });
    expect(user.password).toHaveLength(20);
    expect(created.stderr).toContain("not shown again");

    const listed = await runCliCaptured(["users", "list"]);
    expect(listed.stdout).toContain("mlopez");
    expect(listed.stdout).not.toContain(user.password);
    expect(listed.stdout).not.toContain("scrypt$");

    const [signedIn, entries] = await onCliDatabase(async (pool) =>
      [await checkSignIn(pool, "mlopez", user.password, { ip: "127.0.0.1" }), await queryAudit(pool, { kind: "user.created" })] as const);
    expect(signedIn.ok).toBe(true);
    expect(entries.map((e) => e.actor)).toEqual([`cli:${userInfo().username}`]);
  });

  it("resets a password (the old one stops working, sessions end), disables, enables and changes the role, audited", async () => {
    const first = JSON.parse((await runCliCaptured(["users", "create", "--username", "clerk", "--role", "staff"])).stdout) as { password: string; id: string };
    const reset = await runCliCaptured(["users", "reset", "clerk"]);
    expect(reset.code).toBe(0);
    const { password } = JSON.parse(reset.stdout) as { password: string };
    expect(password).not.toBe(first.password);
    const disabled = await runCliCaptured(["users", "disable", "clerk"]);
    expect(JSON.parse(disabled.stdout).disabledAt).not.toBeNull();
    const enabled = await runCliCaptured(["users", "enable", "clerk"]);
    expect(JSON.parse(enabled.stdout).disabledAt).toBeNull();

    const promoted = await runCliCaptured(["users", "set-role", "clerk", "council"]);
    expect(JSON.parse(promoted.stdout).role).toBe("council");
    const changes = await onCliDatabase(async (pool) => {
      expect((await checkSignIn(pool, "clerk", first.password, { ip: "127.0.0.1" })).ok).toBe(false);
      expect((await checkSignIn(pool, "clerk", password, { ip: "127.0.0.1" })).ok).toBe(true);
      return queryAudit(pool, { kind: "user.changed", subjectId: first.id });
    });
    expect(changes.map((e) => (e.payload as { changed: unknown }).changed)).toEqual([
      { passwordReset: true }, { disabled: true }, { disabled: false }, { role: { before: "staff", after: "council" } },
    ]);
  });

  it("refuses to disable or demote the last active admin, and allows it once another admin exists", async () => {
    await runCliCaptured(["users", "create", "--username", "boss", "--role", "admin"]);
    const refused = await runCliCaptured(["users", "disable", "boss"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("last active admin");
    const demoted = await runCliCaptured(["users", "set-role", "boss", "staff"]);
    expect(demoted.code).toBe(2);
    expect(demoted.stderr).toContain("last active admin");
    await runCliCaptured(["users", "create", "--username", "deputy", "--role", "admin"]);
    expect((await runCliCaptured(["users", "disable", "boss"])).code).toBe(0);
  });

  it("refuses bad input with exit 2 and a message: a role, a name, an unknown user, a duplicate", async () => {
    const role = await runCliCaptured(["users", "create", "--username", "x", "--role", "boss"]);
    expect([role.code, role.stderr]).toEqual([2, expect.stringContaining("staff, council, admin, finance")]);
    const name = await runCliCaptured(["users", "create", "--username", "no spaces!", "--role", "staff"]);
    expect([name.code, name.stderr]).toEqual([2, expect.stringContaining("letters, digits")]);
    const unknown = await runCliCaptured(["users", "reset", "nobody"]);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining("No user nobody")]);
    await runCliCaptured(["users", "create", "--username", "twice", "--role", "staff"]);
    const duplicate = await runCliCaptured(["users", "create", "--username", "twice", "--role", "staff"]);
    expect([duplicate.code, duplicate.stderr]).toEqual([2, expect.stringContaining("exists already")]);
    const action = await runCliCaptured(["users", "frob"]);
    expect(action.code).toBe(2);
  });
});
