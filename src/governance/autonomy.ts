/**
 * Autonomy: each agent (and optionally each of its action types) is in one phase —
 * `advisory` (every action is a draft), `partial` (confident, non-human-only actions execute),
 * `full` (all but human-only actions execute). Promotion is earned from the review record;
 * an unearned promotion is refused with the unmet criteria; a record that falls below the
 * current phase's criteria demotes automatically. Every change and refusal is audited.
 */
import type pg from "pg";
import { z } from "zod";
import { ConflictError } from "../../tools/errors.js";
import { withTransaction } from "../db/database.js";
import { appendAudit, appendAuditInTransaction } from "./audit-log.js";

export const Phase = z.enum(["advisory", "partial", "full"]);
export type Phase = z.infer<typeof Phase>;
const ORDER: Record<Phase, number> = { advisory: 0, partial: 1, full: 2 };

/** What a phase demands of the record. */
export const PhaseCriteria = z.object({
  minReviewed: z.number().int().min(0).describe("Reviewed decisions in the window"),
  minAcceptedWithoutEdit: z.number().min(0).max(1).describe("Share accepted as drafted"),
  minDays: z.number().int().min(0).describe("Days between the first reviewed decision in the window and now"),
});
export type PhaseCriteria = z.infer<typeof PhaseCriteria>;

/** Thresholds per phase and the window the record is measured over. */
export interface AutonomyPolicy {
  partial: PhaseCriteria;
  full: PhaseCriteria;
  windowDays: number;
}

/** Defaults from the product card: ≥ 200 reviewed, ≥ 95 % accepted as drafted, ≥ 30 days for partial. */
export const DEFAULT_AUTONOMY_POLICY: AutonomyPolicy = {
  partial: { minReviewed: 200, minAcceptedWithoutEdit: 0.95, minDays: 30 },
  full: { minReviewed: 500, minAcceptedWithoutEdit: 0.98, minDays: 90 },
  windowDays: 120,
};

/** An agent's measured record from its decided reviews. */
export const AgentRecord = z.object({
  reviewed: z.number().int(),
  acceptedWithoutEdit: z.number().int(),
  edited: z.number().int(),
  responded: z.number().int(),
  ignored: z.number().int(),
  acceptedWithoutEditRate: z.number().nullable(),
  editRate: z.number().nullable(),
  rejectionRate: z.number().nullable().describe("Share ignored (the draft was rejected)"),
  firstReviewedAt: z.string().nullable(),
  days: z.number().int(),
});
export type AgentRecord = z.infer<typeof AgentRecord>;

/** Computes the record over the policy's window ending at `now`. */
export async function agentRecord(pool: pg.Pool, agent: string, policy: AutonomyPolicy, now: Date, actionType?: string): Promise<AgentRecord> {
  const since = new Date(now.getTime() - policy.windowDays * 86_400_000);
  const { rows } = await pool.query<{ status: string; n: string; first: Date | null }>(
    `SELECT status, count(*) AS n, min(decided_at) AS first FROM review_items
     WHERE agent = $1 AND decided_at IS NOT NULL AND decided_at >= $2 AND decided_at <= $3
       AND ($4::text IS NULL OR action_type = $4)
     GROUP BY status`,
    [agent, since, now, actionType ?? null],
  );
  const count = (s: string): number => Number(rows.find((r) => r.status === s)?.n ?? 0);
  const firsts = rows.map((r) => r.first).filter((d): d is Date => d !== null);
  const first = firsts.length === 0 ? null : new Date(Math.min(...firsts.map((d) => d.getTime())));
  const reviewed = rows.reduce((sum, r) => sum + Number(r.n), 0);
  const rate = (n: number): number | null => (reviewed === 0 ? null : n / reviewed);
  return {
    reviewed,
    acceptedWithoutEdit: count("accepted"),
    edited: count("edited"),
    responded: count("responded"),
    ignored: count("ignored"),
    acceptedWithoutEditRate: rate(count("accepted")),
    editRate: rate(count("edited")),
    rejectionRate: rate(count("ignored")),
    firstReviewedAt: first?.toISOString() ?? null,
    days: first === null ? 0 : Math.floor((now.getTime() - first.getTime()) / 86_400_000),
  };
}

