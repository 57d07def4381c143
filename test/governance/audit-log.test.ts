import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendAudit, queryAudit, verifyAuditChain } from "../../src/governance/audit-log.js";
import { canonicalJson } from "../../src/governance/canonical-json.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { buildTestApp, keysForRoles } from "../helpers/app.js";

/** Tampering as a database superuser would: with the append-only triggers bypassed. */
async function tamper(t: TestDatabase, sql: string, params: unknown[] = []): Promise<void> {
  const client = await t.db.pool.connect();
  try {
    await client.query("SET session_replication_role = replica");
    await client.query(sql, params);
    await client.query("SET session_replication_role = DEFAULT");
  } finally {
    client.release();
  }
}

describe.each(DATABASE_KINDS)("hash-chained audit log on %s", (kind) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase(kind);
    const entries = Array.from({ length: 6 }, (_, i) => ({
      kind: "tool.call" as const, actor: "agent:test", runId: "run-1", agent: "test", node: `n${i}`, payload: { i, amount: "12.50" },
    }));
    await appendAudit(t.db.pool, entries.slice(0, 3));
    await appendAudit(t.db.pool, entries.slice(3));
  });
  afterEach(async () => t.drop());

  it("an untouched chain verifies", async () => {
    expect(await verifyAuditChain(t.db.pool)).toEqual({ ok: true, checked: 6, firstBadEntry: null });
  });

  it("the database refuses UPDATE, DELETE and TRUNCATE", async () => {
    await expect(t.db.pool.query("UPDATE audit_log SET actor = 'x' WHERE seq = 2")).rejects.toThrow(/append-only/);
    await expect(t.db.pool.query("DELETE FROM audit_log WHERE seq = 2")).rejects.toThrow(/append-only/);
    await expect(t.db.pool.query("TRUNCATE audit_log")).rejects.toThrow(/append-only/);
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(true);
  });

  it("detects a modified entry and names it", async () => {
    await tamper(t, `UPDATE audit_log SET payload = '{"i": 3, "amount": "1.50"}' WHERE seq = 4`);
    const result = await verifyAuditChain(t.db.pool);
    expect(result.ok).toBe(false);
    expect(result.firstBadEntry).toMatchObject({ seq: 4, reason: expect.stringMatching(/modified/) });
    expect(result.checked).toBe(3);
  });

  it("detects a deleted entry", async () => {
    await tamper(t, "DELETE FROM audit_log WHERE seq = 3");
    const result = await verifyAuditChain(t.db.pool);
    expect(result).toMatchObject({ ok: false, firstBadEntry: { seq: 4, reason: expect.stringMatching(/deleted/) } });
  });

  it("detects reordered entries", async () => {
    await tamper(t, "UPDATE audit_log SET seq = -1 WHERE seq = 2");
    await tamper(t, "UPDATE audit_log SET seq = 2 WHERE seq = 5");
    await tamper(t, "UPDATE audit_log SET seq = 5 WHERE seq = -1");
    const result = await verifyAuditChain(t.db.pool);
    expect(result).toMatchObject({ ok: false, firstBadEntry: { seq: 2 } });
  });

  it("detects a rewritten entry whose hash was recomputed without re-chaining its successors", async () => {
    const [entry] = await queryAudit(t.db.pool, { afterSeq: 1, limit: 1 });
    const { entryHash } = await import("../../src/governance/audit-log.js");
    const forged = { ...entry!, actor: "key:someone-else" };
    const { hash: _h, prevHash, ...body } = forged;
    await tamper(t, "UPDATE audit_log SET actor = $1, hash = $2 WHERE seq = $3", [forged.actor, entryHash(prevHash, body), entry!.seq]);
    const result = await verifyAuditChain(t.db.pool);
    expect(result).toMatchObject({ ok: false, firstBadEntry: { seq: entry!.seq + 1 } });
  });

  it("verifies across page boundaries", async () => {
    expect(await verifyAuditChain(t.db.pool, 2)).toMatchObject({ ok: true, checked: 6 });
    await tamper(t, "UPDATE audit_log SET node = 'x' WHERE seq = 5");
    expect(await verifyAuditChain(t.db.pool, 2)).toMatchObject({ ok: false, firstBadEntry: { seq: 5 } });
  });

  it("serves filtered entries, JSONL and CSV exports, and verification to the council", async () => {
    const { app } = await buildTestApp(t.db);
    const keys = await keysForRoles(t.db);
    const list = await app.inject({ method: "GET", url: "/v1/audit?runId=run-1&limit=2", headers: keys.council });
    expect((list.json() as { entries: unknown[] }).entries).toHaveLength(2);
    const jsonl = await app.inject({ method: "GET", url: "/v1/audit/export?format=jsonl", headers: keys.council });
    expect(jsonl.headers["content-type"]).toMatch(/application\/x-ndjson/);
    const lines = jsonl.body.trim().split("\n").map((l) => JSON.parse(l) as { seq: number });
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const csv = await app.inject({ method: "GET", url: "/v1/audit/export?format=csv", headers: keys.admin });
    const rows = csv.body.trim().split("\r\n");
    expect(rows[0]).toBe("seq,id,at,kind,actor,runId,agent,node,subjectType,subjectId,payload,prevHash,hash");
    expect(rows).toHaveLength(7);
    expect(rows[1]).toContain('"{""amount"":""12.50"",""i"":0}"');
    const verify = await app.inject({ method: "GET", url: "/v1/audit/verify", headers: keys.council });
    expect(verify.json()).toEqual({ ok: true, checked: 6, firstBadEntry: null });
    await app.close();
  });
});

describe("canonical JSON", () => {
  it("sorts keys at every depth and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });
  it("refuses values JSON cannot hold", () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/non-finite/);
  });
});
