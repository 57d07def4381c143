/** A sandbox harness running the pre-bill agent alone (advisory), for the pre-bill tests. */
import pino from "pino";
import { preBillAgent } from "../../agents/pre-bill/graph.js";
import type { Database } from "../../src/db/database.js";
import { AgentRegistry } from "../../src/orchestration/registry.js";
import { buildHarness, type Harness, type SandboxClock } from "../../src/sandbox/harness.js";
import { preBillDeps } from "../../src/service-components.js";
import type { CodingTables } from "../../tools/coding/coding-tables.js";
import { testConfig } from "./app.js";

export function preBillHarness(db: Database, clock: SandboxClock, tables: CodingTables): Promise<Harness> {
  return buildHarness({
    db, logger: pino({ level: "silent" }), clock, phase: "advisory", tables,
    registry: (deps) => {
      const pb = preBillDeps(testConfig(), db.pool, deps, tables, clock.now);
      return new AgentRegistry().register(preBillAgent(pb), pb);
    },
  });
}
