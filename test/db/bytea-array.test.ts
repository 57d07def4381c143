import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BYTEA_ARRAY_OID, parseByteaArray } from "../../src/db/bytea-array.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";

// pg-types' own parser, which ours must agree with (taken before any openDatabase installs ours).
const reference = pg.types.getTypeParser(BYTEA_ARRAY_OID, "text") as (text: string) => unknown;

describe("parseByteaArray", () => {
  it("parses hex-format elements, NULLs, empty values and nested arrays", () => {
    expect(parseByteaArray('{"\\\\x0a1b",NULL,"\\\\x"}')).toEqual([Buffer.from([10, 27]), null, Buffer.alloc(0)]);
    expect(parseByteaArray('{{"\\\\x01","\\\\x02"},{"\\\\xff",NULL}}')).toEqual([[Buffer.from([1]), Buffer.from([2])], [Buffer.from([255]), null]]);
    expect(parseByteaArray("{}")).toEqual([]);
    expect(parseByteaArray(null)).toBeNull();
  });

  it("hands anything that is not hex output to pg-types (escape format) with the same result", () => {
    const escaped = '{"abc","a\\\\\\\\b",NULL}';
    expect(parseByteaArray(escaped)).toEqual(reference(escaped));
  });
});

describe.each(DATABASE_KINDS)("bytea[] read back from %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => { t = await createTestDatabase(kind); });
  afterAll(async () => { await t.drop(); });

  it("equals pg-types' parse of the same text, byte for byte, for nested arrays of blobs", async () => {
    const blobs = [Buffer.from("{\"a\":\"x,y}\"}"), Buffer.alloc(0), Buffer.from([0, 34, 92, 123, 125, 44, 255]), Buffer.alloc(70_000, 7)];
    const sql = "SELECT array_agg(array[b, b]) AS a FROM unnest($1::bytea[]) AS b";
    const parsed = await t.db.pool.query<{ a: Buffer[][] }>(sql, [blobs]);
    expect(parsed.rows[0]?.a).toEqual(blobs.map((b) => [b, b]));
    const raw = await t.db.pool.query<{ a: string }>(`SELECT (${sql})::text AS a`, [blobs]);
    const text = raw.rows[0]?.a ?? "";
    expect(text.startsWith('{{"\\\\x')).toBe(true);
    expect(parseByteaArray(text)).toEqual(reference(text));
  });
});
