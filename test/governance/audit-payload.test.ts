/**
 * The audit payload stored compressed (migration 0019, audit-payload.ts): what the chain signs and
 * what readers get are unchanged; rows written before the migration still read and verify; a
 * corrupted payload is a bad entry to verify, never a crash; decoding is bounded.
 */
import { createHash } from "node:crypto";
import { copyFile, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { deflateRawSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { migrate, migrationsDir } from "../../src/db/migrate.js";
import { AUDIT_DICTIONARY_V1, AUDIT_DICTIONARY_V1_SHA256 } from "../../src/governance/audit-dictionary.js";
import { GENESIS_HASH, appendAudit, entryHash, queryAudit, verifyAuditChain, type HashedEntry } from "../../src/governance/audit-log.js";
import {
  AuditPayloadError, MAX_PAYLOAD_BYTES, PAYLOAD_FORMAT, decodeAuditPayload, encodeAuditPayload,
} from "../../src/governance/audit-payload.js";
import { canonicalJson } from "../../src/governance/canonical-json.js";
import { tamper } from "../helpers/audit-tamper.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";

/** A payload like a sweep's: an X12 exchange with its tool's input and output. */
const exchange = (n: number) => ({
  tool: "clearinghouse.270",
  input: { appointmentId: `Appointment/${n}`, payer: "SANDBOX-BCBS", memberId: `ZX${100_000 + n}` },
  output: {
    x12: `ISA*00*          *00*          *ZZ*INFUSIONRCM    *ZZ*SANDBOXPAYER   *261201*1200*^*00501*${String(n).padStart(9, "0")}*0*T*:~GS*HS*INFUSIONRCM*SANDBOXPAYER*20261201*1200*${n}*X*005010X279A1~ST*270*0001*005010X279A1~BHT*0022*13*${n}*20261201*1200~`,
    accepted: true,
  },
  note: "Café — ünïcode stays as written",
});

describe("stored payload format", () => {
  it("round-trips text, compressing what shrinks (marker 0x01) and keeping the rest as text (marker 0x00)", () => {
    for (const value of [exchange(1), {}, null, "x", { emoji: "💉", n: [1, 2.5, "3.00"] }]) {
      const text = canonicalJson(value);
      const stored = encodeAuditPayload(text);
      expect(decodeAuditPayload(stored)).toBe(text);
      expect(decodeAuditPayload(new Uint8Array(stored))).toBe(text);
    }
    const big = encodeAuditPayload(canonicalJson(exchange(7)));
    expect(big[0]).toBe(PAYLOAD_FORMAT.deflateV1);
    expect(big.length).toBeLessThan(Buffer.byteLength(canonicalJson(exchange(7))) / 2);
    expect(encodeAuditPayload("{}")[0]).toBe(PAYLOAD_FORMAT.text);
  });

  it("refuses to inflate past the bound, an unknown marker, a body that does not inflate and an empty value, with AuditPayloadError", () => {
    const bomb = Buffer.concat([Buffer.of(0x01), deflateRawSync(Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20), { dictionary: Buffer.from(AUDIT_DICTIONARY_V1) })]);
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(() => decodeAuditPayload(bomb)).toThrow(/inflates past/);
    expect(() => decodeAuditPayload(Buffer.of(0x07, 0x7b, 0x7d))).toThrow(/unknown format marker 0x07/);
    expect(() => decodeAuditPayload(Buffer.of(0x01, 0xff, 0xff, 0xff))).toThrow(/does not inflate/);
    expect(() => decodeAuditPayload(Buffer.alloc(0))).toThrow(AuditPayloadError);
  });

  it("dictionary v1 never changes: rows stored with marker 0x01 need exactly its bytes", () => {
    const sha = createHash("sha256").update(AUDIT_DICTIONARY_V1, "utf8").digest("hex");
    expect(sha).toBe(AUDIT_DICTIONARY_V1_SHA256);
    expect(sha).toBe(PINNED_DICTIONARY_V1_SHA256);
    expect(Buffer.byteLength(AUDIT_DICTIONARY_V1)).toBeLessThanOrEqual(32 * 1024);
  });
});

/** Pinned here too, so editing the dictionary and its recorded hash together still fails. */
const PINNED_DICTIONARY_V1_SHA256 = "6a6c9a747c47abf3961ba53eaceb901c1e2e4f7694d9969168e1e7fdb741d737";

describe.each(DATABASE_KINDS)("audit payload storage on %s", (kind) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.drop();
    t = undefined;
  });

  it("entries go through the log unchanged: the same payloads read back, stored compressed, and the chain verifies", async () => {
    t = await createTestDatabase(kind);
    const payloads = [...Array.from({ length: 20 }, (_, i) => exchange(i)), {}, { amount: "12.50" }, null];
    await appendAudit(t.db.pool, payloads.map((payload, i) => ({ kind: "tool.call" as const, actor: "agent:test", runId: "run-1", node: `n${i}`, payload })));
    expect((await queryAudit(t.db.pool)).map((e) => e.payload)).toEqual(payloads);
    const { rows } = await t.db.pool.query<{ marker: number; stored: number; text: number }>(
      "SELECT get_byte(payload, 0) AS marker, octet_length(payload) AS stored FROM audit_log ORDER BY seq");
    expect(rows.slice(0, 20).every((r) => r.marker === PAYLOAD_FORMAT.deflateV1)).toBe(true);
    const storedBytes = rows.slice(0, 20).reduce((n, r) => n + Number(r.stored), 0);
    const textBytes = payloads.slice(0, 20).reduce((n, p) => n + Buffer.byteLength(canonicalJson(p)), 0);
    expect(storedBytes).toBeLessThan(textBytes / 2);
    const progress: number[] = [];
    expect(await verifyAuditChain(t.db.pool, { pageSize: 7, onProgress: (n) => progress.push(n) })).toEqual({ ok: true, checked: 23, firstBadEntry: null, unkeyed: 0, anchor: null });
    // Told after each page of 7: the console's progress bar.
    expect(progress).toEqual([7, 14, 21, 23]);
    // The hashes are stored as their 32 bytes (migration 0021), read back as the hex the chain writes.
    const { rows: hashes } = await t.db.pool.query<{ prev: number; hash: number; hex: string }>(
      "SELECT octet_length(prev_hash) AS prev, octet_length(hash) AS hash, encode(hash, 'hex') AS hex FROM audit_log ORDER BY seq");
    expect(hashes.every((r) => r.prev === 32 && r.hash === 32)).toBe(true);
    expect(hashes.map((r) => r.hex)).toEqual((await queryAudit(t.db.pool)).map((e) => e.hash));
  });

  it("rows written before migration 0019 keep their text (marker 0x00), read and verify after it, before and among new compressed ones", async () => {
    t = await createTestDatabase(kind, { migrate: false });
    const dir = await mkdtemp(path.join(tmpdir(), "irc-before-0019-"));
    try {
      for (const f of (await readdir(migrationsDir())).filter((f) => f.endsWith(".sql") && f < "0019")) await copyFile(path.join(migrationsDir(), f), path.join(dir, f));
      await migrate(t.db.pool, { dir });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // As the service wrote them before: the payload's canonical text into the json column, and an
    // unkeyed first entry whose text is as jsonb re-encoded it (spaces), hashed canonically.
    const texts = [`{"seq": 1, "amount": "12.50"}`, canonicalJson(exchange(2)), canonicalJson({ seq: 3, note: "ünïcode" })];
    let prevHash = GENESIS_HASH;
    const written: string[] = [];
    for (const [i, text] of texts.entries()) {
      const seq = i + 1;
      const body: HashedEntry = {
        seq, id: `before-${seq}`, at: "2026-11-30T10:00:00.000Z", kind: "tool.call", actor: "agent:test", runId: "run-0", agent: null,
        node: null, subjectType: null, subjectId: null, payload: JSON.parse(text) as unknown,
      };
      const hash = entryHash(prevHash, body);
      await t.db.pool.query(`INSERT INTO audit_log (seq, id, at, kind, actor, run_id, payload, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [seq, body.id, body.at, body.kind, body.actor, body.runId, text, prevHash, hash]);
      written.push(hash);
      prevHash = hash;
    }
    // 0019 and the later ones: 0021 stores the hashes as bytes, which must read back as the hex they were.
    expect((await migrate(t.db.pool)).applied[0]).toBe("0019_audit_payload_compressed");

    const { rows } = await t.db.pool.query<{ payload: Buffer }>("SELECT payload FROM audit_log ORDER BY seq");
    expect(rows.map((r) => r.payload)).toEqual(texts.map((text) => Buffer.concat([Buffer.of(0x00), Buffer.from(text, "utf8")])));
    expect((await queryAudit(t.db.pool)).map((e) => e.payload)).toEqual(texts.map((text) => JSON.parse(text) as unknown));
    expect((await queryAudit(t.db.pool)).map((e) => [e.prevHash, e.hash])).toEqual(written.map((h, i) => [i === 0 ? GENESIS_HASH : written[i - 1], h]));
    await appendAudit(t.db.pool, [{ kind: "tool.call", actor: "agent:test", runId: "run-1", payload: exchange(4) }]);
    expect(await verifyAuditChain(t.db.pool)).toEqual({ ok: true, checked: 4, firstBadEntry: null, unkeyed: 3, anchor: null });
    // The table is still append-only after the rewrite.
    await expect(t.db.pool.query("UPDATE audit_log SET actor = 'x' WHERE seq = 4")).rejects.toThrow(/append-only/);
    if (kind === "postgres") {
      const { rows: grants } = await t.db.pool.query<{ privilege_type: string }>(
        "SELECT privilege_type FROM information_schema.role_table_grants WHERE table_name = 'audit_log' AND grantee = 'infusion_rcm_service' ORDER BY 1");
      expect(grants.map((g) => g.privilege_type)).toEqual(["INSERT", "SELECT"]);
    }
  });

  it("a corrupted payload is the bad entry verify names, not a crash: a flipped byte, an unknown marker, a body inflating past the bound", async () => {
    t = await createTestDatabase(kind);
    await appendAudit(t.db.pool, Array.from({ length: 5 }, (_, i) => ({ kind: "tool.call" as const, actor: "agent:test", runId: "run-1", payload: exchange(i) })));
    const { rows: [row] } = await t.db.pool.query<{ payload: Buffer }>("SELECT payload FROM audit_log WHERE seq = 3");
    const flipped = Buffer.from(row!.payload);
    flipped[Math.floor(flipped.length / 2)]! ^= 0xff;
    const bomb = Buffer.concat([Buffer.of(0x01), deflateRawSync(Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20), { dictionary: Buffer.from(AUDIT_DICTIONARY_V1) })]);
    for (const [stored, reason] of [[flipped, /cannot be decoded|modified/], [Buffer.of(0x09, 0x7b, 0x7d), /unknown format marker 0x09/], [bomb, /inflates past/]] as const) {
      await tamper(t, "UPDATE audit_log SET payload = $1 WHERE seq = 3", [stored]);
      const result = await verifyAuditChain(t.db.pool);
      expect(result).toMatchObject({ ok: false, checked: 2, firstBadEntry: { seq: 3, reason: expect.stringMatching(reason) } });
    }
    // The log still reads around it: the entry is listed with why its payload cannot be shown.
    const [broken] = await queryAudit(t.db.pool, { afterSeq: 2, limit: 1 });
    expect(broken).toMatchObject({ seq: 3, payload: { undecodable: expect.stringMatching(/inflates past/) } });
    expect((await queryAudit(t.db.pool, { limit: 2 })).map((e) => e.payload)).toEqual([exchange(0), exchange(1)]);
  });
});
