/**
 * The sandbox payers and plans: a JSON file with this schema (a default ships beside it).
 * Coverage windows live with each member; everything a plan decides is here: accumulators,
 * benefit routing per drug, authorization rules per drug, contract terms and adjudication rules.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { BadInputError } from "../../errors.js";
import { shippedFile } from "../../shipped-files.js";

const Money = z.string().regex(/^\d+(\.\d{1,2})?$/).describe("Decimal dollars, e.g. \"1500.00\"");
const Hcpcs = z.string().regex(/^[A-Z]\d{4}$/);

/** Authorization rule for one drug (HCPCS). */
export const AuthRule = z.object({
  required: z.boolean(),
  /** ICD-10-CM prefixes the drug is authorized for (e.g. "C34"); empty = any. */
  diagnosisPrefixes: z.array(z.string()).default([]),
  /** Most billing units one authorization covers. */
  unitCapPerAuth: z.number().int().positive(),
  /** Days an approved authorization stays valid from its start. */
  validityDays: z.number().int().positive(),
  turnaround: z.discriminatedUnion("mode", [
    z.object({ mode: z.literal("immediate") }),
    z.object({ mode: z.literal("pended"), days: z.number().int().positive() }),
  ]),
  /** Approve when the diagnosis matches; deny otherwise (the sandbox's approval rule). */
  denyWhenDiagnosisMismatch: z.boolean().default(true),
});
export type AuthRule = z.infer<typeof AuthRule>;

/** Contract terms: % of ASP, or a fee schedule per HCPCS (falling back to % of ASP). */
export const ContractTerms = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("asp-percent"), percentOfAsp: z.number().positive().describe("e.g. 115 = ASP + 15 %") }),
  z.object({ kind: z.literal("fee-schedule"), rates: z.record(Hcpcs, Money), fallbackPercentOfAsp: z.number().positive() }),
]);
export type ContractTerms = z.infer<typeof ContractTerms>;

/** A plan. */
export const Plan = z.object({
  id: z.string(),
  name: z.string(),
  /** Individual deductible and out-of-pocket maximum per calendar year. */
  deductible: Money,
  oopMax: Money,
  familyDeductible: Money.optional(),
  /** Patient coinsurance percent after the deductible. */
  coinsurancePercent: z.number().min(0).max(100),
  /** Plans whose eligibility changes often get a recheck the day before the visit. */
  volatile: z.boolean().default(false),
  /** Benefit per drug; drugs not listed go to `defaultRoute`. */
  benefitRouting: z.record(Hcpcs, z.enum(["medical", "pharmacy"])).default({}),
  defaultRoute: z.enum(["medical", "pharmacy"]).default("medical"),
  authRules: z.record(Hcpcs, AuthRule).default({}),
  contract: ContractTerms,
  adjudication: z.object({
    /** Medicare rule: single-dose drugs need JW (waste) or JZ (no waste). */
    requireWasteModifiers: z.boolean(),
    /** Pays this share of the contracted amount (100 = pays in full; < 100 = systematic underpayment). */
    paysPercentOfContract: z.number().min(0).max(100).default(100),
    timelyFilingDays: z.number().int().positive().default(365),
  }),
});
export type Plan = z.infer<typeof Plan>;

/** A payer with its plans. */
export const Payer = z.object({
  id: z.string().describe("Payer id as on the 270/837 (NM1*PR … PI)"),
  name: z.string(),
  type: z.enum(["medicare", "medicare-advantage", "commercial", "medicaid"]),
  /** The clinic's network status with this payer: which 271 rows apply (EB12 Y in-network, N out-of-network, W both). */
  network: z.enum(["in", "out"]).default("in"),
  plans: z.array(Plan).min(1),
});
export type Payer = z.infer<typeof Payer>;

/** The whole file. Administration (CPT) lines are paid from one sandbox fee schedule. */
export const PayerConfig = z.object({
  payers: z.array(Payer).min(1),
  administrationFeeSchedule: z.record(z.string().regex(/^\d{5}$/), Money).default({}),
});
export type PayerConfig = z.infer<typeof PayerConfig>;

/** Default file location (found from the sources or from `dist/`). */
export const DEFAULT_PAYER_CONFIG = shippedFile("tools/payer/sandbox/payers.default.json");

/** Reads and validates a payer file; names the path of every problem. */
export function loadPayerConfig(file: string | URL = DEFAULT_PAYER_CONFIG): PayerConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new BadInputError(`Payer file ${String(file)} is not readable JSON: ${(error as Error).message}`, { code: "INVALID_DATA_FILE" });
  }
  const parsed = PayerConfig.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new BadInputError(`Payer file ${String(file)} is invalid — ${problems.join("; ")}`, { code: "INVALID_DATA_FILE", details: { problems } });
  }
  return parsed.data;
}

/** Finds a plan. */
export function findPlan(config: PayerConfig, payerId: string, planId: string): { payer: Payer; plan: Plan } | undefined {
  const payer = config.payers.find((p) => p.id === payerId);
  const plan = payer?.plans.find((p) => p.id === planId);
  return payer === undefined || plan === undefined ? undefined : { payer, plan };
}
