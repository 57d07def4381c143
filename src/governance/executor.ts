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

/**
 * Executes `payload` as `definition` under `context.idempotencyKey`, at most once.
 * `audit` describes where the entry belongs (run, node, subject).
 */
export async function executeAction<P, D>(
  pool: pg.Pool,
  definition: ActionTypeDefinition<P, D>,
  payload: unknown,
  context: ActionContext,
  deps: D,
  audit: Omit<AuditInput, "kind" | "payload" | "actor">,
  now: () => Date = () => new Date(),
): Promise<ExecutionResult> {
  const parsed = definition.payloadSchema.safeParse(payload);
  if (!parsed.success) {
    throw new BadInputError(`Payload for ${definition.type} is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const claimed = await claim(pool, definition.type, parsed.data, context);
  if (claimed.duplicate !== undefined) {
    return { status: "duplicate", result: claimed.duplicate.result, existingStatus: claimed.duplicate.status };
  }
  try {
    const result = toJson(await definition.execute(parsed.data, context, deps));
    await withTransaction(pool, async (client) => {
      await client.query("UPDATE actions SET status = 'executed', result = $2, error = NULL, finished_at = $3 WHERE idempotency_key = $1", [
        context.idempotencyKey, JSON.stringify(result), now(),
      ]);
      await appendAuditInTransaction(client, [{
        ...audit, kind: "action.executed", actor: context.executedBy,
        payload: { actionType: definition.type, idempotencyKey: context.idempotencyKey, payload: parsed.data, result },
      }], now);
    });
    return { status: "executed", result };
  } catch (error) {
    const message = (error as Error).message;
    await withTransaction(pool, async (client) => {
      await client.query("UPDATE actions SET status = 'failed', error = $2, finished_at = $3 WHERE idempotency_key = $1", [
        context.idempotencyKey, message, now(),
      ]);
      await appendAuditInTransaction(client, [{
        ...audit, kind: "action.failed", actor: context.executedBy,
        payload: { actionType: definition.type, idempotencyKey: context.idempotencyKey, error: message },
      }], now);
    });
    throw new UpstreamError(`Action ${definition.type} failed: ${message}`, { cause: error });
  }
}

/** Claims the key: inserts a row, or re-claims a failed one; otherwise reports the existing row. */
async function claim(
  pool: pg.Pool, actionType: string, payload: unknown, context: ActionContext,
): Promise<{ duplicate?: ActionRow }> {
  const inserted = await pool.query(
    `INSERT INTO actions (id, idempotency_key, run_id, agent, action_type, payload, status, executed_by)
     VALUES ($1, $2, $3, $4, $5, $6, 'executing', $7) ON CONFLICT (idempotency_key) DO NOTHING`,
    [randomUUID(), context.idempotencyKey, context.runId, context.agent, actionType, JSON.stringify(toJson(payload)), context.executedBy],
  );
  if (inserted.rowCount === 1) return {};
  const retried = await pool.query(
    `UPDATE actions SET status = 'executing', attempts = attempts + 1, payload = $2, executed_by = $3
     WHERE idempotency_key = $1 AND status = 'failed'`,
    [context.idempotencyKey, JSON.stringify(toJson(payload)), context.executedBy],
  );
  if (retried.rowCount === 1) return {};
  const { rows } = await pool.query<ActionRow>("SELECT id, status, result FROM actions WHERE idempotency_key = $1", [context.idempotencyKey]);
  return { duplicate: rows[0] };
}
