/**
 * Payer rule overlays (`payer_rules`, migration 0024): a payer's own billing rules — requires
 * JW/JZ, waives JW/JZ, requires the NDC, bundles a pair, site of service, authorization required —
 * kept as data per payer, effective-dated by date of service, and changed by admins without a
 * release. A rule is a legal fact, so nothing is erased: every change supersedes the version in
 * force and records the next (who, when, why), in one transaction with its audit entry
 * (`payer_rule.created`, `.changed`, `.ended`); ending a rule gives it a last day rather than
 * deleting it. The pre-bill agent reads `payerRulesInForce` into `VisitRecord.payerRules`.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import { PayerBillingRule } from "../../tools/claim/visit-record.js";
import { BadInputError, ConflictError, NotFoundError } from "../../tools/errors.js";
import { withTransaction } from "../db/database.js";
import { appendAuditInTransaction, type AuditKind } from "../governance/audit-log.js";
import { IsoDate } from "../server/routes/fields.js";

type Queryable = Pick<pg.Pool, "query">;

/** The kinds of rule (PayerBillingRule in tools/claim/visit-record.ts). */
export const PayerRuleKind = z.enum(["requires-jw-jz", "waives-jw-jz", "requires-ndc", "bundles-pair", "site-of-service", "auth-required"]);
export type PayerRuleKind = z.infer<typeof PayerRuleKind>;

const Code = z.string().trim().toUpperCase().regex(/^[0-9A-Z]{5}$/, "a HCPCS/CPT code (five letters or digits)");
const Codes = z.array(Code).min(1).max(500);
const Site = z.enum(["hospital-outpatient", "physician-office"]);

/** What every rule carries besides its kind's own fields. */
const Common = {
  note: z.string().trim().max(2000).nullable().default(null).describe("What the rule says, in the payer's words or a citation (policy number, bulletin)"),
  effectiveFrom: IsoDate.describe("First date of service the rule applies to"),
  effectiveTo: IsoDate.nullable().default(null).describe("Last date of service it applies to; null: until changed"),
};

/** A rule's kind and its own fields. */
export const PayerRuleFields = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("requires-jw-jz"), ...Common }).describe("JW on the discarded amount and JZ when none was discarded, on single-dose containers (CMS MLN JW/JZ FAQ)"),
  z.object({ kind: z.literal("waives-jw-jz"), ...Common }).describe("The payer does not want JW/JZ lines"),
  z.object({ kind: z.literal("requires-ndc"), ...Common }).describe("Every drug line carries its 11-digit NDC, unit and quantity"),
  z.object({ kind: z.literal("bundles-pair"), column1: Code, column2: Code, modifierAllowed: z.boolean().describe("Whether a distinct-service modifier (59/XU …) unbundles it"), ...Common })
    .describe("The payer bundles column 2 into column 1 beyond NCCI"),
  z.object({ kind: z.literal("site-of-service"), codes: Codes, allowedSites: z.array(Site).min(1).max(2), ...Common }).describe("These codes are paid only at these sites of care"),
  z.object({ kind: z.literal("auth-required"), codes: Codes, ...Common }).describe("These codes need a prior authorization on file"),
]);
export type PayerRuleFields = z.infer<typeof PayerRuleFields>;
export type PayerRuleFieldsInput = z.input<typeof PayerRuleFields>;

/** A payer id as the clinic's payer list names it. */
export const PayerId = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a payer id (letters, digits, . _ -)");

/** A reason for a change: payer rules are legal facts, every change says why. */
export const ChangeReason = z.string().trim().min(3).max(2000).describe("Why: the payer's bulletin, policy update, contract amendment …");

/** A rule version as the API shows it. */
export const PayerRuleInfo = z.object({
  id: z.string().describe("The rule's stable id (the payer rule a finding cites)"),
  version: z.number().int().describe("1 for the rule as created; each change adds one"),
  payerId: z.string(),
  kind: PayerRuleKind,
  rule: PayerBillingRule.describe("The rule as the pre-bill agent reads it"),
  effectiveFrom: z.string(),
  effectiveTo: z.string().nullable(),
  recordedAt: z.string(),
  recordedBy: z.string(),
  reason: z.string(),
  supersededAt: z.string().nullable().describe("When a later version replaced this one; null for the version in force"),
});
export type PayerRuleInfo = z.infer<typeof PayerRuleInfo>;

interface Row {
  id: string; version: number; payer_id: string; kind: PayerRuleKind; params: Record<string, unknown>; note: string | null;
  effective_from: string; effective_to: string | null; recorded_at: Date; recorded_by: string; reason: string; superseded_at: Date | null;
}

const COLUMNS = `id, version, payer_id, kind, params, note, to_char(effective_from, 'YYYY-MM-DD') AS effective_from,
  to_char(effective_to, 'YYYY-MM-DD') AS effective_to, recorded_at, recorded_by, reason, superseded_at`;

/** Advisory-lock key serialising changes to one payer's rules (the payer id hashed in SQL). */
const LOCK_CLASS = 0x70727573;