/** The criteria of `phase` that `record` does not meet (empty: earned). */
export function unmetCriteria(record: AgentRecord, phase: Phase, policy: AutonomyPolicy): string[] {
  if (phase === "advisory") return [];
  const c = policy[phase];
  const unmet: string[] = [];
  if (record.reviewed < c.minReviewed) unmet.push(`reviewed decisions ${record.reviewed} < ${c.minReviewed}`);
  const rate = record.acceptedWithoutEditRate ?? 0;
  if (rate < c.minAcceptedWithoutEdit) {
    unmet.push(`accepted without edit ${(rate * 100).toFixed(1)} % < ${(c.minAcceptedWithoutEdit * 100).toFixed(1)} %`);
  }
  if (record.days < c.minDays) unmet.push(`record spans ${record.days} days < ${c.minDays}`);
  return unmet;
}

/** The phase an agent's action type is in ('*' row, then advisory). */
export async function currentPhase(pool: pg.Pool, agent: string, actionType: string): Promise<Phase> {
  return (await currentPhases(pool, agent, [actionType])).get(actionType) ?? "advisory";
}

/** The phase of each of an agent's action types (its own setting, else the agent's '*'), in one query. */
export async function currentPhases(pool: pg.Pool, agent: string, actionTypes: string[]): Promise<Map<string, Phase>> {
  const { rows } = await pool.query<{ action_type: string; phase: Phase }>(
    "SELECT action_type, phase FROM agent_autonomy WHERE agent = $1 AND (action_type = ANY($2) OR action_type = '*')",
    [agent, actionTypes],
  );
  const fallback = rows.find((r) => r.action_type === "*")?.phase ?? "advisory";
  return new Map(actionTypes.map((t) => [t, rows.find((r) => r.action_type === t)?.phase ?? fallback]));
}

/** A requested phase change. */
export interface PhaseChange {
  agent: string;
  actionType?: string;
  phase: Phase;
  justification: string;
  actor: string;
}

/**
 * Sets a phase. Promotions must be earned by the record (refused with the unmet criteria and
 * audited otherwise); demotions are always allowed.
 */
export async function changePhase(pool: pg.Pool, change: PhaseChange, policy: AutonomyPolicy, now: Date): Promise<{ from: Phase; to: Phase; record: AgentRecord }> {
  const actionType = change.actionType ?? "*";
  const from = await currentPhase(pool, change.agent, actionType);
  const record = await agentRecord(pool, change.agent, policy, now, change.actionType);
  if (ORDER[change.phase] > ORDER[from]) {
    const unmet = unmetCriteria(record, change.phase, policy);
    if (unmet.length > 0) {
      await appendAudit(pool, [{
        kind: "autonomy.refused", actor: change.actor, agent: change.agent,
        payload: { actionType, from, requested: change.phase, justification: change.justification, unmet, record },
      }], () => now);
      throw new ConflictError(`Promotion of ${change.agent} to ${change.phase} is not earned: ${unmet.join("; ")}`, {
        details: { unmet, record },
      });
    }
  }
  await setPhase(pool, change.agent, actionType, change.phase, change.actor, change.justification, { from, record }, now);
  return { from, to: change.phase, record };
}

/**
 * Re-checks the current phase against the record and demotes (one level at a time, until the
 * record supports the phase) when it falls below. Returns the new phase when it demoted.
 */
export async function demoteIfBelow(pool: pg.Pool, agent: string, policy: AutonomyPolicy, now: Date): Promise<Phase | null> {
  const { rows } = await pool.query<{ action_type: string; phase: Phase }>(
    "SELECT action_type, phase FROM agent_autonomy WHERE agent = $1 AND phase <> 'advisory'",
    [agent],
  );
  let result: Phase | null = null;
  for (const row of rows) {
    const record = await agentRecord(pool, agent, policy, now, row.action_type === "*" ? undefined : row.action_type);
    let phase = row.phase;
    while (phase !== "advisory" && unmetCriteria(record, phase, policy).length > 0) phase = phase === "full" ? "partial" : "advisory";
    if (phase !== row.phase) {
      const why = unmetCriteria(record, row.phase, policy);
      await setPhase(pool, agent, row.action_type, phase, "system", `automatic demotion: ${why.join("; ")}`, { from: row.phase, record }, now);
      result = phase;
    }
  }
  return result;
}

async function setPhase(
  pool: pg.Pool, agent: string, actionType: string, phase: Phase, actor: string, justification: string,
  context: { from: Phase; record: AgentRecord }, now: Date,
): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query(
      `INSERT INTO agent_autonomy (agent, action_type, phase, updated_at, updated_by, justification)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (agent, action_type) DO UPDATE SET phase = $3, updated_at = $4, updated_by = $5, justification = $6`,
      [agent, actionType, phase, now, actor, justification],
    );
    await appendAuditInTransaction(client, [{
      kind: "autonomy.changed", actor, agent,
      payload: { actionType, from: context.from, to: phase, justification, record: context.record },
    }], () => now);
  });
}
