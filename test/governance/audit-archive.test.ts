/**
 * The audit log by month (migration 0018, audit-archive.ts): partitions made ahead, months past
 * their retention archived with their anchor — the file verifies on its own, the partition is
 * dropped only after, the live chain verifies from the anchor — and refused (the month kept) when
 * the export cannot be written or does not verify. The service role still cannot alter the trail.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  archiveExpiredAuditMonths, auditMonths, ensureAuditPartitions, listAuditArchives, verifyAuditArchive,
} from "../../src/governance/audit-archive.js";
import { appendAudit, queryAudit, verifyAuditChain } from "../../src/governance/audit-log.js";
import { runRetention } from "../../src/jobs/retention.js";
import { openDatabase, type Database } from "../../src/db/database.js";
import { tamper } from "../helpers/audit-tamper.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { runCliCaptured } from "../helpers/cli.js";
import { buildTestApp, keysForRoles } from "../helpers/app.js";
import { TEST_AUDIT_SECRET } from "../helpers/audit-key-setup.js";
import { appendAuditInMonth, monthOf } from "../helpers/audit-months.js";

const partitionName = (month: string) => `audit_log_y${month.slice(0, 4)}m${month.slice(5, 7)}`;
const entries = (n: number, label: string) => Array.from({ length: n }, (_, i) => ({
  kind: "tool.call" as const, actor: "agent:test", runId: `run-${label}`, agent: "test", node: `n${i}`, subjectType: "appointment", subjectId: `appt-${label}`,
  payload: { i, amount: "12.50", label },
}));

describe.each(DATABASE_KINDS)("the audit log by month on %s", (kind) => {
  let t: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    dir = await mkdtemp(path.join(tmpdir(), "irc-archive-"));
  });
  afterAll(async () => {
    await t.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("has partitions for this month and the next two; appends go into this month's, through the chain", async () => {
    const now = new Date();
    const months = await auditMonths(t.db.pool);
    for (let i = 0; i <= 2; i += 1) expect(months).toContain(monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1))));
    expect(await ensureAuditPartitions(t.db.pool)).toBe(0);
    await appendAudit(t.db.pool, entries(3, "now"));
    const { rows } = await t.db.pool.query<{ part: string }>("SELECT DISTINCT tableoid::regclass::text AS part FROM audit_log");
    expect(rows.map((r) => r.part)).toEqual([partitionName(monthOf(now))]);
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(true);
  });

  it("old months: a chain begun in 2019 continues into this month and verifies", async () => {
    // Rebuild the chain so it starts in 2019: a fresh database of this suite's kind.
    await t.drop();
    t = await createTestDatabase(kind);
    await t.db.pool.query("SELECT audit_log_create_partition('2019-01-01'), audit_log_create_partition('2019-02-01')");
    await appendAuditInMonth(t.db.pool, "2019-01-01", entries(5, "jan"));
    await appendAuditInMonth(t.db.pool, "2019-02-01", entries(3, "feb"));
    await appendAudit(t.db.pool, entries(4, "now"));
    expect(await verifyAuditChain(t.db.pool)).toMatchObject({ ok: true, checked: 12 });
  });


  it("refuses to archive, keeping the month, when the export cannot be written", async () => {
    const notADir = path.join(dir, "a-file");
    await writeFile(notADir, "x");
    await expect(archiveExpiredAuditMonths(t.db.pool, 84, { dir: notADir, actor: "test" })).rejects.toThrow(/could not be written.*kept/);
    expect(await auditMonths(t.db.pool)).toContain("2019-01-01");
    expect(await listAuditArchives(t.db.pool)).toEqual([]);
    // The retention pass reports it, keeps the month, and still records what it did.
    const report = await runRetention({
      pool: t.db.pool, now: () => new Date(), actor: "test",
      settings: { checkpoints: { afterDays: 7, keep: "last" }, supersededReviewsDays: 90, runsDays: 400, sweepsDays: 30, auditRetainMonths: 84, auditArchiveDir: notADir, batchSize: 100 },
    });
    expect(report).toMatchObject({ auditMonthsArchived: [], auditArchiveError: expect.stringMatching(/audit month 2019-01 was not archived/) });
    expect(await auditMonths(t.db.pool)).toContain("2019-01-01");
    const [pass] = await queryAudit(t.db.pool, { kind: "retention.pruned" });
    expect(pass?.payload).toMatchObject({ auditArchiveError: expect.stringMatching(/2019-01/) });
  });

  it("refuses to archive, keeping the month, when the export does not verify", async () => {
    await tamper(t, `UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3`);
    await expect(archiveExpiredAuditMonths(t.db.pool, 84, { dir, actor: "test" })).rejects.toThrow(/does not verify.*kept/);
    expect(await auditMonths(t.db.pool)).toContain("2019-01-01");
    expect(await listAuditArchives(t.db.pool)).toEqual([]);
    await tamper(t, `UPDATE audit_log SET actor = 'agent:test' WHERE seq = 3`);
  });

  it("the database drops a month only with a matching archive recorded, and never one younger than six years", async () => {
    await expect(t.db.pool.query("SELECT audit_log_drop_archived_month('2019-01-01')")).rejects.toThrow(/no recorded archive/);
    const client = await t.db.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(`INSERT INTO audit_archives (month, file, sha256, bytes, entries, first_seq, last_seq, first_prev_hash, last_hash, archived_at, archived_by)
        VALUES ('2019-01-01', 'x', 'x', 1, 4, 1, 4, repeat('0', 64), 'x', now(), 'forger')`);
      await expect(client.query("SELECT audit_log_drop_archived_month('2019-01-01')")).rejects.toThrow(/does not match its archive/);
      await client.query("ROLLBACK");
      const month = monthOf(new Date());
      await client.query("BEGIN");
      await client.query(`INSERT INTO audit_archives (month, file, sha256, bytes, entries, first_seq, last_seq, first_prev_hash, last_hash, archived_at, archived_by)
        VALUES ($1, 'x', 'x', 1, 0, 1, 0, repeat('0', 64), 'x', now(), 'forger')`, [month]);
      await expect(client.query("SELECT audit_log_drop_archived_month($1)", [month])).rejects.toThrow(/younger than six years/);
      await client.query("ROLLBACK");
    } finally {
      client.release();
    }
    expect(await auditMonths(t.db.pool)).toContain("2019-01-01");
  });

  it("archives months past retention: each file verifies alone, the partitions go, the live chain verifies from the anchor", async () => {
    const archived = await archiveExpiredAuditMonths(t.db.pool, 84, { dir, actor: "test" });
    expect(archived.map((a) => [a.month, a.entries, a.firstSeq, a.lastSeq])).toEqual([["2019-01", 5, 1, 5], ["2019-02", 3, 6, 8]]);
    const months = await auditMonths(t.db.pool);
    expect(months).not.toContain("2019-01-01");
    expect(months).not.toContain("2019-02-01");
    expect((await listAuditArchives(t.db.pool)).map((a) => a.month)).toEqual(["2019-01", "2019-02"]);

    const jan = await verifyAuditArchive(archived[0]!.file);
    expect(jan).toMatchObject({ ok: true, checked: 5, reason: null, header: { firstSeq: 1, lastSeq: 5, anchor: { seq: 5 } } });
    expect(jan.sha256).toBe(archived[0]!.sha256);
    expect(await verifyAuditArchive(archived[1]!.file)).toMatchObject({ ok: true, checked: 3, header: { firstPrevHash: jan.header!.lastHash } });

    // The rest verifies from the last archive's anchor, also after more appends.
    const live = await verifyAuditChain(t.db.pool);
    expect(live).toMatchObject({ ok: true, checked: 4 + 1 + 2, firstBadEntry: null, archivedThrough: { month: "2019-02", seq: 8 } });
    expect((await queryAudit(t.db.pool, { kind: "audit.archived" })).map((e) => (e.payload as { month: string }).month)).toEqual(["2019-01", "2019-02"]);
    await appendAudit(t.db.pool, entries(2, "later"));
    expect(await verifyAuditChain(t.db.pool)).toMatchObject({ ok: true, checked: 9 });
    // Archiving again finds nothing to do.
    expect(await archiveExpiredAuditMonths(t.db.pool, 84, { dir, actor: "test" })).toEqual([]);

    // The council sees the archives and a verify that starts from the last one's anchor.
    const { app } = await buildTestApp(t.db);
    try {
      const keys = await keysForRoles(t.db);
      const verify = await app.inject({ method: "GET", url: "/v1/audit/verify", headers: keys.council });
      // 9 live entries and the 4 keys just created (each audited).
      expect(verify.json()).toMatchObject({ ok: true, checked: 13, archivedThrough: { month: "2019-02", seq: 8 } });
      const listed = await app.inject({ method: "GET", url: "/v1/audit/archives", headers: keys.council });
      expect(listed.json().archives.map((a: { month: string; file: string }) => [a.month, a.file])).toEqual([
        ["2019-01", "audit-2019-01.jsonl.gz"], ["2019-02", "audit-2019-02.jsonl.gz"]]);
      expect((await app.inject({ method: "GET", url: "/v1/audit/archives", headers: keys.staff })).statusCode).toBe(403);
      expect((await app.inject({ method: "POST", url: "/v1/retention/run", headers: keys.council })).statusCode).toBe(403);
      const ran = await app.inject({ method: "POST", url: "/v1/retention/run", headers: keys.admin });
      expect(ran.statusCode).toBe(200);
      expect(ran.json()).toMatchObject({ runs: 0, auditMonthsArchived: [] });
    } finally {
      await app.close();
    }
  });

  it("an edited archive does not verify; the CLI verifies archives without a database", async () => {
    const [jan] = await listAuditArchives(t.db.pool);
    const text = gunzipSync(await readFile(jan!.file)).toString("utf8");
    const edited = path.join(dir, "edited.jsonl.gz");
    await writeFile(edited, gzipSync(text.replace('"amount":"12.50","i":2', '"amount":"1.50","i":2')));
    expect(await verifyAuditArchive(edited)).toMatchObject({ ok: false, reason: expect.stringMatching(/seq 3: hash does not match/) });
    const cut = path.join(dir, "cut.jsonl.gz");
    await writeFile(cut, gzipSync(text.split("\n").slice(0, -2).join("\n")));
    expect(await verifyAuditArchive(cut)).toMatchObject({ ok: false, reason: expect.stringMatching(/entries were removed/) });

    const saved = { DATA_DIR: process.env.DATA_DIR, AUDIT_KEY: process.env.AUDIT_KEY };
    process.env.DATA_DIR = dir;
    process.env.AUDIT_KEY = TEST_AUDIT_SECRET.toString("base64");
    try {
      const ok = await runCliCaptured(["audit", "verify-archive", jan!.file]);
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout).archives[0]).toMatchObject({ ok: true, month: "2019-01", checked: 5 });
      const bad = await runCliCaptured(["audit", "verify-archive", edited]);
      expect(bad.code).toBe(1);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("the service role may append and ask for partitions, but not alter, truncate, detach or drop a month", async () => {
    const month = monthOf(new Date());
    const client = await t.db.pool.connect();
    try {
      await client.query("SET ROLE infusion_rcm_service");
      for (const sql of [
        "UPDATE audit_log SET actor = 'x' WHERE seq = 9",
        "DELETE FROM audit_log WHERE seq = 9",
        "TRUNCATE audit_log",
        `DELETE FROM ${partitionName(month)}`,
        `TRUNCATE ${partitionName(month)}`,
        `ALTER TABLE audit_log DETACH PARTITION ${partitionName(month)}`,
        `DROP TABLE ${partitionName(month)}`,
        "SELECT audit_log_create_partition('2018-01-01')",
        "DELETE FROM audit_archives",
        "UPDATE audit_archives SET last_hash = 'x'",
      ]) {
        await expect(client.query(sql), sql).rejects.toThrow(/permission denied|must be owner|must be superuser/);
      }
      await client.query("SELECT audit_log_ensure_partitions(2)");
      await client.query("RESET ROLE");
    } finally {
      client.release();
    }
    await expect(t.db.pool.query("DELETE FROM audit_log WHERE seq = 9")).rejects.toThrow(/append-only/);
    await expect(t.db.pool.query(`TRUNCATE ${partitionName(month)}`)).rejects.toThrow(/append-only/);
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(true);
  });
});

describe.each(DATABASE_KINDS.filter((k) => k === "postgres"))("the retention pass as the service's login role on %s", (kind) => {
  it("makes partitions and archives an expired month through the owner's checked functions, and nothing more", async () => {
    const t = await createTestDatabase(kind);
    const dir = await mkdtemp(path.join(tmpdir(), "irc-archive-role-"));
    const login = `irc_svc_${Math.random().toString(16).slice(2, 10)}`;
    let service: Database | undefined;
    try {
      await t.db.pool.query("SELECT audit_log_create_partition('2019-05-01')");
      await appendAuditInMonth(t.db.pool, "2019-05-01", entries(3, "may"));
      await appendAudit(t.db.pool, entries(2, "now"));
      await t.db.pool.query(`CREATE ROLE ${login} LOGIN IN ROLE infusion_rcm_service`);
      const url = new URL(t.url!);
      url.username = login;
      service = await openDatabase({ kind: "postgres", url: url.toString(), poolMax: 2 });
      await expect(service.pool.query("SELECT audit_log_create_partition('2018-01-01')")).rejects.toThrow(/permission denied/);
      expect(await ensureAuditPartitions(service.pool, 3)).toBe(1);
      const archived = await archiveExpiredAuditMonths(service.pool, 84, { dir, actor: "schedule:retention" });
      expect(archived.map((a) => [a.month, a.entries])).toEqual([["2019-05", 3]]);
      expect(await auditMonths(service.pool)).not.toContain("2019-05-01");
      expect(await verifyAuditChain(service.pool)).toMatchObject({ ok: true, checked: 3, archivedThrough: { seq: 3 } });
      expect(await verifyAuditArchive(archived[0]!.file)).toMatchObject({ ok: true, checked: 3 });
    } finally {
      await service?.close();
      await t.db.pool.query(`DROP OWNED BY ${login}`).catch(() => undefined);
      await t.db.pool.query(`DROP ROLE IF EXISTS ${login}`).catch(() => undefined);
      await t.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
