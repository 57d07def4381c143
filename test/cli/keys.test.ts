import { describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../helpers/databases.js";
import { runCliCaptured, useCliDatabase } from "../helpers/cli.js";

describe.each(DATABASE_KINDS)("infusion-rcm keys and migrate on %s", (kind) => {
  useCliDatabase(kind);

  it("migrate applies pending migrations, then none", async () => {
    const first = await runCliCaptured(["migrate"]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).applied).toContain("0001_foundation");
    const second = await runCliCaptured(["migrate"]);
    expect(JSON.parse(second.stdout).applied).toEqual([]);
  });

  it("creates a key shown once, lists it without the secret, and revokes it", async () => {
    const created = await runCliCaptured(["keys", "create", "--role", "council", "--name", "Compliance officer"]);
    expect(created.code).toBe(0);
    const { key, id, role } = JSON.parse(created.stdout) as { key: string; id: string; role: string };
    expect(role).toBe("council");
    expect(key).toMatch(/^irk_/);
    expect(created.stderr).toContain("not shown again");

    const listed = await runCliCaptured(["keys", "list"]);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).not.toContain(key);

    const revoked = await runCliCaptured(["keys", "revoke", id]);
    expect(JSON.parse(revoked.stdout).revokedAt).not.toBeNull();
    expect(JSON.parse((await runCliCaptured(["keys", "list"])).stdout).keys).toEqual([]);
    expect(JSON.parse((await runCliCaptured(["keys", "list", "--all"])).stdout).keys).toHaveLength(1);
  });

  it("refuses to revoke the last active admin key without --force", async () => {
    const first = JSON.parse((await runCliCaptured(["keys", "create", "--role", "admin", "--name", "First admin"])).stdout) as { id: string };
    const second = JSON.parse((await runCliCaptured(["keys", "create", "--role", "admin", "--name", "Second admin"])).stdout) as { id: string };
    expect((await runCliCaptured(["keys", "revoke", second.id])).code).toBe(0);
    const refused = await runCliCaptured(["keys", "revoke", first.id]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("last active admin key");
    expect(refused.stderr).toContain("--force");
    expect(JSON.parse((await runCliCaptured(["keys", "list"])).stdout).keys).toHaveLength(1);
    const forced = await runCliCaptured(["keys", "revoke", first.id, "--force"]);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).revokedAt).not.toBeNull();
  });

  it("refuses a bad role with exit 2 naming the allowed roles", async () => {
    const res = await runCliCaptured(["keys", "create", "--role", "boss", "--name", "x"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("staff, council, admin, service");
  });
});

describe("infusion-rcm dispatcher", () => {
  it("lists commands on --help and refuses an unknown command with exit 2", async () => {
    const help = await runCliCaptured(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("keys");
    const unknown = await runCliCaptured(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });
});
