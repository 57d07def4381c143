/**
 * Issue 16: two service processes share a sweep on one PostgreSQL database and one of them is
 * killed with SIGKILL at a chosen point (src/crash-points.ts): before a batch's runs, in the middle
 * of a run, after a run's end is committed, after a batch's items are settled. The other instance
 * takes over the dead one's work within the takeover goal (30 s), and the sweep ends with nothing
 * lost, nothing done twice, no run left running and no effect without its audit entry, with the
 * audit chain verifying.
 */
import { describe, expect, it } from "vitest";
import { addDays } from "../tools/iso-dates.js";
import { createApiKey } from "../src/server/auth/api-keys.js";
import { CRASH_POINTS, type CrashPoint } from "../src/crash-points.js";
import { TEST_AUDIT_SECRET } from "./helpers/audit-key-setup.js";
import { createTestDatabase } from "./helpers/databases.js";
import { spawnService, type ServiceProcess } from "./helpers/instances.js";

/** The takeover goal (issue 16, point 1). */
const TAKEOVER_GOAL_MS = 30_000;

/** What every instance runs with: small batches (many per sweep, so a crash lands mid-sweep), quick heartbeats. */
const INSTANCE_ENV = {
  SANDBOX_PATIENTS: "60", SANDBOX_WEEKS: "2", SWEEP_ON_START: "false", SWEEP_BATCH_SIZE: "5", SWEEP_CONCURRENCY: "1",
  INSTANCE_HEARTBEAT_SECONDS: "1", INSTANCE_DEAD_AFTER_SECONDS: "4", AUDIT_ANCHOR_EVERY_MS: "0",
};

describe.runIf(process.env.TEST_DATABASE_URL !== undefined)("a service instance killed in the middle of a shared sweep (two processes, PostgreSQL)", () => {
  it.each(CRASH_POINTS.map((p) => [p]))("killed at %s: taken over in time, 0 lost, 0 duplicates, 0 runs left running, every effect audited", async (point: CrashPoint) => {
    const t = await createTestDatabase("postgres", { migrate: false });
    // The instances sign the chain with this process's key (the API key created below is audited here).
    const common = { ...INSTANCE_ENV, DATABASE_URL: t.url!, AUDIT_KEY: TEST_AUDIT_SECRET.toString("base64") };
    const instances: ServiceProcess[] = [];
    try {
      // The survivor first (it migrates and seeds), then the one that will crash.
      const survivor = await spawnService(common);
      instances.push(survivor);
      const doomed = await spawnService({ ...common, CRASH_AT: point });
      instances.push(doomed);
      const { key } = await createApiKey(t.db.pool, { name: "takeover test", role: "admin" });
      const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
      const today = new Date().toISOString().slice(0, 10);
      const started = await fetch(`${survivor.url}/v1/sweeps`, { method: "POST", headers, body: JSON.stringify({ from: today, to: addDays(today, 13) }) });
      expect(started.status).toBe(202);
      const { id: sweepId, total } = await started.json() as { id: string; total: number };
      expect(total).toBeGreaterThan(20);

      const crash = await Promise.race([doomed.exited, new Promise<null>((r) => setTimeout(() => r(null), 60_000))]);
      expect(crash?.signal, `the instance reached ${point} and crashed`).toBe("SIGKILL");

      // The sweep completes: the survivor took over what the dead instance held.
      let status = "";
      while (Date.now() - crash!.at < TAKEOVER_GOAL_MS + 30_000) {
        const progress = await (await fetch(`${survivor.url}/v1/sweeps/${sweepId}`, { headers })).json() as { status: string };
        status = progress.status;
        if (status === "completed") break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe("completed");
      const q = async <T>(sql: string, values: unknown[] = []) => (await t.db.pool.query(sql, values)).rows as T[];

      // Taken over within the goal: the survivor's audit entry saying so, written within 30 s of the crash
      // (the sweep may complete before it, when the dead instance had settled its last items).
      let takeover: { at: Date } | undefined;
      while (takeover === undefined && Date.now() - crash!.at < TAKEOVER_GOAL_MS + 5_000) {
        [takeover] = await q<{ at: Date }>("SELECT at FROM audit_log WHERE kind = 'instance.taken_over' ORDER BY seq LIMIT 1");
        if (takeover === undefined) await new Promise((r) => setTimeout(r, 250));
      }
      expect(takeover, "an audit entry records the takeover").toBeDefined();
      expect(takeover!.at.getTime() - crash!.at).toBeLessThan(TAKEOVER_GOAL_MS);

      // 0 lost: every appointment of the sweep done, none failed.
      const items = await q<{ status: string; n: number }>("SELECT status, count(*)::int AS n FROM sweep_items WHERE sweep_id = $1 GROUP BY status", [sweepId]);
      expect(items).toEqual([{ status: "done", n: total }]);
      // 0 duplicate checks: one check per appointment and agent in the sweep.
      expect(await q("SELECT agent, appointment_id, count(*)::int AS n FROM pre_service_checks WHERE sweep_id = $1 GROUP BY 1, 2 HAVING count(*) > 1", [sweepId])).toEqual([]);
      const [checks] = await q<{ n: number }>("SELECT count(*)::int AS n FROM pre_service_checks WHERE sweep_id = $1", [sweepId]);
      expect(checks!.n).toBe(total * 2);
      // 0 duplicate review items: no draft twice for an appointment (an appointment may have several
      // drafts of one kind — one per drug — but never the same one again).
      expect(await q(`SELECT agent, subject_id, action_type, count(*)::int AS n FROM review_items
        WHERE subject_id IN (SELECT appointment_id FROM sweep_items WHERE sweep_id = $1) GROUP BY 1, 2, 3, draft::text HAVING count(*) > 1`, [sweepId])).toEqual([]);
      // 0 runs left running, and no run waiting on nothing.
      expect(await q("SELECT id FROM runs WHERE status = 'running'")).toEqual([]);
      expect(await q(`SELECT r.id FROM runs r WHERE r.status = 'waiting'
        AND NOT EXISTS (SELECT 1 FROM review_items i WHERE i.run_id = r.id AND i.status = 'pending')`)).toEqual([]);
      // 0 effects without audit entries: every check, review item and run's end is in the log.
      expect(await q(`SELECT c.run_id, c.appointment_id FROM pre_service_checks c WHERE c.sweep_id = $1
        AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.run_id = c.run_id AND a.subject_id = c.appointment_id)`, [sweepId])).toEqual([]);
      expect(await q(`SELECT i.run_id, i.subject_id FROM review_items i GROUP BY 1, 2 HAVING count(*) <>
        (SELECT count(*) FROM audit_log a WHERE a.run_id = i.run_id AND a.subject_id = i.subject_id AND a.kind = 'review.created')`)).toEqual([]);
      expect(await q(`SELECT r.id FROM runs r WHERE r.status <> 'running' AND NOT EXISTS
        (SELECT 1 FROM audit_log a WHERE a.run_id = r.id AND a.kind = 'run.' || r.status)`)).toEqual([]);
      // The chain verifies.
      const verify = await (await fetch(`${survivor.url}/v1/audit/verify`, { headers })).json() as { ok: boolean };
      expect(verify.ok).toBe(true);
    } finally {
      for (const instance of instances) instance.kill();
      await Promise.all(instances.map((i) => i.exited));
      await t.drop();
    }
  }, 240_000);
});
