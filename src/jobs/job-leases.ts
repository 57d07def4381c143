/**
 * Which service instance holds which job, for any pg-boss queue: pg-boss's job rows do not say
 * who fetched them, and without that a dead instance's jobs wait out their expiry (15 minutes)
 * and the next maintenance pass. A worker leases what it fetched in one statement per batch; a
 * takeover releases the active jobs a dead instance leased at once (README, "Running several
 * instances").
 */
import type pg from "pg";

type Queryable = Pick<pg.Pool, "query">;

/**
 * Records that `instanceId` fetched these jobs of `queue`, in one statement (a job fetched again
 * overwrites its lease). A crash between pg-boss's fetch and this statement leaves active jobs
 * with no lease: `releaseUnleasedJobs` puts them back at the next takeover.
 */
export async function leaseJobs(db: Queryable, queue: string, jobIds: string[], instanceId: string): Promise<void> {
  if (jobIds.length === 0) return;
  await db.query(
    `INSERT INTO job_leases (queue, job_id, instance_id, leased_at) SELECT $1, unnest($2::uuid[]), $3, now()
     ON CONFLICT (queue, job_id) DO UPDATE SET instance_id = excluded.instance_id, leased_at = excluded.leased_at`,
    [queue, jobIds, instanceId],
  );
}

/**
 * Puts the active jobs the instances leased back in the queue, available now, and drops their
 * leases; returns how many each instance had. A job counts only if it is still in the activation
 * its lease was written for (another instance may have fetched it since: a lease is written after
 * pg-boss's fetch sets `started_on`). `started_on` is cleared so the next fetch does not count a
 * retry (pg-boss 10 counts one when it fetches a job that was started before): a crash is not the
 * job's failure.
 */
export async function releaseLeasedJobs(db: Queryable, instanceIds: string[]): Promise<Map<string, number>> {
  const released = new Map<string, number>();
  if (instanceIds.length === 0) return released;
  // Leases exist only once a queue ran (and with it pg-boss's schema): nothing to release otherwise.
  const leased = await db.query("SELECT 1 FROM job_leases WHERE instance_id = ANY($1) LIMIT 1", [instanceIds]);
  if (leased.rows.length === 0) return released;
  const { rows } = await db.query<{ instance_id: string; n: number }>(
    `WITH released AS (
       UPDATE pgboss.job j SET state = 'retry', start_after = now(), started_on = NULL
       FROM job_leases l
       WHERE l.instance_id = ANY($1) AND j.name = l.queue AND j.id = l.job_id AND j.state = 'active' AND j.started_on <= l.leased_at
       RETURNING l.instance_id
     ), dropped AS (DELETE FROM job_leases WHERE instance_id = ANY($1))
     SELECT instance_id, count(*)::int AS n FROM released GROUP BY instance_id`,
    [instanceIds],
  );
  for (const r of rows) released.set(r.instance_id, r.n);
  return released;
}

/**
 * Puts back the active jobs of `queues` (queues whose workers lease what they fetch) that nobody
 * leased and that were fetched no later than `fetchedBefore` (a dead instance's last beat): the
 * instance that fetched them died between pg-boss's fetch and its lease. A live instance leases
 * within one round trip of its fetch, so a job still without a lease a whole dead-after period
 * after it was fetched has no live holder. Returns how many.
 */
export async function releaseUnleasedJobs(db: Queryable, queues: string[], fetchedBefore: Date): Promise<number> {
  if (queues.length === 0) return 0;
  const { rows: [queue] } = await db.query<{ ready: boolean }>("SELECT to_regclass('pgboss.job') IS NOT NULL AS ready");
  if (queue?.ready !== true) return 0;
  const { rowCount } = await db.query(
    `UPDATE pgboss.job j SET state = 'retry', start_after = now(), started_on = NULL
     WHERE j.name = ANY($1) AND j.state = 'active' AND j.started_on <= $2
       AND NOT EXISTS (SELECT 1 FROM job_leases l WHERE l.queue = j.name AND l.job_id = j.id)`,
    [queues, fetchedBefore],
  );
  return rowCount ?? 0;
}

/**
 * Drops leases older than `olderThanSeconds`: by then their jobs finished or expired (pg-boss
 * fails an active job past its expiry), so they can release nothing.
 */
export async function pruneJobLeases(db: Queryable, olderThanSeconds: number): Promise<number> {
  const { rowCount } = await db.query("DELETE FROM job_leases WHERE leased_at < now() - make_interval(secs => $1)", [olderThanSeconds]);
  return rowCount ?? 0;
}