export const ruleOf = (r: Pick<Row, "id" | "kind" | "params" | "note">): PayerBillingRule => PayerBillingRule.parse({ id: r.id, kind: r.kind, ...r.params, note: r.note });

const toInfo = (r: Row): PayerRuleInfo => ({
  id: r.id, version: r.version, payerId: r.payer_id, kind: r.kind, rule: ruleOf(r), effectiveFrom: r.effective_from, effectiveTo: r.effective_to,
  recordedAt: r.recorded_at.toISOString(), recordedBy: r.recorded_by, reason: r.reason, supersededAt: r.superseded_at?.toISOString() ?? null,
});

/** The kind's own fields, as stored in `params`. */
export function paramsOf(f: PayerRuleFields): Record<string, unknown> {
  const { kind: _kind, note: _note, effectiveFrom: _from, effectiveTo: _to, ...params } = f;
  return params;
}

function checkDates(f: Pick<PayerRuleFields, "effectiveFrom" | "effectiveTo">): void {
  if (f.effectiveTo !== null && f.effectiveTo < f.effectiveFrom) {
    throw new BadInputError(`effectiveTo ${f.effectiveTo} is before effectiveFrom ${f.effectiveFrom}`, { details: { field: "effectiveTo" } });
  }
}

const overlaps = (a: { effectiveFrom: string; effectiveTo: string | null }, b: { effective_from: string; effective_to: string | null }) =>
  (b.effective_to === null || a.effectiveFrom <= b.effective_to) && (a.effectiveTo === null || b.effective_from <= a.effectiveTo);

/**
 * Refuses a rule that contradicts or repeats one in force for the same payer on any shared date:
 * requires-jw-jz with waives-jw-jz, or the same kind with the same fields twice.
 */
async function checkConflicts(client: pg.PoolClient, payerId: string, f: PayerRuleFields, exceptId: string | null): Promise<void> {
  const { rows } = await client.query<Row>(`SELECT ${COLUMNS} FROM payer_rules WHERE payer_id = $1 AND superseded_at IS NULL AND id IS DISTINCT FROM $2`, [payerId, exceptId]);
  const opposite: Partial<Record<PayerRuleKind, PayerRuleKind>> = { "requires-jw-jz": "waives-jw-jz", "waives-jw-jz": "requires-jw-jz" };
  const same = JSON.stringify(paramsOf(f));
  for (const r of rows) {
    if (!overlaps(f, r)) continue;
    if (r.kind === opposite[f.kind]) {
      throw new ConflictError(`${payerId} has ${r.kind} rule ${r.id} in force ${r.effective_from} – ${r.effective_to ?? "open"}; end it before adding ${f.kind} for those dates`, { details: { conflictsWith: r.id } });
    }
    if (r.kind === f.kind && JSON.stringify(r.params) === same) {
      throw new ConflictError(`${payerId} already has this ${f.kind} rule (${r.id}) in force on some of these dates`, { details: { conflictsWith: r.id } });
    }
  }
}

async function audit(client: pg.PoolClient, kind: AuditKind, actor: string, row: Row, at: Date, previous: Row | null): Promise<void> {
  await appendAuditInTransaction(client, [{
    kind, actor, subjectType: "payer-rule", subjectId: row.id,
    payload: {
      version: row.version, payerId: row.payer_id, ruleKind: row.kind, params: row.params, note: row.note,
      effectiveFrom: row.effective_from, effectiveTo: row.effective_to, reason: row.reason,
      previous: previous === null ? null : { version: previous.version, params: previous.params, note: previous.note, effectiveFrom: previous.effective_from, effectiveTo: previous.effective_to },
    },
  }], () => at);
}

