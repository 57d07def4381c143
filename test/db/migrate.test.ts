import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { loadMigrations, migrate, pendingMigrations } from "../../src/db/migrate.js";
import { ConflictError } from "../../tools/errors.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";

async function migrationDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "irc-migrations-"));
  for (const [name, sql] of Object.entries(files)) await writeFile(path.join(dir, name), sql);
  return dir;
}

describe.each(DATABASE_KINDS)("migrations on %s", (kind) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.drop();
    t = undefined;
  });

  it("applies every shipped migration once, records it, and creates the vector extension", async () => {
    t = await createTestDatabase(kind, { migrate: false });
    const shipped = await loadMigrations();
    const first = await migrate(t.db.pool);
    expect(first.applied).toHaveLength(shipped.length);
    const second = await migrate(t.db.pool);
    expect(second).toEqual({ applied: [], alreadyApplied: shipped.length });
    const { rows } = await t.db.pool.query("SELECT version FROM schema_migrations ORDER BY version");
    expect(rows.map((r: { version: number }) => r.version)).toEqual(shipped.map((m) => m.version));
    const ext = await t.db.pool.query("SELECT extname FROM pg_extension WHERE extname = 'vector'");
    expect(ext.rowCount).toBe(1);
    expect(await pendingMigrations(t.db.pool)).toBe(0);
  });

  it("is race-free: instances migrating at once apply each migration exactly once", async () => {
    t = await createTestDatabase(kind, { migrate: false });
    const dir = await migrationDir({
      "0001_counter.sql": "CREATE TABLE counter (n integer); INSERT INTO counter VALUES (1);",
      "0002_more.sql": "INSERT INTO counter VALUES (2);",
    });
    // A server run uses separate pools (as separate instances would); on PGlite the one pool's
    // sessions migrate at once (they share a backend, so only the transaction-level lock orders them).
    const pools =
      t.url === undefined
        ? [t.db.pool, t.db.pool, t.db.pool]
        : await Promise.all([1, 2, 3].map(async () => (await openDatabase({ kind: "postgres", url: t!.url! })).pool));
    try {
      const results = await Promise.all(pools.map((pool) => migrate(pool, { dir })));
      expect(results.flatMap((r) => r.applied).sort()).toEqual(["0001_counter", "0002_more"]);
      const { rows } = await t.db.pool.query("SELECT n FROM counter ORDER BY n");
      expect(rows).toEqual([{ n: 1 }, { n: 2 }]);
    } finally {
      if (t.url !== undefined) await Promise.all(pools.map((p) => p.end()));
    }
  });

  it("rolls back a failing migration completely and keeps earlier ones", async () => {
    t = await createTestDatabase(kind, { migrate: false });
    const dir = await migrationDir({
      "0001_ok.sql": "CREATE TABLE ok_table (id integer);",
      "0002_bad.sql": "CREATE TABLE half_written (id integer); SELECT no_such_function();",
    });
    await expect(migrate(t.db.pool, { dir })).rejects.toThrow(/Migration 2 \(bad\) failed/);
    const tables = await t.db.pool.query(
      "SELECT to_regclass('ok_table') IS NOT NULL AS ok, to_regclass('half_written') IS NOT NULL AS half",
    );
    expect(tables.rows[0]).toEqual({ ok: true, half: false });
    expect(await pendingMigrations(t.db.pool, dir)).toBe(1);
  });

  it("refuses a migration whose file changed after it was applied", async () => {
    t = await createTestDatabase(kind, { migrate: false });
    const dir = await migrationDir({ "0001_a.sql": "CREATE TABLE a (id integer);" });
    await migrate(t.db.pool, { dir });
    await writeFile(path.join(dir, "0001_a.sql"), "CREATE TABLE a (id bigint);");
    await expect(migrate(t.db.pool, { dir })).rejects.toBeInstanceOf(ConflictError);
  });
});

describe("migration files", () => {
  it("refuses a gap in the numbering", async () => {
    const dir = await migrationDir({ "0001_a.sql": "SELECT 1;", "0003_c.sql": "SELECT 1;" });
    await expect(loadMigrations(dir)).rejects.toThrow(/expected number 0002/);
  });
});
