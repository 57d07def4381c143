import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { appendFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  GENESIS_HASH, hashBytes, appendAudit, auditChainHead, entryHash, queryAudit, verifyAuditChain, type ChainVerification, type HashedEntry,
} from "../../src/governance/audit-log.js";
import { AuditAnchors, type AuditAnchor } from "../../src/governance/audit-anchors.js";
import { StaticAuditKeyring, auditKeyId, auditKeyring, useAuditKeyring } from "../../src/governance/audit-keys.js";
import { AgentRegistry } from "../../src/orchestration/registry.js";
import { SubmissionLog, testAgent } from "../orchestration/test-agent.js";
import { TEST_AUDIT_SECRET } from "../helpers/audit-key-setup.js";
import { encodeAuditPayload } from "../../src/governance/audit-payload.js";
import { CanonicalJsonText, canonicalJson } from "../../src/governance/canonical-json.js";
import { valuesList } from "../../src/db/values-list.js";
import { tamper } from "../helpers/audit-tamper.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { buildTestApp, keysForRoles } from "../helpers/app.js";

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
    expect(await verifyAuditChain(t.db.pool)).toEqual({ ok: true, checked: 6, firstBadEntry: null, unkeyed: 0, anchor: null });
  });

  it("the database refuses UPDATE, DELETE and TRUNCATE", async () => {
    await expect(t.db.pool.query("UPDATE audit_log SET actor = 'x' WHERE seq = 2")).rejects.toThrow(/append-only/);
    await expect(t.db.pool.query("DELETE FROM audit_log WHERE seq = 2")).rejects.toThrow(/append-only/);
    await expect(t.db.pool.query("TRUNCATE audit_log")).rejects.toThrow(/append-only/);
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(true);
  });

  it("detects a modified entry and names it", async () => {
    await tamper(t, "UPDATE audit_log SET payload = $1 WHERE seq = 4", [encodeAuditPayload('{"i": 3, "amount": "1.50"}')]);
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

  it("detects a rewritten entry whose hash was recomputed with the key without re-chaining its successors", async () => {
    const [entry] = await queryAudit(t.db.pool, { afterSeq: 1, limit: 1 });
    const forged = { ...entry!, actor: "key:someone-else" };
    const { hash: _h, prevHash, ...body } = forged;
    await tamper(t, "UPDATE audit_log SET actor = $1, hash = $2 WHERE seq = $3", [forged.actor, hashBytes(entryHash(prevHash, body, auditKeyring().current)), entry!.seq]);
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
    expect(rows[0]).toBe("seq,id,at,kind,actor,runId,agent,node,subjectType,subjectId,payload,prevHash,hash,keyId");
    expect(rows).toHaveLength(7);
    expect(rows[1]).toContain('"{""amount"":""12.50"",""i"":0}"');
    const verify = await app.inject({ method: "GET", url: "/v1/audit/verify", headers: keys.council });
    // The run's six entries and the creation of the four keys.
    expect(verify.json()).toEqual({ ok: true, checked: 10, firstBadEntry: null, unkeyed: 0, anchor: null });
    await app.close();
  });

  /** Appends a row as someone with write access to the database would: any hash, any key id. */
  const forge = async (seq: number, prevHash: string, keyId: string | null, hashWith: (body: HashedEntry) => string) => {
    const body: HashedEntry = {
      seq, id: `forged-${seq}`, at: "2026-11-23T10:00:00.000Z", kind: "action.executed", actor: "key:insider", runId: "run-1",
      agent: "test", node: null, subjectType: null, subjectId: null, payload: { paid: "9999.00" }, keyId,
    };
    await tamper(t, `INSERT INTO audit_log (seq, id, at, kind, actor, run_id, agent, payload, prev_hash, hash, key_id)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [seq, body.id, body.at, body.kind, body.actor, body.runId, body.agent, encodeAuditPayload(canonicalJson(body.payload)), hashBytes(prevHash), hashBytes(hashWith(body)), keyId]);
  };
  const head = async () => (await queryAudit(t.db.pool, { afterSeq: 5 }))[0]!;
  const otherKey = () => new StaticAuditKeyring([Buffer.alloc(32, 1)]).current;

  it("detects a forged row appended with a SHA-256 the forger computed, or an HMAC under another key", async () => {
    const last = await head();
    await forge(7, last.hash, null, (body) => entryHash(last.hash, body));
    expect(await verifyAuditChain(t.db.pool)).toMatchObject({ ok: false, checked: 6, firstBadEntry: { seq: 7, reason: expect.stringMatching(/unkeyed entry after keyed/) } });
    await tamper(t, "DELETE FROM audit_log WHERE seq = 7");
    const key = otherKey();
    await forge(7, last.hash, auditKeyring().current.id, (body) => entryHash(last.hash, { ...body, keyId: key.id }, key));
    expect(await verifyAuditChain(t.db.pool)).toMatchObject({ ok: false, firstBadEntry: { seq: 7, reason: expect.stringMatching(/hash does not match/) } });
    await tamper(t, "DELETE FROM audit_log WHERE seq = 7");
    await forge(7, last.hash, "k-unknown", (body) => entryHash(last.hash, body, { ...key, id: "k-unknown" }));
    expect(await verifyAuditChain(t.db.pool)).toMatchObject({ ok: false, firstBadEntry: { seq: 7, reason: expect.stringMatching(/does not hold/) } });
  });

  it("detects an edited row whose successors were all re-hashed without the key", async () => {
    const entries = await queryAudit(t.db.pool);
    let prevHash = entries[1]!.prevHash;
    for (const [i, entry] of entries.slice(1).entries()) {
      const { hash: _h, prevHash: _p, keyId: _k, ...body } = i === 0 ? { ...entry, payload: { i: 1, amount: "1.25" } } : entry;
      const hash = entryHash(prevHash, body);
      await tamper(t, "UPDATE audit_log SET payload = $1, prev_hash = $2, hash = $3, key_id = NULL WHERE seq = $4", [encodeAuditPayload(canonicalJson(body.payload)), hashBytes(prevHash), hashBytes(hash), entry.seq]);
      prevHash = hash;
    }
    expect(await verifyAuditChain(t.db.pool)).toMatchObject({ ok: false, checked: 1, firstBadEntry: { seq: 2, reason: expect.stringMatching(/unkeyed entry after keyed/) } });
  });

  it("covers every row: one with seq ≤ 0 is bad", async () => {
    await forge(0, GENESIS_HASH, auditKeyring().current.id, (body) => entryHash(GENESIS_HASH, body, auditKeyring().current));
    await forge(-5, GENESIS_HASH, auditKeyring().current.id, (body) => entryHash(GENESIS_HASH, body, auditKeyring().current));
    expect(await verifyAuditChain(t.db.pool)).toMatchObject({ ok: false, checked: 0, firstBadEntry: { seq: -5, reason: expect.stringMatching(/starts at 1/) } });
  });

  it("verifies entries written before the chain was keyed as its first entries, and entries under a retired key it still holds", async () => {
    const legacy = await createTestDatabase(kind);
    try {
      // Two entries as written before this change: plain SHA-256, no key id; the payload's text as
      // jsonb wrote it before migration 0009 kept the canonical text (spaces, jsonb's key order),
      // stored as text (format 0x00) as migration 0019 converted it.
      let prevHash = GENESIS_HASH;
      for (const seq of [1, 2]) {
        const body: HashedEntry = {
          seq, id: `legacy-${seq}`, at: "2026-11-01T10:00:00.000Z", kind: "run.started", actor: "platform", runId: null, agent: null,
          node: null, subjectType: null, subjectId: null, payload: { seq, amount: "12.50" },
        };
        const hash = entryHash(prevHash, body);
        await legacy.db.pool.query(`INSERT INTO audit_log (seq, id, at, kind, actor, payload, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [seq, body.id, body.at, body.kind, body.actor, Buffer.from(`\x00{"seq": ${seq}, "amount": "12.50"}`), hashBytes(prevHash), hashBytes(hash)]);
        prevHash = hash;
      }
      await appendAudit(legacy.db.pool, [{ kind: "run.started", actor: "platform", payload: { under: "first key" } }]);
      const rotated = new StaticAuditKeyring([TEST_AUDIT_SECRET, Buffer.alloc(32, 2)]);
      useAuditKeyring(rotated);
      await appendAudit(legacy.db.pool, [{ kind: "run.started", actor: "platform", payload: { under: "second key" } }]);
      const keyIds = (await queryAudit(legacy.db.pool)).map((e) => e.keyId);
      expect(keyIds).toEqual([null, null, auditKeyId(TEST_AUDIT_SECRET), rotated.current.id]);
      expect(await verifyAuditChain(legacy.db.pool)).toMatchObject({ ok: true, checked: 4, unkeyed: 2 });
      // Without the retired key, its entries cannot be verified.
      expect(await verifyAuditChain(legacy.db.pool, { keyring: new StaticAuditKeyring([Buffer.alloc(32, 2)]) }))
        .toMatchObject({ ok: false, firstBadEntry: { seq: 3, reason: expect.stringMatching(/does not hold/) } });
    } finally {
      useAuditKeyring(new StaticAuditKeyring([TEST_AUDIT_SECRET]));
      await legacy.drop();
    }
  });

  it("anchors the head on a schedule, only when it moved", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "irc-anchors-"));
    const anchors = new AuditAnchors({ pool: t.db.pool, dataDir });
    try {
      anchors.start(10);
      const until = async (n: number) => {
        for (let i = 0; i < 500 && (await anchors.list()).length < n; i += 1) await new Promise((r) => setTimeout(r, 10));
        return anchors.list();
      };
      expect((await until(1)).map((a) => a.anchor?.seq)).toEqual([6]);
      await appendAudit(t.db.pool, [{ kind: "run.started", actor: "platform", payload: {} }]);
      expect((await until(2)).map((a) => a.anchor?.seq)).toEqual([7, 6]);
      await anchors.stop();
      expect(await anchors.list()).toHaveLength(2);
    } finally {
      await anchors.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("anchors the head outside the database at run ends; verify reports a truncated tail, a rewritten suffix and an edited anchor", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "irc-anchors-"));
    const anchors = new AuditAnchors({ pool: t.db.pool, dataDir });
    const registry = new AgentRegistry().register(testAgent(), { log: new SubmissionLog() });
    const { app } = await buildTestApp(t.db, {}, { registry, onRunEnd: () => anchors.request("run-end") }, { auditAnchors: anchors });
    try {
      const keys = await keysForRoles(t.db);
      const verify = async () => (await app.inject({ method: "GET", url: "/v1/audit/verify", headers: keys.council })).json() as ChainVerification;
      expect(await verify()).toMatchObject({ ok: true, anchor: null });
      await app.runtime.start("test-escalator", { type: "test", id: "anchored" }, { proposals: [{ actionType: "file-note", key: `anchor-${kind}`, note: "x", confidence: 0.2 }] });
      await anchors.anchor("run-end");
      const end = await auditChainHead(t.db.pool);
      expect(end.seq).toBeGreaterThan(6);
      const listed = await app.inject({ method: "GET", url: "/v1/audit/anchors", headers: keys.council });
      expect(listed.statusCode).toBe(200);
      const body = listed.json() as { file: string; anchors: { anchor: AuditAnchor; valid: boolean }[] };
      expect(body.file).toBe("audit-anchors.jsonl");
      expect(body.anchors).toHaveLength(1); // the head moved once: one anchor
      expect(body.anchors[0]).toMatchObject({ valid: true, anchor: { seq: end.seq, hash: end.hash, keyId: auditKeyring().current.id } });
      expect((await app.inject({ method: "GET", url: "/v1/audit/anchors", headers: keys.staff })).statusCode).toBe(403);
      expect(await verify()).toMatchObject({ ok: true, checked: end.seq, anchor: { seq: end.seq, status: "matched" } });

      // An insider holding the key rewrites the last two entries: the chain holds, the anchor does not.
      const tail = await queryAudit(t.db.pool, { afterSeq: end.seq - 2 });
      let prevHash = tail[0]!.prevHash;
      for (const entry of tail) {
        const { hash: _h, prevHash: _p, ...body } = { ...entry, actor: "key:insider" };
        const hash = entryHash(prevHash, body, auditKeyring().current);
        await tamper(t, "UPDATE audit_log SET actor = $1, prev_hash = $2, hash = $3 WHERE seq = $4", [body.actor, hashBytes(prevHash), hashBytes(hash), entry.seq]);
        prevHash = hash;
      }
      expect(await verify()).toMatchObject({ ok: false, firstBadEntry: null, anchor: { seq: end.seq, status: "rewritten" } });

      // The tail removed: today's chain verifies on its own, the anchor reports the truncation.
      await tamper(t, "DELETE FROM audit_log WHERE seq > $1", [end.seq - 3]);
      expect(await verify()).toMatchObject({ ok: false, checked: end.seq - 3, firstBadEntry: null, anchor: { status: "truncated", reason: expect.stringMatching(/removed/) } });

      // An anchor edited in the file (moved back to match the truncated chain) fails its HMAC.
      const [latest] = await anchors.list(1);
      await appendFile(anchors.file, `${JSON.stringify({ ...latest!.anchor, seq: end.seq - 3 })}\n`);
      expect(await verify()).toMatchObject({ ok: false, anchor: { status: "invalid" } });
    } finally {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    }
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
