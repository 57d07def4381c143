import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { computeScorecard } from "../../src/governance/scorecard.js";
import { listPayerRules, payerRulesInForce } from "../../src/reference-data/payer-rules.js";
import { startService, type RunningService } from "../../src/service.js";
import { addDays } from "../../tools/iso-dates.js";
import { LogCapture, testConfig } from "../helpers/app.js";

describe("the service's first sweep", () => {
  it("opens the queue on start, sweeps today..today+daysAhead on the sandbox with the product agents once per day, logs where to look, and closes the queue on stop", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "irc-sweep-"));
    const config = testConfig({ DATA_DIR: dataDir, PORT: "0", SANDBOX_PATIENTS: "12", SANDBOX_WEEKS: "2", SWEEP_DAYS_AHEAD: "5" });
    const logs = new LogCapture();
    let service: RunningService = await startService(config, createLogger({ level: "info" }, logs));
    try {
      const line = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => typeof l.reviews === "string");
      expect(line).toBeDefined();
      const sweepId = line!.sweepId as string;
      expect(line).toMatchObject({
        created: true, reviews: `${service.url}/v1/reviews`, sweep: `${service.url}/v1/sweeps/${sweepId}`, docs: `${service.url}/docs`,
        scorecard: expect.stringMatching(new RegExp(`^${service.url}/v1/scorecard\\?from=\\d{4}-\\d{2}-\\d{2}&to=\\d{4}-\\d{2}-\\d{2}$`)),
      });
      const done = await service.sweeps.waitForCompletion(sweepId, { pollMs: 200, timeoutMs: 60_000 });
      expect(done.total).toBeGreaterThan(0);
      expect(done.items.done).toBe(done.total);
      // Both pre-service agents checked every appointment (new agents are advisory: their drafts wait for staff).
      // Each agent checks a batch of appointments per run: at least one run per agent, never more than one per appointment.
      const runs = done.results.runs.completed + done.results.runs.waiting;
      expect(runs).toBeGreaterThanOrEqual(2);
      expect(runs).toBeLessThanOrEqual(2 * done.total);
      expect(done.results.runs.failed).toBe(0);
      const checks = await service.db.pool.query("SELECT agent, count(*)::int AS n FROM pre_service_checks WHERE sweep_id = $1 GROUP BY agent ORDER BY agent", [sweepId]);
      expect(checks.rows).toEqual([{ agent: "eligibility", n: done.total }, { agent: "prior-auth", n: done.total }]);
      // First start in sandbox mode seeds the sandbox payers' rule overlays (README, "Payer rule overlays").
      expect((await payerRulesInForce(service.db.pool, "SBMCR", "2026-11-03")).map((r) => r.kind)).toEqual(["requires-jw-jz"]);
      expect(logs.text).toMatch(/seeded \d+ default payer rules for the sandbox payers/);
      // Then the past week's visits go through the pre-bill agent: claims recorded, findings and submissions drafted.
      const pass = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => typeof l.claims === "string");
      expect(pass).toMatchObject({ created: true, claims: `${service.url}/v1/claims`, console: `${service.url}/claims` });
      const billed = await service.sweeps.waitForCompletion(pass!.sweepId as string, { pollMs: 200, timeoutMs: 60_000 });
      expect(billed.kind).toBe("pre-bill");
      expect(billed.total).toBeGreaterThan(0);
      expect(billed.items).toEqual({ queued: 0, done: billed.total, failed: 0 });
      const claims = await service.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM claims WHERE status = 'scrubbed'");
      expect(claims.rows[0]!.n).toBe(billed.total);
      const drafts = await service.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM review_items WHERE agent = 'pre-bill' AND action_type = 'submit-claim' AND status = 'pending'");
      expect(drafts.rows[0]!.n).toBe(billed.total);
    } finally {
      await service.stop();
    }
    expect(service.sweeps.running).toBe(false);

    // A restart the same day finds the first sweep made and does not sweep again.
    const again = new LogCapture();
    service = await startService(config, createLogger({ level: "info" }, again));
    try {
      const line = again.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => typeof l.reviews === "string");
      expect(line).toMatchObject({ created: false });
      // Seeded once: a restart adds no rules.
      expect(again.text).not.toMatch(/default payer rules/);
      expect((await service.db.pool.query("SELECT count(*)::int AS n FROM payer_rules")).rows[0]).toEqual({ n: (await listPayerRules(service.db.pool)).length });
    } finally {
      await service.stop();
    }
  }, 120_000);

  it("re-sweeping a range keeps one review item per draft (the new check supersedes), and the scorecard counts the swept appointments", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "irc-resweep-"));
    const config = testConfig({ DATA_DIR: dataDir, PORT: "0", SANDBOX_PATIENTS: "12", SANDBOX_WEEKS: "2", SWEEP_DAYS_AHEAD: "3" });
    const service = await startService(config, createLogger({ level: "silent" }));
    // The pre-service agents' items (the first start's pre-bill pass drafts too, about past visits).
    const pending = async () => (await service.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM review_items WHERE status = 'pending' AND agent <> 'pre-bill'")).rows[0]!.n;
    // Every sweep done (the service's own first sweep included) before counting.
    const settled = async () => {
      for (const s of await service.sweeps.list(50)) await service.sweeps.waitForCompletion(s.id, { pollMs: 200, timeoutMs: 60_000 });
    };
    try {
      const from = service.sweeps.today();
      const to = addDays(from, 3);
      const first = await service.sweeps.startSweep({ from, to, kind: "manual", requestedBy: "test" });
      const swept = await service.sweeps.waitForCompletion(first.id, { pollMs: 200, timeoutMs: 60_000 });
      expect(swept.total).toBeGreaterThan(0);
      await settled();
      const before = await pending();
      expect(before).toBeGreaterThan(0);
      const second = await service.sweeps.startSweep({ from, to, kind: "manual", requestedBy: "test" });
      await service.sweeps.waitForCompletion(second.id, { pollMs: 200, timeoutMs: 60_000 });
      expect(await pending()).toBe(before);
      const { rows } = await service.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM review_items WHERE status = 'superseded' AND agent <> 'pre-bill'");
      expect(rows[0]!.n).toBeGreaterThanOrEqual(before);
      // One pending item per draft: per appointment, action type and drug (prior-auth drafts one per drug).
      const dupes = await service.db.pool.query(
        `SELECT agent, subject_id, action_type, count(*) FROM review_items WHERE status = 'pending'
         GROUP BY agent, subject_id, action_type, draft->>'hcpcs' HAVING count(*) > 1`);
      expect(dupes.rows).toEqual([]);
      // Each swept appointment's eligibility checks count in the automation rate (at least the two sweeps' checks each).
      const card = await computeScorecard(service.db.pool, { from, to });
      expect(card.automationRate.denominator).toBeGreaterThanOrEqual(2 * swept.total);
    } finally {
      await service.stop();
    }
  }, 120_000);
});
