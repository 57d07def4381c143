/**
 * Bytes of database per appointment a pre-service sweep leaves (issue 16, point 7), on a small
 * generated clinic swept as the service sweeps it (test/helpers/storage-sweep.ts; row bytes as
 * stored, `pg_column_size`). The budgets of review items and checkpoints sit between what the sweep
 * wrote before they stopped repeating their drafts (at 40 appointments: review items 5.0 KiB,
 * checkpoint blobs 1.5 KiB, 7.0 KiB with the rest of the checkpoints) and what it writes now (3.7,
 * 1.0 and 5.2 KiB); the totals are guards against a gross regression. The audit log's budget sits
 * between its rows with payloads stored as text (15.7 KiB) and compressed with the preset
 * dictionary (7.2 KiB at 526 appointments, migration 0019).
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

  // The state also carries the run's effects (its checks, written with the run's end: 0.3 KiB an
  // appointment here); with review tasks copying their proposals it was 1.5 KiB before them.
  it("the checkpoints of the waiting batch runs stay within 1.45 KiB an appointment: review tasks do not copy their proposals", () => {
    expect(perAppointment("checkpoint_blobs")).toBeLessThan(1.45 * KIB);
  });

  it("what keeps a draft (review items and checkpoints) stays within 6 KiB an appointment; all the sweep's tables within 19 KiB", () => {
    const drafts = (["review_items", "checkpoints", "checkpoint_blobs", "checkpoint_writes"] as const).reduce((sum, table) => sum + perAppointment(table), 0);
    expect(drafts).toBeLessThan(6 * KIB);
    // Guards with room for entries added on purpose (a request on record before each external call): not budgets met tightly.
    const total = SWEEP_TABLES.reduce((sum, table) => sum + m.live[table].rows, 0) / m.appointments;
    expect(total).toBeLessThan(19 * KIB);
  });

  it("the audit log stays within 10 KiB of rows an appointment: payloads are stored compressed with the dictionary (15.7 KiB when stored as text)", () => {
    expect(perAppointment("audit_log")).toBeLessThan(10 * KIB);
    // Most of the payload text is gone from the rows: what is stored is under a quarter of it.
    expect(m.auditPayload.storedBytes).toBeLessThan(m.auditPayload.textBytes / 4);
  });
});
