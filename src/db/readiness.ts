/**
 * Whether the database can serve: reachable and fully migrated. When the server is down at start,
 * `ensureMigrated` keeps retrying with backoff so the service recovers without a restart.
 */
import type { Logger } from "pino";
import type { Database } from "./database.js";
import { migrate, pendingMigrations } from "./migrate.js";

/** Result of a readiness probe. */
export interface ReadinessReport {
  ready: boolean;
  database: "up" | "down";
  pendingMigrations: number | null;
  detail?: string;
}

/** Tracks migration state for one database. */
export class Readiness {
  private migrated = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param afterMigrate runs once migrations are applied (checkpointer tables, recovering runs);
   *   a failure there counts as not ready and is retried like a migration.
   */
  constructor(
    readonly db: Database,
    private readonly logger?: Logger,
    private readonly afterMigrate: () => Promise<void> = async () => undefined,
  ) {}

  /** True once every migration has been applied in this process's lifetime. */
  get isMigrated(): boolean {
    return this.migrated;
  }

  /** Marks migrations as applied (used when the caller ran them itself). */
  markMigrated(): void {
    this.migrated = true;
  }

  /**
   * Applies migrations; on failure retries in the background (1 s doubling to 30 s) and resolves
   * `false` at once, so start-up can go on and `/readyz` answers 503 until it succeeds.
   */
  async ensureMigrated(): Promise<boolean> {
    try {
      await this.migrateOnce();
      return true;
    } catch (error) {
      this.logger?.error({ err: { message: (error as Error).message } }, "migrations not applied; retrying");
      this.scheduleRetry(1_000);
      return false;
    }
  }

  /** Probes the database now. */
  async check(): Promise<ReadinessReport> {
    try {
      const pending = await pendingMigrations(this.db.pool);
      // Ready only once this process has also finished its post-migration setup.
      return { ready: pending === 0 && this.migrated, database: "up", pendingMigrations: pending };
    } catch (error) {
      return { ready: false, database: "down", pendingMigrations: null, detail: (error as Error).message };
    }
  }

  /** Stops background retries (on shutdown). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private async migrateOnce(): Promise<void> {
    await migrate(this.db.pool, { logger: this.logger });
    await this.afterMigrate();
    this.migrated = true;
  }

  private scheduleRetry(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.migrateOnce().then(
        () => {
          this.logger?.info("database reachable again; migrations applied");
        },
        () => this.scheduleRetry(Math.min(delayMs * 2, 30_000)),
      );
    }, delayMs);
    this.timer.unref();
  }
}
