/**
 * The evaluation clinic: a generated sandbox clinic (truth known for every appointment) plus the
 * hand-written edge-case scenarios, loaded into a fresh in-memory database. The agents run
 * advisory — nothing executes, so no case changes another's truth (a 278 obtained for one visit
 * would authorize the next) — and what the gate would let them do alone is computed from their
 * proposals.
 */
import pino from "pino";
import { openDatabase, type Database } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { buildHarness, SandboxClock, type Harness } from "../src/sandbox/harness.js";
import { loadCodingTables } from "../tools/coding/coding-tables.js";
import { loadPayerConfig } from "../tools/payer/sandbox/payer-config.js";
import { catalogueDrugFacts } from "../tools/sandbox/catalogue-drug-facts.js";
import { generateClinic } from "../tools/sandbox/clinic-generator.js";
import { loadRegimens } from "../tools/sandbox/regimens.js";
import { scenarioClinic, type Scenario } from "../tools/sandbox/scenario-clinic.js";
import { seedSandbox } from "../tools/sandbox/seed-sandbox.js";
import type { AppointmentTruth, PayerAuthorization } from "../tools/sandbox/world.js";

/** "Today" in the evaluation clinic. */
export const EVAL_AS_OF = "2026-03-02";

/** The evaluation world. */
export interface EvalWorld {
  db: Database;
  harness: Harness;
  clock: SandboxClock;
  /** Truth of the generated clinic's upcoming appointments. */
  upcoming: AppointmentTruth[];
  /** The confidence cap on offline-model drafts. */
  offlineCap: number;
  close(): Promise<void>;
}

/** Builds the world: the generated clinic (seeded, defects planted more often than in the demo) plus `scenarios`. */
export async function openEvalWorld(scenarios: Scenario[], authorizations: PayerAuthorization[] = [], options: { patients?: number; seed?: number } = {}): Promise<EvalWorld> {
  const db = await openDatabase({ kind: "pglite", dataDir: "memory" });
  await migrate(db.pool);
  const tables = loadCodingTables();
  const payers = loadPayerConfig();
  const generated = generateClinic({
    patients: options.patients ?? 120, weeks: 3, seed: options.seed ?? 2026, asOf: EVAL_AS_OF,
    defects: { coverageTerminated: 0.15, expiredAuth: 0.15, noAuthOnFile: 0.12, pharmacyBenefitBuyAndBill: 0.5 },
  }, payers, loadRegimens(), catalogueDrugFacts(tables.drugs));
  const hand = scenarioClinic(scenarios, authorizations);
  await seedSandbox(db.pool, {
    ...generated,
    bundle: { ...generated.bundle, entry: [...generated.bundle.entry, ...hand.bundle.entry] },
    members: [...generated.members, ...hand.members],
    dependents: [...(generated.dependents ?? []), ...(hand.dependents ?? [])],
    authorizations: [...generated.authorizations, ...hand.authorizations],
  }, { id: "evaluation", meta: { seed: generated.seed } });
  const clock = new SandboxClock(new Date(`${EVAL_AS_OF}T06:00:00Z`));
  const harness = await buildHarness({ db, logger: pino({ level: "silent" }), clock, tables, payerConfig: payers, phase: "advisory" });
  return { db, harness, clock, upcoming: generated.truth.filter((t) => t.dateOfService >= EVAL_AS_OF), offlineCap: 0.6, close: () => db.close() };
}
