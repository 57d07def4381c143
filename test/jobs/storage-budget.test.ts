/**
 * Bytes of database per appointment a pre-service sweep leaves (issue 16, point 7), on a small
 * generated clinic swept as the service sweeps it (test/helpers/storage-sweep.ts; row bytes as
 * stored, `pg_column_size`). The budgets sit between what the sweep wrote before the review items
 * and review tasks stopped repeating their drafts (review items 5.4 KiB, checkpoint blobs 1.6 KiB,
 * all tables 26.2 KiB per appointment in `npm run bench:storage`) and what it writes now.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { sweepAndMeasure, type SweepStorage } from "../helpers/storage-sweep.js";
import { SWEEP_TABLES } from "../helpers/storage-usage.js";

const KIB = 1024;

describe.each(DATABASE_KINDS)("bytes per appointment a sweep leaves on %s", (kind) => {
  let t: TestDatabase;
  let dir: string;
  let m: SweepStorage;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    dir = await mkdtemp(path.join(tmpdir(), "irc-storage-"));
    m = await sweepAndMeasure(t.db, dir, 40);
  }, 180_000);
  afterAll(async () => {
    await t.drop();
    await rm(dir, { recursive: true, force: true });
  });
  const perAppointment = (table: (typeof SWEEP_TABLES)[number]) => m.live[table].rows / m.appointments;

  it("review items stay within 4.5 KiB an appointment: the rationale and evidence are not stored again in the Agent Inbox description", async () => {
    expect(m.appointments).toBeGreaterThanOrEqual(40);
    expect(perAppointment("review_items")).toBeLessThan(4.5 * KIB);
    const { rows } = await t.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM review_items WHERE interrupt ? 'description'");
    expect(rows[0]!.n).toBe(0);
  });

  it("the checkpoints of the waiting batch runs stay within 1.3 KiB an appointment: review tasks do not copy their proposals", () => {
    expect(perAppointment("checkpoint_blobs")).toBeLessThan(1.3 * KIB);
  });

  it("all the sweep's tables together stay within 24 KiB an appointment, and the audit log within 15.5 KiB", () => {
    const total = SWEEP_TABLES.reduce((sum, table) => sum + m.live[table].rows, 0) / m.appointments;
    expect(total).toBeLessThan(24 * KIB);
    expect(perAppointment("audit_log")).toBeLessThan(15.5 * KIB);
  });
});
