/**
 * Migration 0018 converts an existing audit_log with its rows into the table partitioned by month:
 * every row kept, each in the month its chain position gives it (the running maximum of its `at`
 * month along seq, so months never decrease along the chain), the chain still verifying, the
 * service role still limited to SELECT and INSERT.
 */
import { copyFile, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrate, migrationsDir } from "../../src/db/migrate.js";
import { auditMonths } from "../../src/governance/audit-archive.js";
import { GENESIS_HASH, appendAudit, entryHash, verifyAuditChain, type HashedEntry } from "../../src/governance/audit-log.js";
import { auditKeyring } from "../../src/governance/audit-keys.js";
import { canonicalJson } from "../../src/governance/canonical-json.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { monthOf } from "../helpers/audit-months.js";

describe.each(DATABASE_KINDS)("migration 0018 on %s", (kind) => {
  let t: TestDatabase;
  let before: string;
  beforeEach(async () => {
    t = await createTestDatabase(kind, { migrate: false });
    before = await mkdtemp(path.join(tmpdir(), "irc-migrations-"));
    for (const file of (await readdir(migrationsDir())).filter((f) => f.endsWith(".sql") && f < "0018")) {
      await copyFile(path.join(migrationsDir(), file), path.join(before, file));
    }
  });
  afterEach(async () => {
    await t.drop();
    await rm(before, { recursive: true, force: true });
  });

  it("partitions the existing rows by month, keeps the chain and the service role's limits", async () => {
    await migrate(t.db.pool, { dir: before });
    // Rows as the table before 0018 held them: the third entry recorded in February, appended after March's.
    const key = auditKeyring().current;
    let prevHash = GENESIS_HASH;
    for (const [i, iso] of ["2019-01-15T10:00:00.000Z", "2019-03-02T10:00:00.000Z", "2019-02-10T10:00:00.000Z", new Date().toISOString()].entries()) {
      const seq = i + 1;
      const body: HashedEntry = {
        seq, id: `e-${seq}`, at: iso, kind: "run.started", actor: "platform", runId: null, agent: null, node: null,
        subjectType: null, subjectId: null, payload: { iso }, keyId: key.id,
      };
      const hash = entryHash(prevHash, body, key);
      await t.db.pool.query("INSERT INTO audit_log (seq, id, at, kind, actor, payload, prev_hash, hash, key_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [seq, body.id, iso, body.kind, body.actor, canonicalJson(body.payload), prevHash, hash, key.id]);
      prevHash = hash;
    }

    await migrate(t.db.pool);
    const { rows } = await t.db.pool.query<{ seq: string; month: string }>("SELECT seq, to_char(chain_month, 'YYYY-MM-DD') AS month FROM audit_log ORDER BY seq");
    const thisMonth = monthOf(new Date());
    expect(rows.map((r) => [Number(r.seq), r.month])).toEqual([[1, "2019-01-01"], [2, "2019-03-01"], [3, "2019-03-01"], [4, thisMonth]]);
    const months = await auditMonths(t.db.pool);
    expect(months).toEqual(expect.arrayContaining(["2019-01-01", "2019-03-01", thisMonth]));
    expect(months).not.toContain("2019-02-01");
    expect(await verifyAuditChain(t.db.pool)).toMatchObject({ ok: true, checked: 4 });
    await appendAudit(t.db.pool, [{ kind: "run.started", actor: "platform", payload: { after: "0018" } }]);
    expect(await verifyAuditChain(t.db.pool)).toMatchObject({ ok: true, checked: 5 });

    const client = await t.db.pool.connect();
    try {
      await client.query("SET ROLE infusion_rcm_service");
      await client.query("INSERT INTO runs (id, agent, subject_type, subject_id, status, input) VALUES ('r', 'a', 't', 's', 'running', '{}')");
      expect((await client.query("SELECT count(*) FROM audit_log")).rowCount).toBe(1);
      await expect(client.query("DELETE FROM audit_log WHERE seq = 1")).rejects.toThrow(/permission denied/);
      await expect(client.query("UPDATE audit_log SET actor = 'x'")).rejects.toThrow(/permission denied/);
      await client.query("RESET ROLE");
    } finally {
      client.release();
    }
  });
});
