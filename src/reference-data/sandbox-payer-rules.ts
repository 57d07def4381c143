/**
 * Default payer rule overlays for the sandbox payers (tools/payer/sandbox/payers.default.json),
 * seeded once per database on first start in sandbox mode, so a new user sees rules the pre-bill
 * agent applies and can edit them:
 *
 * - JW/JZ: required where the payer's plans adjudicate waste modifiers (Medicare Part B, Medicare
 *   Advantage, Medicaid — CMS MLN "JW and JZ modifier FAQs", July 2023); waived by the sandbox's
 *   underpaying commercial payer (a payer may decline them).
 * - NDC: required by Medicaid (drug rebate, Deficit Reduction Act of 2005 §6002) and the commercial payers.
 * - Authorization: the codes the payer's plans require an authorization for (their `authRules`).
 * - Site of service: the commercial PPO pays its immunotherapy site-of-care program's drugs in the office only.
 *
 * Idempotent: a marker row (`payer_rule_seeds`) is written in the same transaction as the rules;
 * a second start, or a second instance, finds it and seeds nothing. Rules an admin ended or
 * changed are never re-seeded.
 */
import type pg from "pg";
import type { Logger } from "pino";
import type { PayerConfig } from "../../tools/payer/sandbox/payer-config.js";
import { withTransaction } from "../db/database.js";
import { appendAuditInTransaction } from "../governance/audit-log.js";
import type { PayerBillingRule } from "../../tools/claim/visit-record.js";
import { PayerRuleFields, paramsOf, ruleOf, type PayerRuleFieldsInput } from "./payer-rules.js";

/** The seed's name in `payer_rule_seeds`. */
export const SANDBOX_SEED = "sandbox-payers-v1";
/** From when the seeded rules apply. */
const FROM = "2026-01-01";
const REASON = "Sandbox default payer rules, seeded on first start";

/** A rule's fields without its first day (the seed's). */
type SeedFields = PayerRuleFieldsInput extends infer U ? (U extends unknown ? Omit<U, "effectiveFrom"> : never) : never;

/** The rules to seed, by payer id (those the configuration does not list are left out). */
export function sandboxPayerRules(config: PayerConfig): { id: string; payerId: string; fields: PayerRuleFields }[] {
  const out: { id: string; payerId: string; fields: PayerRuleFields }[] = [];
  const add = (payerId: string, name: string, fields: SeedFields) =>
    out.push({ id: `${payerId.toLowerCase()}-${name}`, payerId, fields: PayerRuleFields.parse({ ...fields, effectiveFrom: FROM }) });
  for (const payer of config.payers) {
    const waste = payer.plans.some((p) => p.adjudication.requireWasteModifiers);
    if (waste) add(payer.id, "requires-jw-jz", { kind: "requires-jw-jz", note: "JW on discarded drug, JZ when none was discarded, single-dose containers (CMS MLN JW/JZ FAQ)" });
    if (payer.id === "SBCOM2") add(payer.id, "waives-jw-jz", { kind: "waives-jw-jz", note: "Payer bulletin: do not report JW/JZ; bill the administered amount only" });
    if (payer.type === "medicaid" || payer.type === "commercial") add(payer.id, "requires-ndc", { kind: "requires-ndc", note: "NDC, unit and quantity on every drug line" });
    const authCodes = [...new Set(payer.plans.flatMap((p) => Object.entries(p.authRules).filter(([, r]) => r.required).map(([code]) => code)))].sort();
    if (authCodes.length > 0) add(payer.id, "auth-required", { kind: "auth-required", codes: authCodes, note: "Prior authorization on file before the first dose" });
    if (payer.id === "SBCOM1") {
      add(payer.id, "site-of-service", { kind: "site-of-service", codes: ["J9271", "J9299"], allowedSites: ["physician-office"], note: "Site-of-care program: immunotherapy in the office or home, not hospital outpatient" });
    }
  }
  return out;
}

/**
 * The sandbox rules as the pre-bill agent reads them, in force on a date: what the sandbox's charge
 * capture applies when it seeds past visits, so a clean capture is clean under the rules seeded.
 */
export function sandboxBillingRules(config: PayerConfig): (payerId: string, dateOfService: string) => PayerBillingRule[] {
  const rules = sandboxPayerRules(config);
  return (payerId, dateOfService) => rules
    .filter((r) => r.payerId === payerId && r.fields.effectiveFrom <= dateOfService && (r.fields.effectiveTo == null || dateOfService <= r.fields.effectiveTo))
    .map((r) => ruleOf({ id: r.id, kind: r.fields.kind, params: paramsOf(r.fields), note: r.fields.note ?? null }));
}

/** Seeds the sandbox payers' rules once; returns how many it seeded (0 when seeded before). */
export async function seedSandboxPayerRules(pool: pg.Pool, config: PayerConfig, at: Date, logger?: Logger): Promise<number> {
  const rules = sandboxPayerRules(config);
  const seeded = await withTransaction(pool, async (client) => {
    const { rowCount } = await client.query(
      "INSERT INTO payer_rule_seeds (name, seeded_at, seeded_by) VALUES ($1, $2, 'service:first-start') ON CONFLICT (name) DO NOTHING", [SANDBOX_SEED, at]);
    if ((rowCount ?? 0) === 0) return 0;
    for (const r of rules) {
      const { kind, note, effectiveFrom, effectiveTo, ...params } = r.fields;
      await client.query(
        `INSERT INTO payer_rules (id, version, payer_id, kind, params, note, effective_from, effective_to, recorded_at, recorded_by, reason)
         VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, 'service:first-start', $9) ON CONFLICT DO NOTHING`,
        [r.id, r.payerId, kind, JSON.stringify(params), note, effectiveFrom, effectiveTo, at, REASON]);
    }
    await appendAuditInTransaction(client, rules.map((r) => {
      const { kind, note, effectiveFrom, effectiveTo, ...params } = r.fields;
      return {
        kind: "payer_rule.created" as const, actor: "service:first-start", subjectType: "payer-rule", subjectId: r.id,
        payload: { version: 1, payerId: r.payerId, ruleKind: kind, params, note, effectiveFrom, effectiveTo, reason: REASON, previous: null },
      };
    }), () => at);
    return rules.length;
  });
  if (seeded > 0) logger?.info({ rules: seeded }, `seeded ${seeded} default payer rules for the sandbox payers`);
  return seeded;
}
