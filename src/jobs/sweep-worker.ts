/**
 * Sweep jobs, worked in batches: one pg-boss job per appointment, fetched many at a time; the
 * appointments of one sweep in a fetch go to the pre-service agents as one work item, so each
 * agent checks the whole batch in one run (one graph, bulk reads and writes) instead of paying a
 * run's fixed cost per appointment. An appointment is done when every agent's run completed or
 * waits for a person and each agent recorded its check of it. An appointment an agent set aside
 * (the payer timed out, the EHR answered nonsense), or every appointment of a run that failed,
 * fails its own job only, so pg-boss retries just those, with backoff, in a later batch; after
 * the last attempt the item is marked failed with the error. Actions keep their idempotency keys
 * across attempts, so a retry never acts twice. A run's checks commit with its end (migration
 * 0017), so an attempt that follows a crash between a run's end and its jobs settling finds what
 * that run checked and runs each agent only on the rest: no check or draft is made twice.
 */
import { createHash } from "node:crypto";
import type pg from "pg";
import type { Logger } from "pino";
import type { AgentRuntime } from "../orchestration/runtime.js";
import { crashPoint } from "../crash-points.js";
import { routeWorkItem, type DispatchedRun } from "../orchestration/work-router.js";
import { beginAttempts, recordAttempts, sweepChecks, type AttemptResult } from "./sweep-store.js";

/** The payload of a sweep job. */
export interface SweepJobData {
  sweepId: string;
  /** The appointment (for a pre-bill pass, the visit: the appointment that took place). */
  appointmentId: string;
  /** What the sweep's agents work on: appointments before the visit (absent) or visits' claims after it. */
  work?: SweepWorkType;
}

/** The work item type a sweep sends its agents. */
export type SweepWorkType = "appointment" | "claim";

/**
 * What a sweep's agents leave behind for each subject they finished, read by the worker: a record
 * written only with the run's end, so one here means the run ended (migration 0017). Pre-service
 * agents leave a check (`pre_service_checks`); the pre-bill agent a scrubbed claim.
 */
export interface SweepWork {
  type: SweepWorkType;
  /** What the sweep already finished of these subjects, per agent, with the run that did (its status now). */
  finishedBefore(db: pg.Pool, sweepId: string, subjectIds: string[]): Promise<{ agent: string; appointmentId: string; run: DispatchedRun }[]>;
  /** Which subjects these runs finished. */
  finishedBy(db: pg.Pool, runIds: string[]): Promise<{ runId: string; appointmentId: string }[]>;
}

/** Pre-bill passes: the pre-bill agent marks each visit it finished (claim_runs, migration 0026) when its run ends. */
export const CLAIM_WORK: SweepWork = {
  type: "claim",
  async finishedBefore(db, sweepId, visitIds) {
    const { rows } = await db.query<{ visit_id: string; run_id: string; status: string | null }>(
      `SELECT c.visit_id, c.run_id, r.status FROM claim_runs c LEFT JOIN runs r ON r.id = c.run_id WHERE c.sweep_id = $1 AND c.visit_id = ANY($2)`,
      [sweepId, visitIds],
    );
    return rows.map((r) => ({ agent: "pre-bill", appointmentId: r.visit_id, run: { agent: "pre-bill", runId: r.run_id, status: r.status ?? "unknown" } }));
  },
  async finishedBy(db, runIds) {
    const { rows } = await db.query<{ run_id: string; visit_id: string }>("SELECT run_id, visit_id FROM claim_runs WHERE run_id = ANY($1)", [runIds]);
    return rows.map((r) => ({ runId: r.run_id, appointmentId: r.visit_id }));
  },
};

/** Pre-service sweeps: every agent records one check per appointment it finished. */
export const APPOINTMENT_WORK: SweepWork = {
  type: "appointment",
  finishedBefore: sweepChecks,
  async finishedBy(db, runIds) {
    const { rows } = await db.query<{ run_id: string; appointment_id: string }>(
      "SELECT run_id, appointment_id FROM pre_service_checks WHERE run_id = ANY($1)", [runIds]);
    return rows.map((r) => ({ runId: r.run_id, appointmentId: r.appointment_id }));
  },
};

/** One fetched job: its payload and whether pg-boss will try it again after this attempt. */
export interface SweepJob {
  id: string;
  data: SweepJobData;
  lastAttempt: boolean;
}

/** What a job handler needs. */
export interface SweepWorkerDeps {
  pool: pg.Pool;
  runtime: AgentRuntime;
  logger: Logger;
  now: () => Date;
}

/**
 * Works one attempt of a batch of sweep jobs; returns the jobs that failed (with why), for the
 * caller to fail so pg-boss retries them; the rest are complete.
 */
export async function workSweepBatch(deps: SweepWorkerDeps, jobs: SweepJob[]): Promise<{ job: SweepJob; error: string }[]> {
  const failed: { job: SweepJob; error: string }[] = [];
  const bySweep = new Map<string, SweepJob[]>();
  for (const job of jobs) bySweep.set(job.data.sweepId, [...(bySweep.get(job.data.sweepId) ?? []), job]);
  for (const [sweepId, group] of bySweep) {
    const type = group[0]?.data.work ?? "appointment";
    const work = type === "appointment" ? APPOINTMENT_WORK : type === "claim" ? CLAIM_WORK : undefined;
    if (work === undefined) {
      failed.push(...group.map((job) => ({ job, error: `sweeps of ${String(type)} work are not known to this instance` })));
      continue;
    }
    failed.push(...(await workSweepGroup(deps, work, sweepId, group)));
  }
  return failed;
}

