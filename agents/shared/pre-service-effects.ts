/**
 * What a pre-service run writes to the database — each visit's check and, for prior-auth, the
 * units each visit draws from its authorizations — carried in the run's state (`effects`) and
 * written by the runtime in the transaction that ends the run, with its review items, status and
 * audit entries (AgentDefinition.writeEffects). A run killed before its end leaves none of them,
 * so the retry of a sweep job never finds a check without its run's drafts and trail, and a
 * check is never written twice for one sweep (issue 16, point 2; DESIGN: Audit).
 */
import type { AuditInput } from "../../src/governance/audit-log.js";
import type { RunEffectsContext } from "../../src/orchestration/agent-definition.js";
import { ConflictError } from "../../tools/errors.js";
import { recordUsages, type AuthorizationUsage } from "../../tools/payer/authorization-ledger.js";
import { recordChecks, type PreServiceCheck } from "./pre-service-checks.js";

/**
 * One effect of a pre-service run. Times are ISO strings: the state is checkpointed as JSON, and
 * a resumed run reads its effects from the checkpoint.
 */
export type PreServiceEffect =
  | { type: "pre-service-check"; check: Omit<PreServiceCheck, "checkedAt"> & { checkedAt: string } }
  | { type: "authorization-usage"; usage: AuthorizationUsage; node: string };

/** The index that keeps one check per sweep, agent and appointment (migration 0017). */
const SWEEP_ONCE_INDEX = "pre_service_checks_sweep_once_idx";

/** A check as an effect of its run. */
export function checkEffect(check: PreServiceCheck): PreServiceEffect {
  return { type: "pre-service-check", check: { ...check, checkedAt: check.checkedAt.toISOString() } };
}

/** Units drawn from an authorization, as an effect of the run (recorded by `node`). */
export function usageEffect(usage: AuthorizationUsage, node: string): PreServiceEffect {
  return { type: "authorization-usage", usage, node };
}

/**
 * Writes a run's effects on the run's end transaction: the ledger draws, then the checks (one
 * statement each, as the nodes did), and returns a `tool.call` entry per draw, as the node
 * recorded it before. A check of an appointment the same sweep already checked (another run got
 * there first) violates the one-check-per-sweep index (migration 0017) and fails the run's end.
 */
export async function writePreServiceEffects(effects: unknown[], context: RunEffectsContext): Promise<AuditInput[]> {
  const typed = effects as PreServiceEffect[];
  const usages = typed.flatMap((e) => (e.type === "authorization-usage" ? [e] : []));
  const checks = typed.flatMap((e) => (e.type === "pre-service-check" ? [{ ...e.check, checkedAt: new Date(e.check.checkedAt) }] : []));
  await recordUsages(context.client, usages.map((u) => u.usage), context.now);
  try {
    await recordChecks(context.client, checks);
  } catch (error) {
    const e = error as { code?: string; message?: string };
    if (e.code !== "23505" || e.message?.includes(SWEEP_ONCE_INDEX) !== true) throw error;
    throw new ConflictError(`Run ${context.runId} checked appointments its sweep had already checked with agent ${context.agent}; its checks and drafts are not kept`, { cause: error });
  }
  return usages.map(({ usage, node }) => ({
    kind: "tool.call", actor: `agent:${context.agent}`, runId: context.runId, agent: context.agent, node,
    subjectType: "appointment", subjectId: usage.appointmentId, at: context.now,
    payload: { tool: "authorization-ledger.record-usage", input: usage, output: usage, ms: 0 },
  }));
}
