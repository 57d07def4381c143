import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { startService } from "../src/service.js";
import { LogCapture, testConfig } from "./helpers/app.js";
import { createTestDatabase } from "./helpers/databases.js";

// Several instances need a PostgreSQL server (the embedded database belongs to one process).
describe.runIf(process.env.TEST_DATABASE_URL !== undefined)("several service instances on one PostgreSQL database", () => {
  it("two started at once on an empty database both become ready, with one clinic seeded once and no error logged", async () => {
    const t = await createTestDatabase("postgres", { migrate: false });
    const logs = [new LogCapture(), new LogCapture()];
    // Instances share the audit key (README: Running several instances).
    const auditKey = randomBytes(32).toString("base64");
    try {
      const services = await Promise.all(logs.map(async (capture) => {
        const config = testConfig({
          DATA_DIR: await mkdtemp(path.join(tmpdir(), "irc-instances-")), DATABASE_URL: t.url!, PORT: "0",
          SANDBOX_PATIENTS: "12", SANDBOX_WEEKS: "2", SWEEP_ON_START: "false", AUDIT_KEY: auditKey,
        });
        return startService(config, createLogger({ level: "info" }, capture));
      }));
      try {
        for (const service of services) {
          const ready = await fetch(`${service.url}/readyz`);
          expect(ready.status).toBe(200);
        }
        const errors = logs.flatMap((c) => c.lines.map((l) => JSON.parse(l) as { level: number; msg: string })).filter((l) => l.level >= 50);
        expect(errors).toEqual([]);
        const seeded = logs.filter((c) => c.lines.some((l) => l.includes("seeded the sandbox clinic")));
        expect(seeded).toHaveLength(1);
        const { rows } = await t.db.pool.query("SELECT count(*)::int AS n FROM sandbox_seeds");
        expect(rows[0].n).toBe(1);
      } finally {
        await Promise.all(services.map((s) => s.stop()));
      }
    } finally {
      await t.drop();
    }
  }, 120_000);
});
