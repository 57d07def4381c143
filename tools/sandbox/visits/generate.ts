/**
 * The sandbox after the visit: past visits with their MAR and their captured charges, errors
 * planted at configurable rates and the truth kept. Deterministic per seed: the same seed and
 * rates give the same visits, charges and truth. `generateVisitRecords` needs no database (for
 * evaluations and benchmarks); `capturedVisits` works on the clinic the sandbox seeds.
 */
import type { PayerBillingRule } from "../../claim/visit-record.js";
import { loadCodingTables, type CodingTables } from "../../coding/coding-tables.js";
import type { VisitRecord } from "../../claim/visit-record.js";
import { loadPayerConfig, type PayerConfig } from "../../payer/sandbox/payer-config.js";
import { addDays } from "../../iso-dates.js";
import { catalogueDrugFacts } from "../catalogue-drug-facts.js";
import { generateClinic } from "../clinic-generator.js";
import { Random } from "../prng.js";
import { loadRegimens, type RegimenCatalogue } from "../regimens.js";
import type { SandboxClinic } from "../world.js";
import { captureCharges, type CaptureContext } from "./capture.js";
import { chargeMaster } from "./charge-master.js";
import { ChargeErrorRates, type ChargeErrorRatesInput, type PlantedError } from "./charge-errors.js";
import { pastVisits } from "./from-clinic.js";
import { plantErrors, type PlantContext } from "./plant.js";

/** A generated visit and the truth about its charges (empty: the charges are clean). */
export interface GeneratedVisit {
  record: VisitRecord;
  truth: PlantedError[];
}

/** The MAR defects of the clinic generator the after-visit layer plants itself (with truth), off in the clinic it reads. */
export const CLINIC_MAR_DEFECTS_OFF = { missingStopTime: 0, missingWasteRecord: 0, wrongNdc: 0 } as const;

/** The planting context over the coding tables. */
export function plantContext(tables: CodingTables): PlantContext {
  return { drugs: catalogueDrugFacts(tables.drugs), chargeMaster: chargeMaster(tables.asp), edits: tables.edits };
}

/** A visit with the charges a correct charge capture produces from its MAR. */
export function cleanVisit(record: VisitRecord, ctx: CaptureContext): VisitRecord {
  return { ...record, charges: captureCharges(record, ctx) };
}

/** FNV-1a of the seed and a visit id: each visit's planting draws from its own stream. */
export function visitSeed(seed: number, visitId: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < visitId.length; i += 1) h = Math.imul(h ^ visitId.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Captures the charges of a clinic's past visits (on or after `since`, when given) and plants errors. */
export function capturedVisits(
  clinic: Pick<SandboxClinic, "bundle" | "seed">,
  options: { rates?: ChargeErrorRatesInput; ctx: PlantContext; since?: string; payerRules?: (payerId: string, dateOfService: string) => PayerBillingRule[] },
): GeneratedVisit[] {
  const rates = ChargeErrorRates.parse(options.rates ?? {});
  return pastVisits(clinic).filter((v) => options.since === undefined || v.dateOfService >= options.since).map((visit) => {
    // Charge capture that knows the payer's billing rules (JW/JZ, NDC …), as the clinic keeps them: a clean capture is clean under them.
    const base = options.payerRules === undefined || visit.coverage.payerId === null ? visit : { ...visit, payerRules: options.payerRules(visit.coverage.payerId, visit.dateOfService) };
    const clean = cleanVisit(base, options.ctx);
    const { record, truth } = plantErrors(clean, rates, new Random(visitSeed(clinic.seed, base.visitId)), options.ctx);
    return { record, truth };
  });
}

/** Options of `generateVisitRecords`. */
export interface GenerateVisitOptions {
  count: number;
  seed: number;
  rates?: ChargeErrorRatesInput;
  /** "Today" (YYYY-MM-DD): the visits happened in the weeks before it. */
  today: string;
  tables?: CodingTables;
  payers?: PayerConfig;
  regimens?: RegimenCatalogue;
  /** The payers' billing rules charge capture applies and the visit record carries (none by default). */
  payerRules?: (payerId: string, dateOfService: string) => PayerBillingRule[];
}

/**
 * `count` past visits with captured charges and planted errors, with their truth — no database.
 * Generates a clinic large enough (three weeks of history), takes its first `count` past visits.
 */
export function generateVisitRecords(options: GenerateVisitOptions): GeneratedVisit[] {
  const tables = options.tables ?? loadCodingTables();
  const payers = options.payers ?? loadPayerConfig();
  const regimens = options.regimens ?? loadRegimens();
  const ctx = plantContext(tables);
  let patients = Math.max(Math.ceil(options.count / 1.2), 4);
  for (;;) {
    const clinic = generateClinic({ patients, weeks: 1, historyWeeks: 3, seed: options.seed, asOf: options.today, defects: CLINIC_MAR_DEFECTS_OFF }, payers, regimens, ctx.drugs);
    const visits = capturedVisits(clinic, { rates: options.rates, ctx, since: addDays(options.today, -21), payerRules: options.payerRules });
    if (visits.length >= options.count || patients > options.count * 20) return visits.slice(0, options.count);
    patients *= 2;
  }
}
