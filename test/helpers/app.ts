/** Builds the real app on a test database, with a logger whose lines the test can read. */
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { buildApp, type App, type AppDeps } from "../../src/server/app.js";
import { loadConfig, type Config } from "../../src/config.js";
import { Readiness } from "../../src/db/readiness.js";
import { createLogger } from "../../src/logger.js";
import { createApiKey, type Role } from "../../src/server/auth/api-keys.js";
import type { Database } from "../../src/db/database.js";
import { AuditAnchors } from "../../src/governance/audit-anchors.js";
import type { Logger } from "pino";
import { createCheckpointer, setupCheckpointer } from "../../src/orchestration/checkpointer.js";
import { AgentRegistry } from "../../src/orchestration/registry.js";
import { AgentRuntime, type RuntimeOptions } from "../../src/orchestration/runtime.js";

/** Log lines captured from a test logger. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString("utf8").split("\n").filter((l) => l !== ""));
    done();
  }
  get text(): string {
    return this.lines.join("\n");
  }
}

/** Test configuration: the defaults plus overrides. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: "test", LOG_LEVEL: "info", ...overrides });
}

/** An agent runtime on `db` (checkpointer tables set up unless `setup: false`). */
export async function testRuntime(
  db: Database,
  logger: Logger,
  options: Partial<Omit<RuntimeOptions, "pool" | "checkpointer" | "logger">> & { setup?: boolean } = {},
): Promise<AgentRuntime> {
  const checkpointer = createCheckpointer(db);
  if (options.setup !== false) await setupCheckpointer(db, checkpointer);
  return new AgentRuntime({ registry: new AgentRegistry(), ...options, pool: db.pool, checkpointer, logger });
}

/** A built app on `db` plus the captured log. */
export async function buildTestApp(
  db: Database,
  overrides: Record<string, string> = {},
  runtimeOptions: Parameters<typeof testRuntime>[2] = {},
  deps: { logs?: LogCapture } & Partial<Pick<AppDeps, "referenceData" | "sweeps" | "auditAnchors">> = {},
): Promise<{ app: App; logs: LogCapture; readiness: Readiness; runtime: AgentRuntime }> {
  const logs = deps.logs ?? new LogCapture();
  const logger = createLogger({ level: "info" }, logs);
  const readiness = new Readiness(db, logger);
  readiness.markMigrated();
  const runtime = await testRuntime(db, logger, runtimeOptions);
  // Anchors of a folder of the test's own (none are written unless the test wires them to its runtime).
  const auditAnchors = deps.auditAnchors ?? new AuditAnchors({ pool: db.pool, dataDir: path.join(tmpdir(), `irc-anchors-${randomUUID()}`), logger });
  const app = await buildApp(testConfig(overrides), { logger, readiness, runtime, referenceData: deps.referenceData, sweeps: deps.sweeps, auditAnchors });
  return { app, logs, readiness, runtime };
}

/** Creates a key of each role and returns the bearer headers. */
export async function keysForRoles(db: Database): Promise<Record<Role, { authorization: string }>> {
  const roles: Role[] = ["staff", "council", "admin", "service"];
  const entries = await Promise.all(
    roles.map(async (role) => {
      const { key } = await createApiKey(db.pool, { name: `test ${role}`, role });
      return [role, { authorization: `Bearer ${key}` }] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<Role, { authorization: string }>;
}
