/**
 * The pre-service sweep: every appointment in a date range checked by the pre-service agents,
 * one pg-boss job per appointment. A sweep and its jobs are written in one transaction, jobs have
 * deterministic ids (a repeat never double-enqueues), and jobs are rows — a restart loses none;
 * at start, queued items of running sweeps whose jobs are gone are enqueued again. Cron schedules
 * run the daily sweep (today + daysAhead) and the day-before recheck of volatile plans.
 */
import { createHash, randomUUID } from "node:crypto";
import type PgBoss from "pg-boss";
import type { Logger } from "pino";
import { UnavailableError } from "../../tools/errors.js";
import type { EhrClient } from "../../tools/ehr/ehr-client.js";
import { withTransaction, type Database } from "../db/database.js";
import type { AgentRuntime } from "../orchestration/runtime.js";
import { leaseJobs } from "./job-leases.js";
import { closeQueue, ensureQueue, openQueue } from "./queue.js";
import { getSweepSummary, insertSweep, listSweeps, queuedItems, type SweepKind, type SweepSummary } from "./sweep-store.js";
import { sweepProgress, sweepResults, type SweepProgress } from "./sweep-progress.js";
import { addDays } from "../../tools/iso-dates.js";
import { preBillTargets, sweepTargets, type VolatilePlan } from "./sweep-targets.js";
import { workSweepBatch, type SweepJobData, type SweepWorkType } from "./sweep-worker.js";

export const SWEEP_QUEUE = "pre-service-sweep";
export const DAILY_QUEUE = "pre-service-daily";
export const RECHECK_QUEUE = "pre-service-recheck";
export const PRE_BILL_QUEUE = "pre-bill-daily";

/** What the sweep service is built from. */
export interface SweepServiceOptions {
  db: Database;
  runtime: AgentRuntime;
  ehr: Pick<EhrClient, "appointments" | "coverages" | "findCapturedVisits">;
  volatile: VolatilePlan;
  logger: Logger;
  /** The clock "today" is read from. */
  now: () => Date;
  sweep: { daysAhead: number; dailyCron: string; recheckCron: string; concurrency: number; batchSize: number; preBillCron?: string; preBillDaysBack?: number };
  /**
   * Job retry and polling settings (defaults: 3 retries from 30 s with backoff, 15 min expiry, 2 s
   * polling). A worker polls only when idle: after a full batch it fetches again at once.
   */
  jobs?: { retryLimit?: number; retryDelaySeconds?: number; retryBackoff?: boolean; expireInSeconds?: number; pollingIntervalSeconds?: number };
  /** The service instance the workers fetch for: each fetched batch is leased to it (job-leases.ts), so a takeover can release it. */
  instance?: { readonly id: string };
  /** How long the queue keeps finished jobs (queue.ts). */
  jobRetention?: { completedHours: number; archiveDays: number };
  /** Other cron jobs run on this queue when schedules are on (the retention pass): pg-boss fires each once across instances. */
  schedules?: { queue: string; cron: string; run: () => Promise<unknown> }[];
}

/** A sweep to start. */
export interface SweepRequest {
  from: string;
  to: string;
  kind: SweepKind;
  requestedBy: string;
  /** A deterministic id makes the request idempotent (scheduled sweeps); a new UUID otherwise. */
  id?: string;
}

/** Runs sweeps on the job queue; `start()` opens the queue, `stop()` closes it. */
export class SweepService {
  private boss: PgBoss | null = null;
  private workerIds: string[] = [];

  constructor(private readonly options: SweepServiceOptions) {}

  /** Whether the queue is open. */
  get running(): boolean {
    return this.boss !== null;
  }

  /** Opens the queue, registers the workers (and, with `schedule`, the cron schedules), re-enqueues orphaned items. */
  async start(opts: { schedule: boolean; work?: boolean }): Promise<void> {
    if (this.boss !== null) return;
    const { db, logger } = this.options;
    const boss = await openQueue(db, { logger, schedule: opts.schedule, retention: this.options.jobRetention });
    try {
      await this.register(boss, opts);
    } catch (error) {
      await closeQueue(boss, 1_000);
      throw error;
    }
    this.boss = boss;
    const requeued = await this.requeueOrphans();
    if (requeued > 0) logger.info({ requeued }, "re-enqueued sweep items whose jobs were gone");
  }

