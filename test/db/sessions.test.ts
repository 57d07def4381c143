/**
 * The pool's clients as the application uses them, on both databases: a transaction sees only its
 * own statements and others wait for it (on PGlite, the sessions of one backend, kept apart by its
 * thread); statements issued together on a client (pg's pipeline mode) each get their own result,
 * an error in the middle included; a client dropped inside a transaction leaves nothing behind.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTransaction } from "../../src/db/database.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";

describe.each(DATABASE_KINDS)("pool sessions on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind, { migrate: false });
    await t.db.pool.query("CREATE TABLE session_probe (n integer PRIMARY KEY)");
  });
  afterAll(async () => { await t.drop(); });

  it("a transaction's writes are seen by other clients only once it commits, and they are not lost", async () => {
    const order: string[] = [];
    let counted: Promise<number> | undefined;
    await withTransaction(t.db.pool, async (client) => {
      await client.query("INSERT INTO session_probe VALUES (1)");
      // Another client asks while the transaction is open: it must not see the uncommitted row
      // (a server answers at once from its snapshot; PGlite's thread holds it until the commit).
      counted = t.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM session_probe WHERE n = 2").then((r) => {
        order.push("read");
        return r.rows[0]!.n;
      });
      await client.query("INSERT INTO session_probe VALUES (2)");
      order.push("commit");
    });
    const seen = await counted!;
    // PGlite: the read waited for the commit, then saw the row. A server: whenever it ran, it saw
    // the row only if it ran after the commit.
    if (kind === "pglite") expect([order, seen]).toEqual([["commit", "read"], 1]);
    else if (order[0] === "read") expect(seen).toBe(0);
    const { rows } = await t.db.pool.query<{ n: number }>("SELECT n FROM session_probe ORDER BY n");
    expect(rows.map((r) => r.n)).toEqual([1, 2]);
  });

  it("statements issued together on one client each get their own result, even after one fails", async () => {
    const client = await t.db.pool.connect();
    try {
      const results = await Promise.allSettled([
        client.query<{ x: number }>("SELECT 1 AS x"),
        client.query("SELECT no_such_column FROM session_probe"),
        client.query<{ x: string }>("SELECT $1::text AS x", ["after the error"]),
        client.query<{ n: number }>("SELECT count(*)::int AS n FROM session_probe"),
      ]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
      expect((results[0] as PromiseFulfilledResult<{ rows: { x: number }[] }>).value.rows).toEqual([{ x: 1 }]);
      expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/no_such_column/);
      expect((results[2] as PromiseFulfilledResult<{ rows: { x: string }[] }>).value.rows).toEqual([{ x: "after the error" }]);
      expect((results[3] as PromiseFulfilledResult<{ rows: { n: number }[] }>).value.rows).toEqual([{ n: 2 }]);
    } finally {
      client.release();
    }
  });

  it("a failed transaction rolls back everything it issued, and the next one on the pool goes ahead", async () => {
    await expect(withTransaction(t.db.pool, async (client) => {
      await Promise.all([
        client.query("INSERT INTO session_probe VALUES (3)"),
        client.query("INSERT INTO session_probe VALUES (1)"), // duplicate key
        client.query("INSERT INTO session_probe VALUES (4)"),
      ]);
    })).rejects.toThrow(/duplicate key/);
    await withTransaction(t.db.pool, (client) => client.query("INSERT INTO session_probe VALUES (5)"));
    const { rows } = await t.db.pool.query<{ n: number }>("SELECT n FROM session_probe ORDER BY n");
    expect(rows.map((r) => r.n)).toEqual([1, 2, 5]);
  });

  it("a client dropped inside a transaction leaves nothing written and does not hold up the others", async () => {
    const client = await t.db.pool.connect();
    await client.query("BEGIN");
    await client.query("INSERT INTO session_probe VALUES (6)");
    // Released as broken: the pool ends it; on PGlite its session's transaction is rolled back.
    client.release(new Error("dropped"));
    const { rows } = await t.db.pool.query<{ n: number }>("SELECT n FROM session_probe ORDER BY n");
    expect(rows.map((r) => r.n)).toEqual([1, 2, 5]);
  });
});
