/**
 * API keys: created with a role, shown once, stored as a SHA-256 hash, revocable.
 * Keys are 32 random bytes, so a fast hash is enough (no password-style stretching needed).
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import { NotFoundError } from "../../../tools/errors.js";

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

/** SHA-256 of a key, hex. */
export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Creates a key; returns its info and the secret, which is never stored or shown again. */
export async function createApiKey(
  pool: pg.Pool,
  input: { name: string; role: Role; createdBy?: string },
): Promise<{ key: string; info: ApiKeyInfo }> {
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const id = randomUUID();
  const { rows } = await pool.query<ApiKeyRow>(
    `INSERT INTO api_keys (id, name, role, key_hash, key_prefix, created_by)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [id, input.name, input.role, hashKey(key), key.slice(0, 10), input.createdBy ?? null],
  );
  return { key, info: toInfo(rows[0] as ApiKeyRow) };
}

/** Lists keys, newest first. */
export async function listApiKeys(pool: pg.Pool, options: { includeRevoked?: boolean } = {}): Promise<ApiKeyInfo[]> {
  const { rows } = await pool.query<ApiKeyRow>(
    `SELECT * FROM api_keys ${options.includeRevoked === true ? "" : "WHERE revoked_at IS NULL"} ORDER BY created_at DESC, id`,
  );
  return rows.map(toInfo);
}

/** Revokes a key by id or by its displayed prefix; a revoked key authenticates no more. */
export async function revokeApiKey(pool: pg.Pool, idOrPrefix: string): Promise<ApiKeyInfo> {
  const { rows } = await pool.query<ApiKeyRow>(
    `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now())
     WHERE id = $1 OR key_prefix = $1 RETURNING *`,
    [idOrPrefix],
  );
  if (rows.length === 0) throw new NotFoundError(`No API key with id or prefix ${idOrPrefix}`);
  return toInfo(rows[0] as ApiKeyRow);
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