async function workSweepGroup(deps: SweepWorkerDeps, work: SweepWork, sweepId: string, jobs: SweepJob[]): Promise<{ job: SweepJob; error: string }[]> {
  const items = await beginAttempts(deps.pool, sweepId, jobs.map((j) => j.data.appointmentId), deps.now());
  // A job whose item is gone or already settled (a duplicate, or a job re-sent at start) does nothing.
  const todo = jobs.filter((j) => items.get(j.data.appointmentId)?.status === "queued");
  if (todo.length === 0) return [];
  crashPoint("sweep.batch-begun");
  const appointments = todo.map((j) => j.data.appointmentId);
  const agents = deps.runtime.registry.handling(work.type).map((a) => a.id);
  // What this sweep already checked: a run that ended (its checks commit with its end) before its
  // jobs settled — the process was killed in between — is not run again; each agent gets only the
  // appointments it has not checked, however this attempt's batch is made up.
  const before = new Map((await work.finishedBefore(deps.pool, sweepId, appointments)).map((c) => [checkKey(c.agent, c.appointmentId), c.run]));
  const left = (agent: string) => appointments.filter((a) => !before.has(checkKey(agent, a)));
  let runs: DispatchedRun[] = [];
  if (agents.some((agent) => left(agent).length > 0)) {
    try {
      runs = await routeWorkItem(deps.runtime, { type: work.type, id: batchId(sweepId, appointments), data: { sweepId, appointments } }, (agent) => {
        const own = left(agent);
        return own.length === 0 ? null : { type: work.type, id: batchId(sweepId, own), data: { sweepId, appointments: own } };
      });
    } catch (error) {
      const message = `${(error as Error).name}: ${(error as Error).message}`;
      deps.logger.warn({ sweepId, appointments: appointments.length, err: { message } }, "sweep batch failed");
      return settle(deps, sweepId, todo, () => ({ ok: false, error: message, runs: null }));
    }
  }
  // Which appointments each run finished (a pre-service agent records one check per appointment).
  const finished = runs.length === 0 ? [] : await work.finishedBy(deps.pool, runs.map((r) => r.runId));
  const checked = new Set(finished.map((r) => `${r.runId}|${r.appointmentId}`));
  return settle(deps, sweepId, todo, (appointmentId) => {
    // Per agent, the run that checked the appointment before, or this attempt's run of it.
    const mine = agents.flatMap((agent) => {
      const earlier = before.get(checkKey(agent, appointmentId));
      if (earlier !== undefined) return [{ run: earlier, done: true }];
      const run = runs.find((r) => r.agent === agent);
      return run === undefined ? [] : [{ run, done: run.status !== "failed" && checked.has(`${run.runId}|${appointmentId}`) }];
    });
    const missing = mine.filter((m) => !m.done).map((m) => m.run);
    const itemRuns = mine.map((m) => m.run);
    return missing.length === 0 ? { ok: true, runs: itemRuns }
      : { ok: false, error: `not checked by ${missing.map((r) => `${r.agent} (run ${r.runId}, ${r.status})`).join(", ")}`, runs: itemRuns };
  });
}

/** Records every job's attempt (with the runs of its appointment) in one statement; returns the failed ones. */
async function settle(
  deps: SweepWorkerDeps, sweepId: string, jobs: SweepJob[],
  outcome: (appointmentId: string) => ({ ok: true } | { ok: false; error: string }) & { runs: DispatchedRun[] | null },
): Promise<{ job: SweepJob; error: string }[]> {
  const failed: { job: SweepJob; error: string }[] = [];
  const results: AttemptResult[] = jobs.map((job) => {
    const o = outcome(job.data.appointmentId);
    if (o.ok) return { appointmentId: job.data.appointmentId, status: "done", runs: o.runs, error: null };
    failed.push({ job, error: o.error });
    return { appointmentId: job.data.appointmentId, status: job.lastAttempt ? "failed" : "queued", runs: o.runs, error: o.error };
  });
  await recordAttempts(deps.pool, sweepId, results, deps.now());
  crashPoint("sweep.settled");
  if (failed.length > 0) deps.logger.warn({ sweepId, failed: failed.length, lastAttempt: failed.filter((f) => f.job.lastAttempt).length }, "sweep jobs failed");
  return failed;
}

const checkKey = (agent: string, appointmentId: string) => `${agent}\u0000${appointmentId}`;

/** A batch's id (the subject of its runs): the sweep and a digest of its appointments. */
function batchId(sweepId: string, appointments: string[]): string {
  if (appointments.length === 1) return appointments[0] as string;
  return `batch:${sweepId}:${createHash("sha256").update(appointments.join("\u0000")).digest("hex").slice(0, 16)}`;
}
