/**
 * A pre-bill pass: the sweep machinery over past visits (work item type `claim`) with the real
 * pre-bill agent, on both databases — one job per visit, each visit's claim recorded and its
 * drafts made once; visits whose claims are at the payer are left out of a later pass.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SweepService } from "../../src/jobs/sweep-service.js";
import { SandboxClock, type Harness } from "../../src/sandbox/harness.js";
import { loadCodingTables } from "../../tools/coding/coding-tables.js";
import { preBillHarness } from "../helpers/pre-bill.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { TODAY, seedSmallClinic, sweepHarness } from "./sweep-harness.js";

const tables = loadCodingTables();

describe.each(DATABASE_KINDS)("pre-bill pass on %s", (kind) => {
  let t: TestDatabase;
  let h: Harness;
  let running: SweepService[] = [];
  const clock = new SandboxClock(new Date(`${TODAY}T07:00:00Z`));
  const q = async <T>(sql: string, params: unknown[] = []) => (await t.db.pool.query(sql, params)).rows as T[];

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await seedSmallClinic(t.db);
    h = await preBillHarness(t.db, clock, tables);
  }, 180_000);
  afterEach(async () => {
    for (const s of running) await s.stop(2_000);
    running = [];
  });
  afterAll(async () => t?.drop());

  it("works every captured visit of the past week once: a claim and a finished mark per visit, its drafts once; a second pass leaves billed claims out", async () => {
    const { sweeps, ehr } = await sweepHarness(t.db, { runtime: h.runtime, concurrency: 2, batchSize: 5 });
    await sweeps.start({ schedule: false });
    running.push(sweeps);
    const pass = await sweeps.preBillPass({ requestedBy: "test" });
    const expected = await ehr.findCapturedVisits({ from: pass.from, to: pass.to });
    expect(pass.total).toBe(expected.length);
    expect(pass.total).toBeGreaterThan(3);
    const done = await sweeps.waitForCompletion(pass.id, { pollMs: 200, timeoutMs: 90_000 });
    expect(done.items).toEqual({ queued: 0, done: pass.total, failed: 0 });
    const claims = await q<{ visit_id: string; status: string }>("SELECT visit_id, status FROM claims ORDER BY visit_id");
    expect(claims.map((c) => c.visit_id)).toEqual(expected.map((v) => v.encounterId).sort());
    expect(claims.every((c) => c.status === "scrubbed")).toBe(true);
    const marks = await q<{ n: number; d: number }>("SELECT count(*)::int AS n, count(DISTINCT visit_id)::int AS d FROM claim_runs WHERE sweep_id = $1", [pass.id]);
    expect(marks[0]).toEqual({ n: pass.total, d: pass.total });
    // One submission draft per visit: nothing drafted twice.
    const submits = await q<{ n: number; d: number }>("SELECT count(*)::int AS n, count(DISTINCT subject_id)::int AS d FROM review_items WHERE action_type = 'submit-claim' AND status = 'pending'");
    expect(submits[0]).toEqual({ n: pass.total, d: pass.total });

    // The first claim is submitted; tomorrow's pass does not take it again.
    const first = claims[0]!.visit_id;
    const item = (await q<{ id: string }>("SELECT r.id FROM review_items r JOIN claims c ON c.id = r.subject_id WHERE r.action_type = 'submit-claim' AND c.visit_id = $1", [first]))[0]!;
    await h.runtime.decide(item.id, { type: "accept" }, "user:test");
    expect((await q<{ status: string }>("SELECT status FROM claims WHERE visit_id = $1", [first]))[0]!.status).toMatch(/accepted|rejected/);
    const again = await sweeps.startSweep({ id: "second-pass", kind: "pre-bill", from: pass.from, to: pass.to, requestedBy: "test" });
    const billed = (await q<{ status: string }>("SELECT status FROM claims WHERE visit_id = $1", [first]))[0]!.status === "accepted";
    expect(again.total).toBe(pass.total - (billed ? 1 : 0));
    await sweeps.waitForCompletion(again.id, { pollMs: 200, timeoutMs: 90_000 });
  }, 180_000);
});
