/**
 * Console sessions, stored in PostgreSQL so any instance serves any signed-in person. The cookie
 * carries 32 random bytes; the table keeps their SHA-256 (a stolen table opens no session). A
 * session ends at sign-out, after `idleMinutes` without a request, at `maxHours` whatever the
 * activity, or when its user is disabled or their password reset (OWASP session management
 * cheat sheet: idle and absolute timeouts, server-side invalidation).
 */
import { createHash, randomBytes } from "node:crypto";
import type pg from "pg";
import type { UserInfo, UserRole } from "./users.js";

/** The signed-in person a console request carries. */
export interface ConsoleSession {
  tokenHash: string;
  user: Pick<UserInfo, "id" | "username" | "displayName" | "role" | "mustChangePassword">;
  createdAt: Date;
  expiresAt: Date;
}

export interface SessionLimits {
  idleMinutes: number;
  maxHours: number;
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Opens a session for a user; returns the cookie's token (shown once, never stored). */
export async function openSession(pool: pg.Pool, userId: string, limits: SessionLimits): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await pool.query(
    "INSERT INTO user_sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(hours => $3))",
    [hashToken(token), userId, limits.maxHours],
  );
  return token;
}

interface SessionRow {
  token_hash: string;
  created_at: Date;
  expires_at: Date;
  last_seen_at: Date;
  idle: boolean;
  id: string;
  username: string;
  display_name: string;
  role: UserRole;
  must_change_password: boolean;
}

/**
 * The live session a token opens, or undefined (unknown, ended, idle too long, past its end, or
 * its user disabled). Seen-at moves at most once a minute, so a page's requests do not each write.
 */
export async function findSession(pool: pg.Pool, token: string, limits: SessionLimits): Promise<ConsoleSession | undefined> {
  if (token.length === 0 || token.length > 100) return undefined;
  const { rows } = await pool.query<SessionRow>(
    `SELECT s.token_hash, s.created_at, s.expires_at, s.last_seen_at,
            s.last_seen_at < now() - make_interval(mins => $2) AS idle,
            u.id, u.username, u.display_name, u.role, u.must_change_password
       FROM user_sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > now() AND u.disabled_at IS NULL`,
    [hashToken(token), limits.idleMinutes],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  if (row.idle) {
    await pool.query("UPDATE user_sessions SET ended_at = now() WHERE token_hash = $1 AND ended_at IS NULL", [row.token_hash]);
    return undefined;
  }
  if (Date.now() - row.last_seen_at.getTime() > 60_000) {
    await pool.query("UPDATE user_sessions SET last_seen_at = now() WHERE token_hash = $1", [row.token_hash]);
  }
  return {
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    user: { id: row.id, username: row.username, displayName: row.display_name, role: row.role, mustChangePassword: row.must_change_password },
  };
}

/** Ends a session (sign-out). */
export async function endSession(pool: pg.Pool, tokenHash: string): Promise<void> {
  await pool.query("UPDATE user_sessions SET ended_at = now() WHERE token_hash = $1 AND ended_at IS NULL", [tokenHash]);
}
