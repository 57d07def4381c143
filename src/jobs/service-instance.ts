/**
 * This service instance in the instance registry (`service_instances`): registered with a fresh
 * id at start, a heartbeat every `heartbeatSeconds` on the database's clock (hosts' clocks do not
 * matter), marked stopped on a graceful stop. An instance whose heartbeat is older than
 * `deadAfterSeconds` and that neither stopped nor was taken over is dead: at every beat a live
 * instance claims the dead ones in one conditional UPDATE (exactly one claimer wins a row) and,
 * in the same transaction, hands their work over (see takeover.ts). A crash mid-takeover rolls
 * the claim back, so another instance takes the dead one over instead.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type pg from "pg";
import type { Logger } from "pino";
import { withTransaction } from "../db/database.js";
import { pruneJobLeases } from "./job-leases.js";

/** How often old job leases are dropped (any instance may; the statement is idempotent). */
const PRUNE_EVERY_MS = 60_000;

/** A dead instance as claimed. */
export interface DeadInstance {
  id: string;
  host: string;
  pid: number;
  heartbeatAt: Date;
}

/** What a takeover does with the instances claimed: `takeOver` in the claim's transaction, `after` once it committed. */
export interface TakeoverHandler<T> {
  takeOver(client: pg.PoolClient, dead: DeadInstance[], by: string): Promise<T>;
  after(result: T): Promise<void>;
  /** Settles work no registered instance owns (runs of a one-off process that died); at start, then about once a minute. */
  orphans?(by: string): Promise<void>;
}

/** Registry settings. */
export interface ServiceInstanceOptions {
  pool: pg.Pool;
  logger: Logger;
  heartbeatSeconds: number;
  deadAfterSeconds: number;
  /**
   * The database belongs to this process alone (the embedded database): at start every other
   * instance not stopped is dead whatever its last beat, so a restart right after a crash takes
   * the crashed one over at once.
   */
  exclusive?: boolean;
  /**
   * Leases older than this are dropped about once a minute (their jobs finished, or expired: it
   * must exceed the longest job expiry); without it leases are kept.
   */
  pruneLeasesAfterSeconds?: number;
  /** Called after a beat or takeover failed (the next beat tries again). */
  onError?: (error: Error) => void;
}

/** This process's instance: its id (what runs and job leases name) and its heartbeat. */
export class ServiceInstance {
  private currentId = randomUUID();
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private handler: TakeoverHandler<unknown> | null = null;
  private started = false;
  private stopped = false;
  private prunedAt = 0;
  private orphansAt = 0;

  constructor(private readonly options: ServiceInstanceOptions) {}

  /** The instance's id; a fresh one if another instance took this one over (it looked dead). */
  get id(): string {
    return this.currentId;
  }

  /** Registers the instance and starts beating. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.register();
    this.started = true;
    this.schedule();
  }

  /**
   * From now on every beat also takes over dead instances; the first takeover runs now (at
   * start: work left by instances that died while none was up to take it); returns the ids it took over.
   */
  async takeOverWith<T>(handler: TakeoverHandler<T>): Promise<string[]> {
    this.handler = handler as TakeoverHandler<unknown>;
    const taken = await this.takeOverDead(this.options.exclusive === true ? 0 : this.options.deadAfterSeconds);
    this.orphansAt = Date.now();
    await handler.orphans?.(this.currentId);
    return taken;
  }

  /** Stops beating and marks the instance stopped: it is never taken over. */
  async stop(): Promise<void> {
    if (!this.started || this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.beating?.catch(() => undefined);
    await this.options.pool.query("UPDATE service_instances SET stopped_at = now() WHERE id = $1 AND stopped_at IS NULL", [this.currentId]);
  }

  /** One beat: the heartbeat, then (once enabled) a takeover of dead instances. */
  async beat(): Promise<void> {
    const { rows } = await this.options.pool.query<{ taken_over_by: string | null }>(
      "UPDATE service_instances SET heartbeat_at = now() WHERE id = $1 RETURNING taken_over_by", [this.currentId]);
    if (rows[0]?.taken_over_by !== null) {
      // Another instance found this one dead (a pause longer than dead-after, or the row is gone):
      // its jobs were released and its runs settled. It goes on as a new instance.
      this.options.logger.error({ instance: this.currentId, takenOverBy: rows[0]?.taken_over_by ?? null },
        "this instance was taken over (its heartbeat stopped for longer than INSTANCE_DEAD_AFTER_SECONDS); registering again");
      this.currentId = randomUUID();
      await this.register();
    }
    if (this.handler !== null) {
      await this.takeOverDead(this.options.deadAfterSeconds);
      if (this.handler.orphans !== undefined && Date.now() - this.orphansAt >= PRUNE_EVERY_MS) {
        this.orphansAt = Date.now();
        await this.handler.orphans(this.currentId);
      }
    }
    const prune = this.options.pruneLeasesAfterSeconds;
    if (prune !== undefined && Date.now() - this.prunedAt >= PRUNE_EVERY_MS) {
      this.prunedAt = Date.now();
      await pruneJobLeases(this.options.pool, prune);
    }
  }

  /** Claims instances dead for `deadAfterSeconds` and hands their work over; returns the ids taken over. */
  async takeOverDead(deadAfterSeconds: number): Promise<string[]> {
    const handler = this.handler;
    if (handler === null) return [];
    const claimed = await withTransaction(this.options.pool, async (client) => {
      // In READ COMMITTED a second claimer waits on the row and re-checks it: exactly one wins.
      const { rows } = await client.query<{ id: string; host: string; pid: number; heartbeat_at: Date }>(
        `UPDATE service_instances SET taken_over_by = $1, taken_over_at = now()
         WHERE heartbeat_at < now() - make_interval(secs => $2) AND stopped_at IS NULL AND taken_over_by IS NULL AND id <> $1
         RETURNING id, host, pid, heartbeat_at`,
        [this.currentId, deadAfterSeconds],
      );
      if (rows.length === 0) return null;
      const dead = rows.map((r) => ({ id: r.id, host: r.host, pid: r.pid, heartbeatAt: r.heartbeat_at }));
      return { dead, result: await handler.takeOver(client, dead, this.currentId) };
    });
    if (claimed === null) return [];
    await handler.after(claimed.result);
    return claimed.dead.map((d) => d.id);
  }

  private async register(): Promise<void> {
    await this.options.pool.query("INSERT INTO service_instances (id, host, pid) VALUES ($1, $2, $3)", [this.currentId, hostname(), process.pid]);
    this.options.logger.info({ instance: this.currentId }, "service instance registered");
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.beating = this.beat().catch((error: Error) => {
        this.options.logger.warn({ instance: this.currentId, err: { name: error.name, message: error.message } }, "instance heartbeat or takeover failed");
        this.options.onError?.(error);
      }).finally(() => {
        this.beating = null;
        this.schedule();
      });
    }, this.options.heartbeatSeconds * 1000);
    this.timer.unref();
  }
}
