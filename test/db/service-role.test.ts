/**
 * The service's database role (migration 0015): it does the service's work, but cannot alter the
 * audit trail — no UPDATE, DELETE, TRUNCATE, trigger change, ALTER or DROP on audit_log.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { pendingMigrations } from "../../src/db/migrate.js";
import { appendAudit, verifyAuditChain } from "../../src/governance/audit-log.js";
import { closeQueue, openQueue } from "../../src/jobs/queue.js";
import { createCheckpointer, setupCheckpointer } from "../../src/orchestration/checkpointer.js";
import { DATABASE_KINDS, createTestDatabase, type DatabaseKind, type TestDatabase } from "../helpers/databases.js";

/** What the service role must not be able to do to the trail. */
const ALTERATIONS = [
  "UPDATE audit_log SET actor = 'x' WHERE seq = 1",
  "DELETE FROM audit_log WHERE seq = 1",
  "TRUNCATE audit_log",
  "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update",
  "ALTER TABLE audit_log DISABLE TRIGGER ALL",
  "DROP TRIGGER audit_log_no_truncate ON audit_log",
  "CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END; $$",
  "ALTER TABLE audit_log RENAME TO audit_log_old",
  "DROP TABLE audit_log",
  "SET session_replication_role = replica",
];

/** A migrated database of the suite with a one-entry trail, dropped after it. */
function trailDatabase(kind: DatabaseKind): { readonly db: TestDatabase["db"]; readonly url: string | undefined } {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await appendAudit(t.db.pool, [{ kind: "run.started", actor: "platform", payload: { n: 1 } }]);
  });
  afterAll(async () => t.drop());
  return { get db() { return t.db; }, get url() { return t.url; } };
}

describe.each(DATABASE_KINDS)("the service's database role on %s", (kind) => {
  const t = trailDatabase(kind);

  it("infusion_rcm_service may append to the trail but not alter it; migrations create it idempotently", async () => {
    const client = await t.db.pool.connect();
    try {
      await client.query("SET ROLE infusion_rcm_service");
      for (const sql of ALTERATIONS) {
        await expect(client.query(sql), sql).rejects.toThrow(/permission denied|must be owner|must be superuser/);
      }
      await client.query("INSERT INTO runs (id, agent, subject_type, subject_id, status, input) VALUES ('r-role', 'a', 't', 's', 'running', '{}')");
      await client.query("UPDATE runs SET status = 'completed' WHERE id = 'r-role'");
      await client.query("RESET ROLE");
    } finally {
      client.release();
    }
    // Re-running the role migration (as a second database on the same server does) changes nothing.
    const { rows } = await t.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = 'infusion_rcm_service'");
    expect(rows[0]?.n).toBe(1);
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(true);
  });

});

describe.each(DATABASE_KINDS.filter((k) => k === "postgres"))("a login role of the service on %s", (kind) => {
  const t = trailDatabase(kind);

  it("a login role in infusion_rcm_service runs the service's work and cannot alter the trail", async () => {
    const login = `irc_svc_${randomBytes(4).toString("hex")}`;
    await t.db.pool.query(`CREATE ROLE ${login} LOGIN IN ROLE infusion_rcm_service`);
    const url = new URL(t.url!);
    url.username = login;
    let service: Database | undefined;
    try {
      service = await openDatabase({ kind: "postgres", url: url.toString(), poolMax: 2 });
      expect(await pendingMigrations(service.pool)).toBe(0);
      // What the service sets up at start as this role: LangGraph's checkpoint tables and the job queue's schema.
      await setupCheckpointer(service, createCheckpointer(service));
      await closeQueue(await openQueue(service, { logger: pino({ level: "silent" }), schedule: false }));
      await appendAudit(service.pool, [{ kind: "run.completed", actor: "platform", payload: { n: 2 } }]);
      for (const sql of ALTERATIONS) {
        await expect(service.pool.query(sql), sql).rejects.toThrow(/permission denied|must be owner|must be superuser/);
      }
      expect(await verifyAuditChain(service.pool)).toMatchObject({ ok: true, checked: 2 });
    } finally {
      await service?.close();
      const admin = new pg.Client({ connectionString: t.url });
      await admin.connect();
      await admin.query(`DROP OWNED BY ${login}`).finally(() => admin.end());
      await t.db.pool.query(`DROP ROLE ${login}`);
    }
  });
});