  private async register(boss: PgBoss, opts: { schedule: boolean; work?: boolean }): Promise<void> {
    const { db, logger, sweep } = this.options;
    await ensureQueue(db, boss, SWEEP_QUEUE, { expireInSeconds: this.jobs.expireInSeconds });
    if (opts.work !== false) {
      const workerOptions = { batchSize: sweep.batchSize, includeMetadata: true as const, pollingIntervalSeconds: this.jobs.pollingIntervalSeconds };
      const deps = { pool: db.pool, runtime: this.options.runtime, logger, now: this.options.now };
      for (let i = 0; i < sweep.concurrency; i += 1) {
        const worker: { id?: string } = {};
        worker.id = await boss.work<SweepJobData>(SWEEP_QUEUE, workerOptions, async (jobs) => {
          await this.lease(SWEEP_QUEUE, jobs);
          const failed = await workSweepBatch(deps, jobs.map((j) => ({ id: j.id, data: j.data, lastAttempt: j.retryCount >= j.retryLimit })));
          // Only these jobs fail (and are retried); pg-boss completes the rest when this returns.
          for (const { job, error } of failed) await boss.fail(SWEEP_QUEUE, job.id, { message: error });
          // A full batch means more may be waiting: the worker fetches again at once (a notified worker
          // skips its next wait) and polls only once a fetch comes back short, i.e. when idle.
          if (jobs.length >= sweep.batchSize && worker.id !== undefined) boss.notifyWorker(worker.id);
        });
        this.workerIds.push(worker.id);
      }
    }
    if (opts.schedule) {
      await ensureQueue(db, boss, DAILY_QUEUE, { retryLimit: 2 });
      await ensureQueue(db, boss, RECHECK_QUEUE, { retryLimit: 2 });
      await boss.schedule(DAILY_QUEUE, sweep.dailyCron);
      await boss.schedule(RECHECK_QUEUE, sweep.recheckCron);
      await boss.work(DAILY_QUEUE, async (jobs) => {
        await this.lease(DAILY_QUEUE, jobs);
        await this.dailySweep();
      });
      await boss.work(RECHECK_QUEUE, async (jobs) => {
        await this.lease(RECHECK_QUEUE, jobs);
        await this.recheckSweep();
      });
      if (sweep.preBillCron !== undefined) {
        await ensureQueue(db, boss, PRE_BILL_QUEUE, { retryLimit: 2 });
        await boss.schedule(PRE_BILL_QUEUE, sweep.preBillCron);
        await boss.work(PRE_BILL_QUEUE, async (jobs) => {
          await this.lease(PRE_BILL_QUEUE, jobs);
          await this.preBillPass();
        });
      }
      for (const { queue, cron, run } of this.options.schedules ?? []) {
        await ensureQueue(db, boss, queue, { retryLimit: 2 });
        await boss.schedule(queue, cron);
        await boss.work(queue, async (jobs) => {
          await this.lease(queue, jobs);
          await run();
        });
      }
    }
  }

  /** Leases fetched jobs to this instance (one statement), so a takeover releases them if it dies. */
  private async lease(queue: string, jobs: { id: string }[]): Promise<void> {
    if (this.options.instance !== undefined) await leaseJobs(this.options.db.pool, queue, jobs.map((j) => j.id), this.options.instance.id);
  }

  /** Makes this instance's sweep workers fetch now instead of at their next poll (jobs were released by a takeover). */
  /** The queues whose workers lease what they fetch (all of this service's). */
  leasedQueues(): string[] {
    return [SWEEP_QUEUE, DAILY_QUEUE, RECHECK_QUEUE, PRE_BILL_QUEUE, ...(this.options.schedules ?? []).map((s) => s.queue)];
  }

  wakeWorkers(): void {
    for (const workerId of this.workerIds) this.boss?.notifyWorker(workerId);
  }

  /** Stops the workers (active jobs finish, up to `timeoutMs`) and closes the queue. */
  async stop(timeoutMs = 10_000): Promise<void> {
    const boss = this.boss;
    this.boss = null;
    this.workerIds = [];
    if (boss !== null) await closeQueue(boss, timeoutMs);
  }

  /** Starts a sweep: lists its appointments, writes the sweep and one job per appointment. */
  async startSweep(request: SweepRequest): Promise<{ id: string; total: number; created: boolean }> {
    const boss = this.queue();
    const id = request.id ?? randomUUID();
    const targets = request.kind === "pre-bill" ? await preBillTargets(this.options.ehr, this.options.db.pool, request) : await sweepTargets(this.options.ehr, this.options.volatile, request);
    const work = workOf(request.kind);
    const created = await withTransaction(this.options.db.pool, async (client) => {
      const inserted = await insertSweep(client, { ...request, id, now: this.options.now() }, targets);
      if (inserted && targets.length > 0) {
        await boss.insert(targets.map((t) => this.job(id, t.appointmentId, work)), { db: { executeSql: (text, values) => client.query(text, values) } });
      }
      return inserted;
    });
    if (!created) {
      const existing = await sweepProgress(this.options.db.pool, id);
      return { id, total: existing?.total ?? 0, created: false };
    }
    for (const workerId of this.workerIds) boss.notifyWorker(workerId);
    this.options.logger.info({ sweepId: id, kind: request.kind, from: request.from, to: request.to, total: targets.length }, "sweep started");
    return { id, total: targets.length, created: true };
  }

  /** The scheduled daily sweep: the single day `daysAhead` from today; once per day. */
  async dailySweep(): Promise<{ id: string; total: number; created: boolean }> {
    const day = addDays(this.today(), this.options.sweep.daysAhead);
    return this.startSweep({ id: `daily-${day}`, kind: "daily", from: day, to: day, requestedBy: "schedule:daily" });
  }

