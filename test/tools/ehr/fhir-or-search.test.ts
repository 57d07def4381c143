import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleFhir } from "../../../tools/ehr/sandbox/fhir-handler.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../../helpers/databases.js";
import { smallClinicBundle } from "./small-clinic.js";

type Bundle = { total: number; link: { relation: string; url: string }[]; entry?: { resource: { id: string } }[] };

describe.each(DATABASE_KINDS)("sandbox FHIR search with comma-separated values (OR) on %s", (kind) => {
  let t: TestDatabase;
  let statements: string[];
  let pool: pg.Pool;
  const BASE = "sandbox:fhir";
  const search = async (pathAndQuery: string) => {
    const res = await handleFhir(pool, "GET", pathAndQuery, undefined, BASE);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as Bundle;
  };
  const ids = (b: Bundle) => (b.entry ?? []).map((e) => e.resource.id);

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    expect((await handleFhir(t.db.pool, "POST", "", smallClinicBundle(), BASE)).status).toBe(200);
    // Counts the SQL statements each interaction sends.
    pool = { query: (text: string, values?: unknown[]) => { statements.push(text); return t.db.pool.query(text, values); } } as unknown as pg.Pool;
  });
  afterAll(async () => t.drop());

  it("matches any of the values, ids or references, combined with the other parameters, in one statement", async () => {
    statements = [];
    expect(ids(await search("Appointment?_id=a1,a3,nope"))).toEqual(["a1", "a3"]);
    expect(ids(await search("MedicationRequest?patient=p1,Patient/p2&status=active"))).toEqual(["mr1", "mr2"]);
    expect(ids(await search("MedicationRequest?patient=p1,p2&status=stopped,cancelled"))).toEqual([]);
    expect(ids(await search("Coverage?patient=p1,p2"))).toEqual(["c1"]);
    expect(ids(await search("Coverage?beneficiary=p2,p1"))).toEqual(["c1"]);
    expect(ids(await search("Condition?patient=p2,p1,p3"))).toEqual(["d1"]);
    expect(ids(await search("Appointment?patient=p2,p1&service-type=infusion&date=ge2026-03-03"))).toEqual(["a2", "a3"]);
    // A single value searches as it always has.
    expect(ids(await search("MedicationRequest?patient=Patient/p2&status=active"))).toEqual(["mr2"]);
    expect(statements).toHaveLength(8);
  });

  it("pages an OR search with `next` links, one statement per page, the total on every page", async () => {
    statements = [];
    const first = await search("Appointment?patient=p1,p2&_count=2");
    expect(ids(first)).toEqual(["a1", "a2"]);
    expect(first.total).toBe(3);
    const next = first.link.find((l) => l.relation === "next")!.url;
    expect(next).toContain("patient=p1%2Cp2");
    const second = await search(next.slice(BASE.length));
    expect(ids(second)).toEqual(["a3"]);
    expect(second.total).toBe(3);
    expect(second.link.find((l) => l.relation === "next")).toBeUndefined();
    expect(statements).toHaveLength(2);
    // A page past the end still knows the total (then counted apart); an empty search does not need to.
    const past = await search("Appointment?patient=p1,p2&_count=2&_offset=10");
    expect({ total: past.total, entries: ids(past) }).toEqual({ total: 3, entries: [] });
    const none = await search("Appointment?patient=nobody");
    expect(none.total).toBe(0);
    expect(statements).toHaveLength(5);
  });

  it("still refuses an unsupported parameter, comma or not", async () => {
    const res = await handleFhir(t.db.pool, "GET", "Coverage?payor=a,b", undefined, BASE);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ resourceType: "OperationOutcome", issue: [{ expression: ["payor"] }] });
  });
});
