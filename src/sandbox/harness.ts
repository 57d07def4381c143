/**
 * A sandbox clinic with the pre-service agents running on it, in-process: the database seeded
 * with a generated clinic, the sandbox EHR and payer behind their real interfaces, the product
 * registry and a runtime. Tests, evaluations and benchmarks all start here, so they exercise
 * exactly what the service runs.
 */
import type { Logger } from "pino";
import { loadCodingTables, type CodingTables } from "../../tools/coding/coding-tables.js";
import { FhirEhrClient } from "../../tools/ehr/fhir-ehr-client.js";
import { SandboxFhirTransport } from "../../tools/ehr/sandbox/fhir-handler.js";
import type { Clearinghouse } from "../../tools/payer/clearinghouse.js";
import { PayerRules } from "../../tools/payer/payer-rules.js";
import { loadPayerConfig, type PayerConfig } from "../../tools/payer/sandbox/payer-config.js";
import { SandboxClearinghouse } from "../../tools/payer/sandbox/sandbox-clearinghouse.js";
import { SandboxPayer } from "../../tools/payer/sandbox/sandbox-payer.js";
import { catalogueDrugFacts } from "../../tools/sandbox/catalogue-drug-facts.js";
import { generateClinic, type ClinicOptions } from "../../tools/sandbox/clinic-generator.js";
import { loadRegimens } from "../../tools/sandbox/regimens.js";
import { seedSandbox } from "../../tools/sandbox/seed-sandbox.js";
import type { SandboxClinic } from "../../tools/sandbox/world.js";
import type { PreServiceDeps } from "../../agents/shared/pre-service-deps.js";
import { loadConfig } from "../config.js";
import type { Database } from "../db/database.js";
import { useEphemeralAuditKeyringUnlessLoaded } from "../governance/audit-keys.js";
import type { Phase } from "../governance/autonomy.js";
import { OfflineModel } from "../llm/offline-provider.js";
import type { ModelClient } from "../llm/types.js";
import { createCheckpointer, setupCheckpointer } from "../orchestration/checkpointer.js";
import type { AgentRegistry } from "../orchestration/registry.js";
import { AgentRuntime } from "../orchestration/runtime.js";

/** A settable clock (the sandbox payer's "today" and the runtime's timestamps). */
export class SandboxClock {
  constructor(private current: Date) {}
  now = (): Date => this.current;
  set(iso: string): void {
    this.current = new Date(iso);
  }
}

/** What a harness is built from. */
export interface HarnessOptions {
  db: Database;
  logger: Logger;
  clock: SandboxClock;
  tables?: CodingTables;
  payerConfig?: PayerConfig;
  model?: ModelClient;
  /** Wrap the clearinghouse (e.g. to make the payer fail). */
  clearinghouse?: (inner: Clearinghouse) => Clearinghouse;
  /** Phase of every product agent (default advisory, as a new clinic starts). */
  phase?: Phase;
  registry?: (deps: PreServiceDeps) => AgentRegistry;
}

/** A sandbox world with its agents. */
export interface Harness {
  deps: PreServiceDeps;
  payer: SandboxPayer;
  runtime: AgentRuntime;
  registry: AgentRegistry;
}

/** Builds the agents' world over a database (seed it with `seedGeneratedClinic` or by hand). */
export async function buildHarness(o: HarnessOptions): Promise<Harness> {
  const tables = o.tables ?? loadCodingTables();
  const payerConfig = o.payerConfig ?? loadPayerConfig();
  const payer = new SandboxPayer({ pool: o.db.pool, config: payerConfig, tables, now: o.clock.now });
  const inner = new SandboxClearinghouse(payer);
  const deps: PreServiceDeps = {
    ehr: new FhirEhrClient(new SandboxFhirTransport(o.db.pool)),
    clearinghouse: o.clearinghouse === undefined ? inner : o.clearinghouse(inner),
    tables, model: o.model ?? new OfflineModel(0.6), clinic: loadConfig({}).clinic,
    payerRules: new PayerRules(payerConfig),
  };
  // Loaded lazily so a test of one agent does not load the others.
  const registry = (o.registry ?? (await import("../orchestration/product-agents.js")).productRegistry)(deps);
  const checkpointer = createCheckpointer(o.db);
  await setupCheckpointer(o.db, checkpointer);
  // The harness's database is a sandbox: its trail is signed with the process's key, or a throwaway one.
  useEphemeralAuditKeyringUnlessLoaded();
  const runtime = new AgentRuntime({ pool: o.db.pool, checkpointer, registry, logger: o.logger, now: o.clock.now });
  for (const agent of registry.list()) {
    await o.db.pool.query(
      `INSERT INTO agent_autonomy (agent, action_type, phase, updated_by, justification) VALUES ($1, '*', $2, 'sandbox-harness', 'sandbox')
       ON CONFLICT (agent, action_type) DO UPDATE SET phase = EXCLUDED.phase`, [agent.id, o.phase ?? "advisory"]);
  }
  return { deps, payer, runtime, registry };
}

/** Generates a clinic and loads it; returns the clinic with its truth. */
export async function seedGeneratedClinic(db: Database, options: Omit<ClinicOptions, "onProgress">, tables: CodingTables = loadCodingTables(), payerConfig: PayerConfig = loadPayerConfig()): Promise<SandboxClinic> {
  const clinic = generateClinic(options, payerConfig, loadRegimens(), catalogueDrugFacts(tables.drugs));
  await seedSandbox(db.pool, clinic, { id: `harness-${options.seed}-${options.asOf}`, meta: { ...options } });
  return clinic;
}
