/** The audit key: where it comes from, and how the CSV export keeps cells text. */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AUDIT_KEY_FILE, auditKeyId, loadAuditKeyring } from "../../src/governance/audit-keys.js";
import { csvCell } from "../../src/server/routes/audit.js";

describe("audit key", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "irc-audit-key-"));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it("is created on first start in the data folder with mode 0600, and the same key is used after", async () => {
    const first = await loadAuditKeyring({ dataDir: dir });
    const file = path.join(dir, AUDIT_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const secret = Buffer.from((await readFile(file, "utf8")).trim(), "base64");
    expect(secret.length).toBe(32);
    expect(first.current.id).toBe(auditKeyId(secret));
    expect((await loadAuditKeyring({ dataDir: dir })).current.id).toBe(first.current.id);
  });

  it("AUDIT_KEY signs when set; the file's keys still verify what they signed; a rotated file's last key is current", async () => {
    const old = Buffer.alloc(32, 3);
    const newer = Buffer.alloc(32, 4);
    await writeFile(path.join(dir, AUDIT_KEY_FILE), `${old.toString("base64")}\n${newer.toString("base64")}\n`, { mode: 0o600 });
    const fromFile = await loadAuditKeyring({ dataDir: dir });
    expect(fromFile.current.id).toBe(auditKeyId(newer));
    expect(fromFile.key(auditKeyId(old))).toBeDefined();
    const env = Buffer.alloc(48, 5);
    const fromEnv = await loadAuditKeyring({ dataDir: dir, key: env.toString("base64") });
    expect(fromEnv.current.id).toBe(auditKeyId(env));
    expect(fromEnv.key(auditKeyId(old))).toBeDefined();
    // With AUDIT_KEY and no file, no file is created.
    const other = await mkdtemp(path.join(tmpdir(), "irc-audit-key-"));
    await loadAuditKeyring({ dataDir: other, key: env.toString("base64") });
    await expect(stat(path.join(other, AUDIT_KEY_FILE))).rejects.toThrow(/ENOENT/);
    await rm(other, { recursive: true });
  });

  it("refuses a key that is not base64 or shorter than 32 bytes, naming where it came from", async () => {
    await expect(loadAuditKeyring({ dataDir: dir, key: "not a key!" })).rejects.toThrow(/AUDIT_KEY: an audit key is base64/);
    await expect(loadAuditKeyring({ dataDir: dir, key: Buffer.alloc(16).toString("base64") })).rejects.toThrow(/AUDIT_KEY: .*at least 32 bytes/);
    await writeFile(path.join(dir, AUDIT_KEY_FILE), "c2hvcnQ=\n");
    await expect(loadAuditKeyring({ dataDir: dir })).rejects.toThrow(/audit\.key line 1: .*at least 32 bytes/);
  });
});

describe("audit CSV cells", () => {
  it("keeps cells that a spreadsheet would read as a formula as text (OWASP CSV injection)", () => {
    expect(csvCell("=HYPERLINK(\"http://x\")")).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-2+3")).toBe("'-2+3");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\tx")).toBe("'\tx");
    expect(csvCell("\rx")).toBe(`"'\rx"`);
    expect(csvCell("key:staff")).toBe("key:staff");
    expect(csvCell({ a: "=1" })).toBe(`"{""a"":""=1""}"`);
    expect(csvCell(null)).toBe("");
  });
});
