/**
 * Taking a dead instance's work over, in the transaction that claimed it: its active jobs go back
 * to the queue at once (no retry counted), and the runs it was driving are settled, each with an
 * audit entry saying so — a run that had waited for a person before (it has review items: the
 * dead instance was resuming it) waits again and is resumed with the decisions it has; a run on
 * its first drive fails, naming the dead instance (its sweep job, released, checks its
 * appointments again). One `instance.taken_over` entry records the takeover itself. Once the
 * transaction commits, decided runs are resumed and this instance's workers fetch at once.
 */
import type pg from "pg";
import type { Logger } from "pino";
import { withTransaction } from "../db/database.js";
import { appendAuditInTransaction, type AuditInput } from "../governance/audit-log.js";
import type { AgentRuntime } from "../orchestration/runtime.js";
import { releaseLeasedJobs, releaseUnleasedJobs } from "./job-leases.js";
import type { DeadInstance, TakeoverHandler } from "./service-instance.js";

/** What was taken over from one dead instance. */
export interface TakeoverReport {
  instance: string;
  takenOverBy: string;
  jobsReleased: number;
  /** Active jobs nobody had leased, released with this takeover (counted on the first instance taken over). */
  unleasedJobsReleased: number;
  runsFailed: string[];
  runsResumed: string[];
}

/** What a takeover needs. */
export interface TakeoverDeps {
  runtime: Pick<AgentRuntime, "recover">;
  logger: Logger;
  now: () => Date;
  /** Wakes this instance's workers (they fetch the released jobs now rather than at their next poll). */
  wakeWorkers?: () => void;
  /** The queues whose workers lease what they fetch: their active jobs nobody leased are released too (job-leases.ts). */
  leasedQueues?: () => string[];
  /** The pool orphaned runs are settled on; without it they are left alone. */
  pool?: pg.Pool;
  /** A run untouched this long whose driver is no registered instance is an orphan (default 900 s). */
  orphanAfterSeconds?: number;
}

/** The takeover the service runs at every heartbeat. */
export function serviceTakeover(deps: TakeoverDeps): TakeoverHandler<TakeoverReport[]> {
  return {
    takeOver: (client, dead, by) => takeOverInstances(client, dead, by, deps.now, deps.leasedQueues?.() ?? []),
    after: async (reports) => {
      for (const r of reports) {
        deps.logger.warn({ instance: r.instance, takenOverBy: r.takenOverBy, jobsReleased: r.jobsReleased, unleasedJobsReleased: r.unleasedJobsReleased,
          runsFailed: r.runsFailed.length, runsResumed: r.runsResumed.length }, "took over a dead service instance (its heartbeat stopped)");
      }
      if (reports.some((r) => r.jobsReleased + r.unleasedJobsReleased > 0)) deps.wakeWorkers?.();
      if (reports.some((r) => r.runsResumed.length > 0)) {
        const resumed = await deps.runtime.recover();
        if (resumed > 0) deps.logger.info({ resumed }, "resumed runs of a dead instance with their decisions");
      }
    },
    orphans: async (by) => {
      if (deps.pool === undefined) return;
      const failed = await settleOrphanRuns(deps.pool, by, deps.orphanAfterSeconds ?? 900, deps.now);
      if (failed.length > 0) deps.logger.warn({ runsFailed: failed.length }, "failed runs left running by no live driver (orphans)");
    },
  };
}

/**
 * Runs no takeover will ever settle: `running`, untouched for `olderThanSeconds`, and driven by
 * no live registered service instance — runs from before instances were recorded (migration 0016
 * left their `instance_id` empty), runs of a one-off process (the CLI, a script) that died, and runs
 * an instance left running when it stopped. Each is
 * failed with a `run.failed` entry saying so; returns their ids. A run waiting for a person is
 * `waiting`, not `running`, and is never touched.
 */
