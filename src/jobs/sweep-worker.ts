/**
 * One sweep job: route one appointment to the pre-service agents and record the runs on its
 * sweep item. A run that fails (the payer timed out, the EHR answered nonsense) fails the job, so
 * pg-boss retries it with backoff; a retry re-drives only the failed runs from their last
 * checkpoint — runs that completed or wait for a person are kept, and the executor keeps every
 * action at most once. After the last attempt the item is marked failed with the error.
 */
import type pg from "pg";
import type { Logger } from "pino";
import { ConflictError } from "../../tools/errors.js";
import type { AgentRuntime } from "../orchestration/runtime.js";
import { routeWorkItem, type DispatchedRun } from "../orchestration/work-router.js";
import { beginAttempt, recordAttempt } from "./sweep-store.js";

/** The payload of a sweep job. */
export interface SweepJobData {
  sweepId: string;
  appointmentId: string;
}

/** What a job handler needs. */
export interface SweepWorkerDeps {
  pool: pg.Pool;
  runtime: AgentRuntime;
  logger: Logger;
  now: () => Date;
}

/**
 * Works one attempt of a sweep job; throws to have pg-boss retry it.
 * @param lastAttempt whether pg-boss will not retry this job again (retryCount ≥ retryLimit)
 */
export async function workSweepJob(deps: SweepWorkerDeps, job: SweepJobData, lastAttempt: boolean): Promise<void> {
  const { sweepId, appointmentId } = job;
  const item = await beginAttempt(deps.pool, sweepId, appointmentId, deps.now());
  // A job whose item is gone or already settled (a duplicate, or a job re-sent at start) does nothing.
  if (item === null || item.status !== "queued") return;
  let runs: DispatchedRun[] | null = null;
  try {
    runs = item.runs === null
      ? await routeWorkItem(deps.runtime, { type: "appointment", id: appointmentId, data: { sweepId } })
      : await retryFailedRuns(deps, item.runs);
  } catch (error) {
    const message = `${(error as Error).name}: ${(error as Error).message}`;
    await recordAttempt(deps.pool, sweepId, appointmentId, { status: lastAttempt ? "failed" : "queued", runs: null, error: message }, deps.now());
    deps.logger.warn({ sweepId, appointmentId, lastAttempt, err: { message } }, "sweep job failed");
    throw error;
  }
  const failed = runs.filter((r) => r.status === "failed");
  if (failed.length === 0) {
    await recordAttempt(deps.pool, sweepId, appointmentId, { status: "done", runs, error: null }, deps.now());
    return;
  }
  const message = `run failed: ${failed.map((r) => `${r.agent} ${r.runId}`).join(", ")}`;
  await recordAttempt(deps.pool, sweepId, appointmentId, { status: lastAttempt ? "failed" : "queued", runs, error: message }, deps.now());
  deps.logger.warn({ sweepId, appointmentId, lastAttempt, failedRuns: failed.map((r) => r.runId) }, "sweep job: agent run failed");
  if (!lastAttempt) throw new Error(message);
}

/** Re-drives the failed runs of an earlier attempt; returns every run with its status now. */
async function retryFailedRuns(deps: SweepWorkerDeps, runs: DispatchedRun[]): Promise<DispatchedRun[]> {
  const { rows } = await deps.pool.query<{ id: string; status: string }>("SELECT id, status FROM runs WHERE id = ANY($1)", [runs.map((r) => r.runId)]);
  const current = new Map(rows.map((r) => [r.id, r.status]));
  const result: DispatchedRun[] = [];
  for (const run of runs) {
    let status = current.get(run.runId) ?? run.status;
    if (status === "failed") {
      try {
        status = (await deps.runtime.retry(run.runId)).status;
      } catch (error) {
        // Someone else (a person through the API) retried it first: keep what it is now.
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    result.push({ ...run, status });
  }
  return result;
}
