/**
 * The one action executor. The idempotency key is a unique constraint: a retried or resumed run
 * that reaches the same action finds the row and does not execute it again. A failed execution
 * may be retried with the same key.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { BadInputError, UpstreamError } from "../../tools/errors.js";
import type { ActionContext, ActionTypeDefinition } from "../orchestration/agent-definition.js";
import { withTransaction } from "../db/database.js";
import { appendAuditInTransaction, type AuditInput } from "./audit-log.js";
import { toJson } from "./canonical-json.js";

/** What the executor did. */
export type ExecutionResult =
  | { status: "executed"; result: unknown }
  | { status: "duplicate"; result: unknown; existingStatus: string };

interface ActionRow {
  id: string;
  status: "executing" | "executed" | "failed";
  result: unknown;
}

/** One action to execute: what, with which payload, under which key, and where its audit entry goes. */
export interface ExecutionItem<P = unknown, D = unknown> {
  definition: ActionTypeDefinition<P, D>;
  payload: unknown;
  context: ActionContext;
  deps: D;
  audit: Omit<AuditInput, "kind" | "payload" | "actor">;
}

/** What became of one item of a batch. */
export type BatchExecutionResult = ExecutionResult | { status: "failed"; error: string };

/**
 * Executes one item's payload as its definition under its idempotency key, at most once; its
 * `audit` says where the entry belongs (run, node, subject). A failed execution is recorded and
 * thrown as an UpstreamError.
 */
export async function executeAction(pool: pg.Pool, item: ExecutionItem, now: () => Date = () => new Date()): Promise<ExecutionResult> {
  const [outcome] = await executeActions(pool, [item], now);
  if (outcome === undefined) throw new Error("executeActions returned no outcome");
  if (outcome.status === "failed") throw new UpstreamError(`Action ${item.definition.type} failed: ${outcome.error}`);
  return outcome;
}

/**
 * Executes many actions, each at most once under its idempotency key, with a constant number of
 * statements around their effects: every payload is checked first (one invalid payload is a
 * BadInputError and nothing is claimed), the keys are claimed together, each claimed action's
 * effect runs in order, and the outcomes and their audit entries are written in one transaction.
 * An effect that fails does not stop the others; it is recorded as failed (its key may be
 * claimed again) and returned as `failed`. A key that appears twice is executed once; the later
 * item is its duplicate.
 */
export async function executeActions(pool: pg.Pool, items: ExecutionItem[], now: () => Date = () => new Date()): Promise<BatchExecutionResult[]> {
  if (items.length === 0) return [];
  const parsed = items.map(({ definition, payload }) => {
    const check = definition.payloadSchema.safeParse(payload);
    if (!check.success) {
      throw new BadInputError(`Payload for ${definition.type} is invalid: ${check.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    return check.data;
  });
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    if (!first.has(item.context.idempotencyKey)) first.set(item.context.idempotencyKey, i);
  });
  const unique = [...first.values()];
  const existing = await claim(pool, unique.map((i) => ({ item: items[i]!, payload: parsed[i] })));

  const outcomes = new Map<string, BatchExecutionResult>();
  const finished: { key: string; status: "executed" | "failed"; result: unknown; error: string | null }[] = [];
  const entries: AuditInput[] = [];
  for (const i of unique) {
    const { definition, context, deps, audit } = items[i]!;
    const key = context.idempotencyKey;
    const found = existing.get(key);
    if (found !== undefined) {
      outcomes.set(key, { status: "duplicate", result: found.result, existingStatus: found.status });
      continue;
    }
    try {
      const result = toJson(await definition.execute(parsed[i], context, deps));
      finished.push({ key, status: "executed", result, error: null });
      entries.push({ ...audit, kind: "action.executed", actor: context.executedBy, payload: { actionType: definition.type, idempotencyKey: key, payload: parsed[i], result } });
      outcomes.set(key, { status: "executed", result });
    } catch (error) {
      const message = (error as Error).message;
      finished.push({ key, status: "failed", result: null, error: message });
      entries.push({ ...audit, kind: "action.failed", actor: context.executedBy, payload: { actionType: definition.type, idempotencyKey: key, error: message } });
      outcomes.set(key, { status: "failed", error: message });
    }
  }
  if (finished.length > 0) {
    await withTransaction(pool, async (client) => {
      await client.query(
        `UPDATE actions a SET status = r.status, result = r.result, error = r.error, finished_at = $2
         FROM jsonb_to_recordset($1::jsonb) AS r (key text, status text, result jsonb, error text)
         WHERE a.idempotency_key = r.key`,
        [JSON.stringify(finished), now()],
      );
      await appendAuditInTransaction(client, entries, now);
    });
  }
  return items.map((item, i) => {
    const outcome = outcomes.get(item.context.idempotencyKey)!;
    if (first.get(item.context.idempotencyKey) === i) return outcome;
    // A repeat of a key this batch already handled.
    return outcome.status === "duplicate" ? outcome
      : { status: "duplicate", result: outcome.status === "executed" ? outcome.result : null, existingStatus: outcome.status };
  });
}

/**
 * Claims the keys: inserts their rows, re-claims failed ones; returns the rows of the keys that
 * could not be claimed (executing or executed elsewhere), by key.
 */
async function claim(pool: pg.Pool, items: { item: ExecutionItem; payload: unknown }[]): Promise<Map<string, ActionRow>> {
  const rows = items.map(({ item: { definition, context }, payload }) => ({
    id: randomUUID(), key: context.idempotencyKey, run_id: context.runId, agent: context.agent, action_type: definition.type,
    payload: toJson(payload), executed_by: context.executedBy,
  }));
  const json = JSON.stringify(rows);
  const recordset = "jsonb_to_recordset($1::jsonb) AS r (id text, key text, run_id text, agent text, action_type text, payload jsonb, executed_by text)";
  const inserted = await pool.query<{ key: string }>(
    `INSERT INTO actions (id, idempotency_key, run_id, agent, action_type, payload, status, executed_by)
     SELECT r.id, r.key, r.run_id, r.agent, r.action_type, r.payload, 'executing', r.executed_by FROM ${recordset}
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key AS key`,
    [json],
  );
  const claimed = new Set(inserted.rows.map((r) => r.key));
  if (claimed.size === rows.length) return new Map();
  const retried = await pool.query<{ key: string }>(
    `UPDATE actions a SET status = 'executing', attempts = a.attempts + 1, payload = r.payload, executed_by = r.executed_by
     FROM ${recordset} WHERE a.idempotency_key = r.key AND a.status = 'failed'
     RETURNING a.idempotency_key AS key`,
    [json],
  );
  for (const r of retried.rows) claimed.add(r.key);
  const others = rows.map((r) => r.key).filter((k) => !claimed.has(k));
  if (others.length === 0) return new Map();
  const { rows: found } = await pool.query<ActionRow & { key: string }>(
    "SELECT idempotency_key AS key, id, status, result FROM actions WHERE idempotency_key = ANY($1::text[])", [others],
  );
  return new Map(found.map((r) => [r.key, { id: r.id, status: r.status, result: r.result }]));
}