export async function settleOrphanRuns(pool: pg.Pool, by: string, olderThanSeconds: number, now: () => Date): Promise<string[]> {
  return withTransaction(pool, async (client) => {
    const at = now();
    const { rows } = await client.query<{ id: string; agent: string; subject_type: string; subject_id: string; instance_id: string | null }>(
      `WITH orphans AS (
         SELECT r.id FROM runs r
         WHERE r.status = 'running' AND r.updated_at < $2::timestamptz - make_interval(secs => $1)
           AND (r.instance_id IS NULL OR NOT EXISTS (SELECT 1 FROM service_instances i WHERE i.id = r.instance_id AND i.stopped_at IS NULL))
         ORDER BY r.updated_at LIMIT 500 FOR UPDATE SKIP LOCKED
       )
       UPDATE runs r SET status = 'failed', result = NULL, updated_at = $2,
         error = 'left running by ' || coalesce('process ' || r.instance_id, 'a service from before instances were recorded') || ', which is gone; failed by instance ' || $3
       FROM orphans o WHERE r.id = o.id
       RETURNING r.id, r.agent, r.subject_type, r.subject_id, r.instance_id`,
      [olderThanSeconds, at, by],
    );
    await appendAuditInTransaction(client, rows.map((run): AuditInput => ({
      kind: "run.failed", actor: "platform", runId: run.id, agent: run.agent, subjectType: run.subject_type, subjectId: run.subject_id, at,
      payload: { error: "orphaned: left running by a process that is gone", orphan: { driver: run.instance_id, idleSeconds: olderThanSeconds, failedBy: by } },
    })), now);
    return rows.map((r) => r.id);
  });
}

/** Releases the dead instances' jobs and settles their runs, with the audit entries, in `client`'s transaction. */
export async function takeOverInstances(
  client: pg.PoolClient, dead: DeadInstance[], by: string, now: () => Date, leasedQueues: string[] = [],
): Promise<TakeoverReport[]> {
  const ids = dead.map((d) => d.id);
  const released = await releaseLeasedJobs(client, ids);
  // Jobs fetched but never leased (a death between pg-boss's fetch and the lease), fetched before the latest of the dead's last beats.
  const lastBeat = new Date(Math.max(...dead.map((d) => d.heartbeatAt.getTime())));
  const unleased = dead.length === 0 ? 0 : await releaseUnleasedJobs(client, leasedQueues, lastBeat);
  const at = now();
  // Review items are written with the status change that makes a run wait, so a running run with
  // items had waited before: it was being resumed (or retried) when its instance died.
  const { rows } = await client.query<{ id: string; agent: string; subject_type: string; subject_id: string; status: "waiting" | "failed"; instance_id: string }>(
    `WITH settled AS (
       SELECT r.id, EXISTS (SELECT 1 FROM review_items i WHERE i.run_id = r.id) AS reviewed FROM runs r
       WHERE r.instance_id = ANY($1) AND r.status = 'running' FOR UPDATE
     )
     UPDATE runs r SET status = CASE WHEN s.reviewed THEN 'waiting' ELSE 'failed' END,
       error = CASE WHEN s.reviewed THEN NULL ELSE 'the service instance ' || r.instance_id || ' driving this run died (heartbeat lost); taken over by ' || $2 END,
       result = NULL, updated_at = $3
     FROM settled s WHERE r.id = s.id
     RETURNING r.id, r.agent, r.subject_type, r.subject_id, r.status, r.instance_id`,
    [ids, by, at],
  );
  const entries: AuditInput[] = [];
  const reports = dead.map((d, i): TakeoverReport => ({
    instance: d.id, takenOverBy: by, jobsReleased: released.get(d.id) ?? 0, unleasedJobsReleased: i === 0 ? unleased : 0, runsFailed: [], runsResumed: [],
  }));
  const reportOf = new Map(reports.map((r) => [r.instance, r]));
  for (const run of rows) {
    const report = reportOf.get(run.instance_id);
    const takeover = { instance: run.instance_id, takenOverBy: by };
    const about = { actor: "platform", runId: run.id, agent: run.agent, subjectType: run.subject_type, subjectId: run.subject_id, at };
    if (run.status === "failed") {
      report?.runsFailed.push(run.id);
      entries.push({ ...about, kind: "run.failed", payload: { error: `the service instance ${run.instance_id} driving this run died`, takeover } });
    } else {
      report?.runsResumed.push(run.id);
      entries.push({ ...about, kind: "run.waiting", payload: { reason: "its service instance died while resuming it; resumed with the decisions it has", takeover } });
    }
  }
  for (const [i, d] of dead.entries()) {
    const r = reports[i]!;
    entries.push({
      kind: "instance.taken_over", actor: `instance:${by}`, at,
      payload: { instance: d.id, host: d.host, pid: d.pid, lastHeartbeat: d.heartbeatAt.toISOString(), takenOverBy: by,
        jobsReleased: r.jobsReleased, unleasedJobsReleased: r.unleasedJobsReleased, runsFailed: r.runsFailed.length, runsResumed: r.runsResumed.length },
    });
  }
  await appendAuditInTransaction(client, entries, now);
  return reports;
}
