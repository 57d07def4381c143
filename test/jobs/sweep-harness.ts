/** A sweep service over the sandbox clinic with the sweep test agent, for the sweep tests. */
import { loadCodingTables } from "../../tools/coding/coding-tables.js";
import { FhirEhrClient } from "../../tools/ehr/fhir-ehr-client.js";
import { SandboxFhirTransport } from "../../tools/ehr/sandbox/fhir-handler.js";
import { PayerRules } from "../../tools/payer/payer-rules.js";
import { loadPayerConfig } from "../../tools/payer/sandbox/payer-config.js";
import type { Database } from "../../src/db/database.js";
import { SweepService } from "../../src/jobs/sweep-service.js";
import { createLogger } from "../../src/logger.js";
import { AgentRegistry } from "../../src/orchestration/registry.js";
import type { AgentRuntime } from "../../src/orchestration/runtime.js";
import { seedClinic } from "../../src/sandbox/sandbox-world.js";
import { testConfig, testRuntime } from "../helpers/app.js";
import { sweepTestAgent, type SweepTestDeps } from "./sweep-test-agent.js";

/** The sandbox clinic's "today" in these tests. */
export const TODAY = "2026-03-02";

/** Seeds a small sandbox clinic (30 patients, 2 weeks from TODAY). */
export async function seedSmallClinic(db: Database): Promise<void> {
  await seedClinic(db.pool, testConfig(), loadCodingTables(), { patients: 30, weeks: 2, seed: 7, asOf: TODAY });
}

/** A sweep service (not started) with its test agent's knobs. */
export async function sweepHarness(
  db: Database,
  options: {
    today?: string; failing?: string[]; flaky?: Record<string, number>; delayMs?: number; concurrency?: number; batchSize?: number; pollingIntervalSeconds?: number;
    runtime?: AgentRuntime; deps?: SweepTestDeps; agents?: ("eligibility" | "prior-auth")[]; instance?: { readonly id: string };
  } = {},
) {
  const logger = createLogger({ level: "silent" });
  const ehr = new FhirEhrClient(new SandboxFhirTransport(db.pool));
  const deps: SweepTestDeps = options.deps ?? {
    ehr, failing: new Set(options.failing ?? []), flaky: new Map(Object.entries(options.flaky ?? {})), delayMs: options.delayMs ?? 0, checked: [],
  };
  const registry = new AgentRegistry();
  for (const agent of options.agents ?? ["eligibility"]) registry.register(sweepTestAgent(agent), deps);
  const runtime = options.runtime ?? await testRuntime(db, logger, { registry });
  const payerRules = new PayerRules(loadPayerConfig());
  const sweeps = new SweepService({
    db, runtime, ehr, volatile: (payerId, planId) => payerRules.volatile(payerId, planId), logger,
    now: () => new Date(`${options.today ?? TODAY}T07:00:00Z`),
    sweep: { daysAhead: 5, dailyCron: "0 6 * * *", recheckCron: "0 14 * * *", concurrency: options.concurrency ?? 2, batchSize: options.batchSize ?? 4 },
    jobs: { retryLimit: 1, retryDelaySeconds: 1, retryBackoff: false, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5 },
    instance: options.instance,
  });
  return { sweeps, deps, runtime, ehr, payerRules };
}
