/**
 * API keys: created with a role, shown once, stored as a SHA-256 hash, revocable.
 * Keys are 32 random bytes, so a fast hash is enough (no password-style stretching needed).
 * Creating and revoking a key is audited (who, which key, its name and role) in the same
 * transaction as the change, and the last active admin key cannot be revoked unless forced
 * (from the CLI), so the service is never left without an administrator by accident.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import { ConflictError, NotFoundError } from "../../../tools/errors.js";
import { withTransaction } from "../../db/database.js";
import { appendAuditInTransaction } from "../../governance/audit-log.js";

/** The roles a key can carry. */
export const Role = z.enum(["staff", "council", "admin", "service"]);
export type Role = z.infer<typeof Role>;
export const ROLES = Role.options;

const KEY_PREFIX = "irk_";

/** A key as listed: never the secret. */
export const ApiKeyInfo = z.object({
  id: z.string().describe("Key id"),
  name: z.string().describe("Human-readable name of the key's holder or purpose"),
  role: Role,
  prefix: z.string().describe("First characters of the key, to recognise it"),
  createdAt: z.string().describe("ISO timestamp"),
  lastUsedAt: z.string().nullable().describe("ISO timestamp of the last authenticated request"),
  revokedAt: z.string().nullable().describe("ISO timestamp of revocation, null while active"),
});
export type ApiKeyInfo = z.infer<typeof ApiKeyInfo>;

/** The identity a valid key authenticates as. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
}

interface ApiKeyRow {
  id: string;
  name: string;
  role: Role;
  key_prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/**
 * How a key is named as the actor of what it does (audit entries, decisions, promotions, key
 * changes): its id, role and name as they were when it acted, e.g. `key:3f2a… (staff "Front desk")`.
 */
export function actorOf(principal: Principal | null): string {
  return principal === null ? "key:unknown" : `key:${principal.keyId} (${principal.role} ${JSON.stringify(principal.name)})`;
}

/** SHA-256 of a key, hex. */
export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Creates a key, audited as `key.created` by `createdBy`; returns its info and the secret, which is never stored or shown again. */
export async function createApiKey(
  pool: pg.Pool,
  input: { name: string; role: Role; createdBy?: string },
): Promise<{ key: string; info: ApiKeyInfo }> {
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const id = randomUUID();
  const actor = input.createdBy ?? "platform";
  const info = await withTransaction(pool, async (client) => {
    const { rows } = await client.query<ApiKeyRow>(
      `INSERT INTO api_keys (id, name, role, key_hash, key_prefix, created_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [id, input.name, input.role, hashKey(key), key.slice(0, 10), actor],
    );
    const created = toInfo(rows[0] as ApiKeyRow);
    await appendAuditInTransaction(client, [keyEntry("key.created", actor, created)]);
    return created;
  });
  return { key, info };
}

/** Lists keys, newest first. */
export async function listApiKeys(pool: pg.Pool, options: { includeRevoked?: boolean } = {}): Promise<ApiKeyInfo[]> {
  const { rows } = await pool.query<ApiKeyRow>(
    `SELECT * FROM api_keys ${options.includeRevoked === true ? "" : "WHERE revoked_at IS NULL"} ORDER BY created_at DESC, id`,
  );
  return rows.map(toInfo);
}

/**
 * Revokes a key by id or by its displayed prefix, audited as `key.revoked` by `actor`; a revoked
 * key authenticates no more, and revoking it again changes nothing. The last active admin key is
 * refused (409) unless `force`. The active admin keys are locked first, so two admins revoking
 * each other at once cannot both succeed.
 */
export async function revokeApiKey(
  pool: pg.Pool,
  idOrPrefix: string,
  options: { actor?: string; force?: boolean } = {},
): Promise<ApiKeyInfo> {
  return withTransaction(pool, async (client) => {
    const admins = await client.query<{ id: string }>(
      "SELECT id FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL ORDER BY id FOR UPDATE",
    );
    const { rows } = await client.query<ApiKeyRow>("SELECT * FROM api_keys WHERE id = $1 OR key_prefix = $1", [idOrPrefix]);
    const target = rows.length === 1 ? rows[0] : rows.find((r) => r.id === idOrPrefix);
    if (target === undefined) {
      if (rows.length === 0) throw new NotFoundError(`No API key with id or prefix ${idOrPrefix}`);
      throw new ConflictError(`The prefix ${idOrPrefix} matches ${rows.length} keys; give the key's id`);
    }
    if (target.revoked_at !== null) return toInfo(target);
    const lastAdmin = target.role === "admin" && admins.rows.length <= 1;
    if (lastAdmin && options.force !== true) {
      throw new ConflictError("This is the last active admin key; create another admin key before revoking it");
    }
    const updated = await client.query<ApiKeyRow>("UPDATE api_keys SET revoked_at = now() WHERE id = $1 RETURNING *", [target.id]);
    const revoked = toInfo(updated.rows[0] as ApiKeyRow);
    await appendAuditInTransaction(client, [keyEntry("key.revoked", options.actor ?? "platform", revoked, lastAdmin ? { forcedLastAdmin: true } : {})]);
    return revoked;
  });
}

/** The audit entry of a key change: which key (never its secret or hash), its name and role. */
function keyEntry(kind: "key.created" | "key.revoked", actor: string, info: ApiKeyInfo, extra: Record<string, unknown> = {}) {
  return { kind, actor, subjectType: "api_key", subjectId: info.id, payload: { name: info.name, role: info.role, prefix: info.prefix, ...extra } };
}

/** Finds the active key matching a presented secret; records its use at most once a minute. */
export async function authenticateKey(pool: pg.Pool, presented: string): Promise<Principal | undefined> {
  if (!presented.startsWith(KEY_PREFIX) || presented.length > 200) return undefined;
  const { rows } = await pool.query<Pick<ApiKeyRow, "id" | "name" | "role" | "last_used_at">>(
    "SELECT id, name, role, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
    [hashKey(presented)],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  if (row.last_used_at === null || Date.now() - row.last_used_at.getTime() > 60_000) {
    await pool.query("UPDATE api_keys SET last_used_at = now() WHERE id = $1", [row.id]);
  }
  return { keyId: row.id, name: row.name, role: row.role };
}

/** Number of active keys (the first start creates an admin key when there are none). */
export async function countActiveKeys(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL");
  return Number(rows[0]?.n ?? 0);
}

function toInfo(row: ApiKeyRow): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.key_prefix,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}
