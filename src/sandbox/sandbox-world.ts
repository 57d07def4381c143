/**
 * The sandbox world the service runs against when no real EHR is configured: the synthetic
 * clinic in the sandbox FHIR server, and the payer simulator behind the clearinghouse interface.
 */
import type { Logger } from "pino";
import type pg from "pg";
import type { CodingTables } from "../../tools/coding/coding-tables.js";
import type { EhrClient } from "../../tools/ehr/ehr-client.js";
import { FhirEhrClient } from "../../tools/ehr/fhir-ehr-client.js";
import { HttpFhirTransport } from "../../tools/ehr/fhir-transport.js";
import { SandboxFhirTransport } from "../../tools/ehr/sandbox/fhir-handler.js";
import type { Clearinghouse } from "../../tools/payer/clearinghouse.js";
import { loadPayerConfig, type PayerConfig } from "../../tools/payer/sandbox/payer-config.js";
import { SandboxClearinghouse } from "../../tools/payer/sandbox/sandbox-clearinghouse.js";
import { SandboxPayer } from "../../tools/payer/sandbox/sandbox-payer.js";
import { catalogueDrugFacts } from "../../tools/sandbox/catalogue-drug-facts.js";
import { generateClinic } from "../../tools/sandbox/clinic-generator.js";
import { loadRegimens } from "../../tools/sandbox/regimens.js";
import { sandboxSeeded, seedSandbox } from "../../tools/sandbox/seed-sandbox.js";
import { CLINIC_MAR_DEFECTS_OFF, plantContext } from "../../tools/sandbox/visits/generate.js";
import { withCapturedCharges } from "../../tools/sandbox/visits/seed-visits.js";
import { sandboxBillingRules } from "../reference-data/sandbox-payer-rules.js";
import type { Config } from "../config.js";

/** The EHR and payer connections the agents use. */
export interface Connections {
  ehr: EhrClient;
  clearinghouse: Clearinghouse;
  /** Present in sandbox mode. */
  sandboxPayer: SandboxPayer | null;
  payerConfig: PayerConfig | null;
}

/**
 * Builds the connections the configuration names: a configured EHR over FHIR, else the sandbox
 * EHR in-process. Claims and eligibility go to the sandbox payer until a real clearinghouse
 * adapter (an implementation of `Clearinghouse`) is wired in here.
 */
export function connectionsFor(config: Config, pool: pg.Pool, tables: CodingTables, now: () => Date): Connections {
  const ehr = config.ehr.baseUrl !== undefined
    ? new FhirEhrClient(new HttpFhirTransport({ baseUrl: config.ehr.baseUrl, token: config.ehr.token, timeoutMs: config.ehr.timeoutMs }))
    : new FhirEhrClient(new SandboxFhirTransport(pool));
  const payerConfig = loadPayerConfig(config.sandbox.payerConfigFile);
  const sandboxPayer = new SandboxPayer({ pool, config: payerConfig, tables, now });
  return { ehr, clearinghouse: new SandboxClearinghouse(sandboxPayer), sandboxPayer, payerConfig };
}

/**
 * Seeds the sandbox clinic when none is loaded; returns whether it seeded. Once per database: an
 * instance that finds a clinic, or that another instance loads one first, leaves it alone.
 */
export async function seedSandboxIfEmpty(
  pool: pg.Pool, config: Config, tables: CodingTables, today: string, logger: Logger, onProgress?: (done: number, total: number) => void,
): Promise<boolean> {
  if (!config.sandbox.enabled || (await sandboxSeeded(pool))) return false;
  const { seeded } = await seedClinic(pool, config, tables, { patients: config.sandbox.patients, weeks: config.sandbox.weeks, seed: config.sandbox.seed, asOf: today, ifEmpty: true }, onProgress);
  if (!seeded) {
    logger.info("the sandbox clinic was seeded by another instance meanwhile; using it");
    return false;
  }
  logger.info({ patients: config.sandbox.patients, weeks: config.sandbox.weeks, seed: config.sandbox.seed }, "seeded the sandbox clinic (synthetic data)");
  return true;
}

/**
 * Generates and loads a clinic, replacing any sandbox data (with `ifEmpty`, only when none is
 * loaded: `seeded` says whether it was). Past visits get their captured charges with errors planted
 * at `config.sandbox.chargeErrorRate` (README "Sandbox: after the visit"); the after-visit layer
 * plants the MAR defects itself, so the clinic generator's own are off.
 */
export async function seedClinic(
  pool: pg.Pool, config: Config, tables: CodingTables, { ifEmpty, ...options }: { patients: number; weeks: number; seed: number; asOf: string; ifEmpty?: boolean },
  onProgress?: (done: number, total: number) => void,
): Promise<{ seeded: boolean; appointments: number; resources: number; range: { from: string; to: string } }> {
  const generated = generateClinic({ ...options, defects: CLINIC_MAR_DEFECTS_OFF, onProgress: (d, t) => onProgress?.(d, t * 2) }, loadPayerConfig(config.sandbox.payerConfigFile), loadRegimens(), catalogueDrugFacts(tables.drugs));
  const { clinic } = withCapturedCharges(generated, {
    ctx: plantContext(tables), rates: { default: config.sandbox.chargeErrorRate },
    payerRules: sandboxBillingRules(loadPayerConfig(config.sandbox.payerConfigFile)),
  });
  const seeded = await seedSandbox(pool, clinic, { id: `seed-${options.seed}-${options.asOf}`, meta: options, ifEmpty }, (d, t) => onProgress?.(options.patients + Math.round((d / t) * options.patients), options.patients * 2));
  return { seeded, appointments: clinic.truth.length, resources: clinic.bundle.entry.length, range: clinic.range };
}