async function insertVersion(client: pg.PoolClient, v: { id: string; version: number; payerId: string; fields: PayerRuleFields; actor: string; reason: string; at: Date }): Promise<Row> {
  const { rows } = await client.query<Row>(
    `INSERT INTO payer_rules (id, version, payer_id, kind, params, note, effective_from, effective_to, recorded_at, recorded_by, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
    [v.id, v.version, v.payerId, v.fields.kind, JSON.stringify(paramsOf(v.fields)), v.fields.note, v.fields.effectiveFrom, v.fields.effectiveTo, v.at, v.actor, v.reason],
  );
  return rows[0] as Row;
}

async function currentForUpdate(client: pg.PoolClient, id: string): Promise<Row> {
  const { rows } = await client.query<Row>(`SELECT ${COLUMNS} FROM payer_rules WHERE id = $1 AND superseded_at IS NULL FOR UPDATE`, [id]);
  const row = rows[0];
  if (row === undefined) throw new NotFoundError(`No payer rule ${id}`);
  return row;
}

const lockPayer = (client: pg.PoolClient, payerId: string) => client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [LOCK_CLASS, payerId]);

/** A new rule (version 1); `id` is generated unless given (seeds name theirs). */
export async function createPayerRule(
  pool: pg.Pool, input: { payerId: string; fields: PayerRuleFields; reason: string; id?: string }, actor: string, at: Date,
): Promise<PayerRuleInfo> {
  checkDates(input.fields);
  const id = input.id ?? `pr_${randomUUID()}`;
  return withTransaction(pool, async (client) => {
    await lockPayer(client, input.payerId);
    const { rowCount } = await client.query("SELECT 1 FROM payer_rules WHERE id = $1", [id]);
    if ((rowCount ?? 0) > 0) throw new ConflictError(`Payer rule ${id} exists`);
    await checkConflicts(client, input.payerId, input.fields, null);
    const row = await insertVersion(client, { id, version: 1, payerId: input.payerId, fields: input.fields, actor, reason: input.reason, at });
    await audit(client, "payer_rule.created", actor, row, at, null);
    return toInfo(row);
  });
}

/**
 * Changes a rule: the version in force is superseded and the next recorded. The payer and the kind
 * stay (a different rule is a new rule); `expectedVersion`, when given, must be the version in force.
 */
export async function updatePayerRule(
  pool: pg.Pool, id: string, input: { fields: PayerRuleFields; reason: string; expectedVersion?: number }, actor: string, at: Date,
): Promise<PayerRuleInfo> {
  checkDates(input.fields);
  return withTransaction(pool, async (client) => {
    const payer = (await client.query<{ payer_id: string }>("SELECT payer_id FROM payer_rules WHERE id = $1 LIMIT 1", [id])).rows[0];
    if (payer === undefined) throw new NotFoundError(`No payer rule ${id}`);
    await lockPayer(client, payer.payer_id);
    const current = await currentForUpdate(client, id);
    if (input.expectedVersion !== undefined && input.expectedVersion !== current.version) {
      throw new ConflictError(`Payer rule ${id} is at version ${current.version}, not ${input.expectedVersion}: someone changed it; reload and try again`);
    }
    if (input.fields.kind !== current.kind) throw new BadInputError(`Payer rule ${id} is a ${current.kind} rule; add a new rule for ${input.fields.kind}`, { details: { field: "kind" } });
    await checkConflicts(client, current.payer_id, input.fields, id);
    await client.query("UPDATE payer_rules SET superseded_at = $3 WHERE id = $1 AND version = $2", [id, current.version, at]);
    const row = await insertVersion(client, { id, version: current.version + 1, payerId: current.payer_id, fields: input.fields, actor, reason: input.reason, at });
    await audit(client, "payer_rule.changed", actor, row, at, current);
    return toInfo(row);
  });
}

/** Ends a rule: its last date of service becomes `effectiveTo` (a new version); nothing is erased. */
export async function endPayerRule(pool: pg.Pool, id: string, input: { effectiveTo: string; reason: string }, actor: string, at: Date): Promise<PayerRuleInfo> {
  return withTransaction(pool, async (client) => {
    const current = await currentForUpdate(client, id);
    if (input.effectiveTo < current.effective_from) {
      throw new BadInputError(`Payer rule ${id} applies from ${current.effective_from}; its last day cannot be ${input.effectiveTo}`, { details: { field: "effectiveTo" } });
    }
    if (current.effective_to !== null && current.effective_to <= input.effectiveTo) {
      throw new ConflictError(`Payer rule ${id} already ends on ${current.effective_to}; change it with PUT to extend it`);
    }
    await client.query("UPDATE payer_rules SET superseded_at = $3 WHERE id = $1 AND version = $2", [id, current.version, at]);
    const fields = PayerRuleFields.parse({ kind: current.kind, ...current.params, note: current.note, effectiveFrom: current.effective_from, effectiveTo: input.effectiveTo });
    const row = await insertVersion(client, { id, version: current.version + 1, payerId: current.payer_id, fields, actor, reason: input.reason, at });
    await audit(client, "payer_rule.ended", actor, row, at, current);
    return toInfo(row);
  });
}

/** The rules (versions in force) of a payer, or of all, optionally only those applying on a date of service. */
export async function listPayerRules(db: Queryable, q: { payerId?: string; on?: string } = {}): Promise<PayerRuleInfo[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM payer_rules WHERE superseded_at IS NULL AND ($1::text IS NULL OR payer_id = $1)
       AND ($2::date IS NULL OR (effective_from <= $2::date AND (effective_to IS NULL OR effective_to >= $2::date)))
     ORDER BY payer_id, kind, effective_from, id`, [q.payerId ?? null, q.on ?? null]);
  return rows.map(toInfo);
}

/** A rule's versions, newest first (404 when there is no such rule). */
export async function payerRuleHistory(db: Queryable, id: string): Promise<PayerRuleInfo[]> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM payer_rules WHERE id = $1 ORDER BY version DESC`, [id]);
  if (rows.length === 0) throw new NotFoundError(`No payer rule ${id}`);
  return rows.map(toInfo);
}

/** The payer's rules in force on the date of service, as the pre-bill agent puts them in `VisitRecord.payerRules`. */
export async function payerRulesInForce(db: Queryable, payerId: string, dateOfService: string): Promise<PayerBillingRule[]> {
  return (await listPayerRules(db, { payerId, on: dateOfService })).map((r) => r.rule);
}
