import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { GENESIS_HASH, appendAudit, entryHash, queryAudit, verifyAuditChain } from "../../src/governance/audit-log.js";
import { CanonicalJsonText, canonicalJson } from "../../src/governance/canonical-json.js";
import { valuesList } from "../../src/db/values-list.js";
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
    const jsonl = await app.inject({ method: "GET", url: "/v1/audit/export?format=jsonl&runId=run-1", headers: keys.council });
    expect(jsonl.headers["content-type"]).toMatch(/application\/x-ndjson/);
    const lines = jsonl.body.trim().split("\n").map((l) => JSON.parse(l) as { seq: number });
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const csv = await app.inject({ method: "GET", url: "/v1/audit/export?format=csv&runId=run-1", headers: keys.admin });
    const rows = csv.body.trim().split("\r\n");
    expect(rows[0]).toBe("seq,id,at,kind,actor,runId,agent,node,subjectType,subjectId,payload,prevHash,hash");
    expect(rows).toHaveLength(7);
    expect(rows[1]).toContain('"{""amount"":""12.50"",""i"":0}"');
    const verify = await app.inject({ method: "GET", url: "/v1/audit/verify", headers: keys.council });
    // The run's six entries and the creation of the four keys.
    expect(verify.json()).toEqual({ ok: true, checked: 10, firstBadEntry: null });
    await app.close();
  });
});

describe("canonical JSON", () => {
  it("sorts keys at every depth and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });
  it("refuses values JSON cannot hold", () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson([1, { y: [Number.POSITIVE_INFINITY] }])).toThrow(/non-finite/);
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
    expect(() => canonicalJson([() => 1])).toThrow(TypeError);
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });
  it("orders index-like keys as strings, embeds canonical text raw, writes dates and toJSON values as JSON does", () => {
    expect(canonicalJson({ b: { 10: "x", 9: "y", a: 1 }, a: new Date("2026-11-23T00:00:00Z") })).toBe('{"a":"2026-11-23T00:00:00.000Z","b":{"10":"x","9":"y","a":1}}');
    expect(canonicalJson({ z: 1, inner: new CanonicalJsonText('{"k":[1,2]}') })).toBe('{"inner":{"k":[1,2]},"z":1}');
    expect(canonicalJson({ amount: { toJSON: () => "12.50" }, f: () => 1, u: undefined, list: [undefined, 2] })).toBe('{"amount":"12.50","list":[null,2]}');
    // UTF-16 code-unit order: "é" (U+00E9) before "😀" (a surrogate pair, 0xD83D…) before "\uffff".
    expect(canonicalJson({ "\uffff": 3, "😀": 2, "é": 1, Z: 0 })).toBe('{"Z":0,"é":1,"😀":2,"\uffff":3}');
  });
  it("gives the text of a plain walk of the value, for any JSON value", () => {
    // The definition, written the slow way: keys sorted at every depth, undefined members dropped.
    const reference = (v: unknown): string => {
      if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? "null" : reference(x))).join(",")}]`;
      if (v !== null && typeof v === "object") {
        const o = v as Record<string, unknown>;
        return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${reference(o[k])}`).join(",")}}`;
      }
      return JSON.stringify(v);
    };
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const keyChars = ["a", "b", "Z", "_", "1", "0", "é", "😀", "-", " "];
    const gen = (depth: number): unknown => {
      const r = next();
      if (depth > 3 || r < 0.3) return [null, true, false, 0, -0, 1.5, -3e21, "s", "q\"\\\n\u0001", "ü"][Math.floor(next() * 10)];
      if (r < 0.55) return Array.from({ length: Math.floor(next() * 4) }, () => (next() < 0.1 ? undefined : gen(depth + 1)));
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 5); i > 0; i -= 1) o[Array.from({ length: 1 + Math.floor(next() * 3) }, () => keyChars[Math.floor(next() * keyChars.length)]).join("")] = next() < 0.1 ? undefined : gen(depth + 1);
      return o;
    };
    for (let i = 0; i < 2_000; i += 1) {
      const v = gen(0);
      expect(canonicalJson(v)).toBe(reference(v));
    }
  });
});

describe("entry hash", () => {
  // The definition: SHA-256 over the previous hash, a newline and the entry's canonical JSON.
  const definition = (prev: string, entry: object) => createHash("sha256").update(`${prev}\n${canonicalJson(entry)}`).digest("hex");
  const base = {
    seq: 7, id: "0b9b6a52-3f55-4a43-9d2e-0f1d7a3c1e11", at: "2026-11-23T10:00:00.000Z", kind: "tool.call", actor: "agent:eligibility",
    runId: "run-1", agent: "eligibility", node: "verify-eligibility", subjectType: "appointment", subjectId: "Appointment/1",
  };
  const payloads: unknown[] = [
    { tool: "x", input: { b: [1, 2, { d: null, c: "é \"quoted\" \\ \u2028" }], a: 1.5 } },
    null, "a string", 0, [], { "10": 1, "9": 2, a: { z: true, y: false } },
  ];

  it("is the definition's hash, for a payload object or its canonical text, with nulls and any characters", () => {
    for (const payload of payloads) {
      for (const entry of [{ ...base, payload }, { ...base, runId: null, agent: null, node: "n\u00e9\ud83d\ude00", subjectType: null, subjectId: null, payload }]) {
        const expected = definition(GENESIS_HASH, entry);
        expect(entryHash(GENESIS_HASH, entry)).toBe(expected);
        expect(entryHash(GENESIS_HASH, { ...entry, payload: new CanonicalJsonText(canonicalJson(payload)) })).toBe(expected);
      }
    }
  });

  it("falls back to the whole entry's canonical JSON for an entry of another shape", () => {
    const odd = { ...base, agent: undefined, payload: { a: 1 } } as unknown as Parameters<typeof entryHash>[1];
    expect(entryHash(GENESIS_HASH, odd)).toBe(definition(GENESIS_HASH, odd));
  });
});

describe("valuesList", () => {
  it("numbers the placeholders row by row, for any row count, as the cached text grows", () => {
    expect(valuesList(1, 3)).toBe("($1, $2, $3)");
    expect(valuesList(2, 2)).toBe("($1, $2), ($3, $4)");
    const long = valuesList(40, 3);
    expect(long.split("), (")).toHaveLength(40);
    expect(long.endsWith("($118, $119, $120)")).toBe(true);
    expect(valuesList(3, 3)).toBe("($1, $2, $3), ($4, $5, $6), ($7, $8, $9)");
    expect(() => valuesList(0, 3)).toThrow(RangeError);
  });
});