  /** The scheduled recheck: tomorrow's appointments on volatile plans; once per day. */
  async recheckSweep(): Promise<{ id: string; total: number; created: boolean }> {
    const day = addDays(this.today(), 1);
    return this.startSweep({ id: `recheck-${day}`, kind: "recheck", from: day, to: day, requestedBy: "schedule:recheck" });
  }

  /**
   * The pre-bill pass: the visits of the last `preBillDaysBack` days (to yesterday) whose charges
   * are captured and whose claims have not gone to the payer, through the pre-bill agent; once a day.
   */
  async preBillPass(opts: { id?: string; requestedBy?: string } = {}): Promise<{ id: string; total: number; created: boolean; from: string; to: string }> {
    const to = addDays(this.today(), -1);
    const from = addDays(this.today(), -(this.options.sweep.preBillDaysBack ?? 7));
    const started = await this.startSweep({ id: opts.id ?? `pre-bill-${this.today()}`, kind: "pre-bill", from, to, requestedBy: opts.requestedBy ?? "schedule:pre-bill" });
    return { ...started, from, to };
  }

  /** A sweep's progress and results, or null. */
  progress(id: string): Promise<SweepProgress | null> {
    return sweepProgress(this.options.db.pool, id);
  }

  /** Recent sweeps, newest first. */
  list(limit = 20): Promise<SweepSummary[]> {
    return listSweeps(this.options.db.pool, limit);
  }

  /**
   * Waits until a sweep completes, reporting its item counts as it goes; resolves with its progress
   * and results (read once, at the end: they aggregate every check, too much to poll); rejects
   * after `timeoutMs`.
   */
  async waitForCompletion(id: string, opts: { onProgress?: (p: SweepSummary) => void; pollMs?: number; timeoutMs?: number } = {}): Promise<SweepProgress> {
    const deadline = Date.now() + (opts.timeoutMs ?? Number.POSITIVE_INFINITY);
    for (;;) {
      const p = await getSweepSummary(this.options.db.pool, id);
      if (p === null) throw new Error(`No sweep ${id}`);
      opts.onProgress?.(p);
      if (p.status === "completed") return { ...p, results: await sweepResults(this.options.db.pool, id) };
      if (Date.now() > deadline) throw new Error(`Sweep ${id} did not complete in time (${p.items.queued} of ${p.total} still queued)`);
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
    }
  }

  /** Today, from the injected clock (UTC calendar date). */
  today(): string {
    return this.options.now().toISOString().slice(0, 10);
  }

  private get jobs() {
    const j = this.options.jobs ?? {};
    return { retryLimit: j.retryLimit ?? 3, retryDelay: j.retryDelaySeconds ?? 30, retryBackoff: j.retryBackoff ?? true,
      expireInSeconds: j.expireInSeconds ?? 900, pollingIntervalSeconds: j.pollingIntervalSeconds ?? 2 };
  }

  private job(sweepId: string, appointmentId: string, work: SweepWorkType): PgBoss.JobInsert<SweepJobData> {
    const { retryLimit, retryDelay, retryBackoff, expireInSeconds } = this.jobs;
    const data: SweepJobData = work === "appointment" ? { sweepId, appointmentId } : { sweepId, appointmentId, work };
    return { id: sweepJobId(sweepId, appointmentId), name: SWEEP_QUEUE, data, retryLimit, retryDelay, retryBackoff, expireInSeconds };
  }

  private queue(): PgBoss {
    if (this.boss === null) throw new UnavailableError("The sweep queue is not running; retry shortly");
    return this.boss;
  }

  /** Enqueues queued items of running sweeps whose jobs are gone, and retries jobs that failed without settling their item. */
  private async requeueOrphans(): Promise<number> {
    const boss = this.queue();
    let requeued = 0;
    for (const item of await queuedItems(this.options.db.pool)) {
      const jobId = sweepJobId(item.sweepId, item.appointmentId);
      const job = await boss.getJobById(SWEEP_QUEUE, jobId);
      if (job === null) await boss.insert([this.job(item.sweepId, item.appointmentId, workOf(item.kind))]);
      else if (job.state === "failed") await boss.retry(SWEEP_QUEUE, jobId);
      else if (job.state === "cancelled") await boss.resume(SWEEP_QUEUE, jobId);
      else continue;
      requeued += 1;
    }
    return requeued;
  }
}

/** What a sweep's jobs send the agents: a pre-bill pass works visits' claims, every other kind appointments. */
const workOf = (kind: SweepKind): SweepWorkType => (kind === "pre-bill" ? "claim" : "appointment");

/** The job id of an appointment in a sweep: a UUID derived from both, so a repeat is a no-op. */
export function sweepJobId(sweepId: string, appointmentId: string): string {
  const h = createHash("sha256").update(`${sweepId}\u0000${appointmentId}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
