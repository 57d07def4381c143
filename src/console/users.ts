/**
 * The console's people: accounts with a role, passwords hashed with scrypt (RFC 7914; N = 2^15,
 * r = 8, p = 1, a 16-byte salt — OWASP's password storage cheat sheet), sign-in throttled per
 * account. Creating a user, changing one (role, password, disable) and every sign-in are audited
 * in the same transaction as the change. The last active admin cannot be disabled or demoted.
 */
import { createHash, randomBytes, randomUUID, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import { BadInputError, ConflictError, NotFoundError } from "../../tools/errors.js";
import { withTransaction } from "../db/database.js";
import { appendAudit, appendAuditInTransaction, type AuditInput } from "../governance/audit-log.js";

/** The roles a person can hold. `finance` reads the scorecard and nothing else changes. */
export const UserRole = z.enum(["staff", "council", "admin", "finance"]);
export type UserRole = z.infer<typeof UserRole>;
export const USER_ROLES = UserRole.options;

/** A sign-in name: lower-case letters, digits and `._@-`, 1–64 characters. */
export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9._@-]{1,64}$/, "1–64 characters: letters, digits, . _ @ -");

/** Shortest password a person may choose (NIST SP 800-63B §5.1.1.2: at least 8; we ask 12). */
export const MIN_PASSWORD_CHARS = 12;
const MAX_PASSWORD_CHARS = 256;

/** A user as shown: never the hash. */
export interface UserInfo {
  id: string;
  username: string;
  displayName: string;
  role: UserRole;
  mustChangePassword: boolean;
  createdAt: string;
  createdBy: string;
  disabledAt: string | null;
  lastSignInAt: string | null;
  hasPassword: boolean;
  oidcSubject: string | null;
  /** Locked after failed sign-ins until then (an admin's password reset unlocks). */
  lockedUntil: string | null;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: UserRole;
  password_hash: string | null;
  must_change_password: boolean;
  oidc_subject: string | null;
  created_at: Date;
  created_by: string;
  disabled_at: Date | null;
  last_sign_in_at: Date | null;
  failed_sign_ins: number;
  locked_until: Date | null;
}

function toInfo(row: UserRow): UserInfo {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    mustChangePassword: row.must_change_password,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    disabledAt: row.disabled_at?.toISOString() ?? null,
    lastSignInAt: row.last_sign_in_at?.toISOString() ?? null,
    hasPassword: row.password_hash !== null,
    oidcSubject: row.oidc_subject,
    lockedUntil: row.locked_until?.toISOString() ?? null,
  };
}

/** How a person is named as the actor of what they do, e.g. `user:3f2a… (staff "mlopez")`. */
export function userActor(user: Pick<UserInfo, "id" | "role" | "username">): string {
  return `user:${user.id} (${user.role} ${JSON.stringify(user.username)})`;
}

const SCRYPT = { N: 32_768, r: 8, p: 1, keyLength: 32 } as const;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize("NFKC"), salt, keyLength, options, (error, key) => (error === null ? resolve(key) : reject(error)));
  });
}

/** `scrypt$N$r$p$salt$hash`, salt and hash base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

/** Whether `password` matches a stored hash (constant-time comparison; an unreadable hash never matches). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4] as string, "base64url");
  const expected = Buffer.from(parts[5] as string, "base64url");
  if (![N, r, p].every(Number.isSafeInteger) || expected.length === 0) return false;
  const key = await scrypt(password, salt, expected.length, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  return timingSafeEqual(key, expected);
}

/** A password a person may choose, or a typed 400 saying why not. */
export function checkNewPassword(password: string, username: string): void {
  if (password.length < MIN_PASSWORD_CHARS) throw new BadInputError(`A password needs at least ${MIN_PASSWORD_CHARS} characters`);
  if (password.length > MAX_PASSWORD_CHARS) throw new BadInputError(`A password has at most ${MAX_PASSWORD_CHARS} characters`);
  if (password.toLowerCase().includes(username.toLowerCase())) throw new BadInputError("A password may not contain the user name");
}

/** A one-time password: 20 characters from 120 random bits, easy to type from a file. */
export function oneTimePassword(): string {
  return randomBytes(15).toString("base64url");
}

function userEntry(kind: AuditInput["kind"], actor: string, user: UserInfo, extra: Record<string, unknown> = {}): AuditInput {
  return { kind, actor, subjectType: "user", subjectId: user.id, payload: { username: user.username, role: user.role, ...extra } };
}

/** Creates a user with a one-time password (returned, never stored) unless `oidcSubject` is given. */
export async function createUser(
  pool: pg.Pool,
  input: { username: string; displayName?: string; role: UserRole; createdBy: string; oidcSubject?: string; password?: string },
): Promise<{ user: UserInfo; password: string | null }> {
  const parsed = Username.safeParse(input.username);
  if (!parsed.success) throw new BadInputError(`User name: ${parsed.error.issues[0]?.message ?? "not valid"}`);
  const username = parsed.data;
  const password = input.oidcSubject === undefined ? (input.password ?? oneTimePassword()) : null;
  const passwordHash = password === null ? null : await hashPassword(password);
  const user = await withTransaction(pool, async (client) => {
    const { rows } = await client.query<UserRow>(
      `INSERT INTO users (id, username, display_name, role, password_hash, must_change_password, oidc_subject, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (username) DO NOTHING RETURNING *`,
      [randomUUID(), username, input.displayName?.trim() || username, input.role, passwordHash, input.password === undefined && password !== null, input.oidcSubject ?? null, input.createdBy],
    );
    if (rows[0] === undefined) throw new ConflictError(`A user named ${username} exists already`);
    const created = toInfo(rows[0]);
    await appendAuditInTransaction(client, [userEntry("user.created", input.createdBy, created, { displayName: created.displayName, oidc: input.oidcSubject !== undefined })]);
    return created;
  });
  return { user, password };
}

/** All users, active first, by name. */
export async function listUsers(pool: pg.Pool): Promise<UserInfo[]> {
  const { rows } = await pool.query<UserRow>("SELECT * FROM users ORDER BY disabled_at IS NOT NULL, username");
  return rows.map(toInfo);
}

/** A user by id or user name. */
export async function findUser(pool: pg.Pool | pg.PoolClient, idOrUsername: string): Promise<UserInfo | undefined> {
  const { rows } = await pool.query<UserRow>("SELECT * FROM users WHERE id = $1 OR username = lower($1)", [idOrUsername]);
  return rows[0] === undefined ? undefined : toInfo(rows[0]);
}

/** Active users. */
export async function countActiveUsers(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE disabled_at IS NULL");
  return rows[0]?.n ?? 0;
}

/** What a change to a user may set. */
export interface UserChange {
  role?: UserRole;
  displayName?: string;
  disabled?: boolean;
  /** A new one-time password is generated and returned; the user must change it at next sign-in. */
  resetPassword?: boolean;
  /** The user's own new password (after checking the current one, by the caller). */
  newPassword?: string;
}

/**
 * Changes a user, audited as `user.changed` naming what changed (never a password). Disabling a
 * user ends their sessions. The active admins are locked first, so the last one can be neither
 * disabled nor demoted, even by two admins at once (409).
 */
export async function changeUser(
  pool: pg.Pool,
  idOrUsername: string,
  change: UserChange,
  actor: string,
): Promise<{ user: UserInfo; password: string | null }> {
  if (change.newPassword !== undefined && change.resetPassword === true) throw new BadInputError("Either a reset or a new password, not both");
  const oneTime = change.resetPassword === true ? oneTimePassword() : null;
  const newHash = change.newPassword !== undefined ? await hashPassword(change.newPassword) : oneTime !== null ? await hashPassword(oneTime) : null;
  const user = await withTransaction(pool, async (client) => {
    const admins = await client.query<{ id: string }>("SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id FOR UPDATE");
    const target = await findUser(client, idOrUsername);
    if (target === undefined) throw new NotFoundError(`No user ${idOrUsername}`);
    const losesAdmin = target.role === "admin" && target.disabledAt === null && (change.disabled === true || (change.role !== undefined && change.role !== "admin"));
    if (losesAdmin && admins.rows.length <= 1) {
      throw new ConflictError("This is the last active admin; make another user admin first");
    }
    const { rows } = await client.query<UserRow>(
      `UPDATE users SET
         role = coalesce($2, role),
         display_name = coalesce($3, display_name),
         disabled_at = CASE WHEN $4::boolean IS NULL THEN disabled_at WHEN $4 THEN coalesce(disabled_at, now()) ELSE NULL END,
         password_hash = coalesce($5, password_hash),
         must_change_password = CASE WHEN $5::text IS NULL THEN must_change_password ELSE $6 END,
         failed_sign_ins = CASE WHEN $5::text IS NULL THEN failed_sign_ins ELSE 0 END,
         locked_until = CASE WHEN $5::text IS NULL THEN locked_until ELSE NULL END
       WHERE id = $1 RETURNING *`,
      [target.id, change.role ?? null, change.displayName?.trim() || null, change.disabled ?? null, newHash, oneTime !== null],
    );
    const updated = toInfo(rows[0] as UserRow);
    if (change.disabled === true || oneTime !== null) {
      await client.query("UPDATE user_sessions SET ended_at = now() WHERE user_id = $1 AND ended_at IS NULL", [target.id]);
    }
    const changed: Record<string, unknown> = {};
    if (change.role !== undefined && change.role !== target.role) changed.role = { before: target.role, after: change.role };
    if (change.displayName !== undefined && updated.displayName !== target.displayName) changed.displayName = { before: target.displayName, after: updated.displayName };
    if (change.disabled !== undefined && (target.disabledAt !== null) !== change.disabled) changed.disabled = change.disabled;
    if (oneTime !== null) changed.passwordReset = true;
    if (change.newPassword !== undefined) changed.passwordChanged = true;
    if (Object.keys(changed).length > 0) await appendAuditInTransaction(client, [userEntry("user.changed", actor, updated, { changed })]);
    return updated;
  });
  return { user, password: oneTime };
}

/** Failures in a row before an account is locked, and for how long (OWASP authentication cheat sheet: throttle per account). */
export const LOCK_AFTER_FAILURES = 5;
export const LOCK_MINUTES = 15;

/** Why a sign-in was refused; the person is told only "wrong user name or password" or that the account is locked. */
export type SignInRefusal = "unknown-user" | "bad-password" | "disabled" | "locked" | "no-password";

/**
 * Checks a user name and password. A success resets the account's failures; a failure counts
 * and, at `LOCK_AFTER_FAILURES`, locks the account for `LOCK_MINUTES`. Both are audited (a
 * refusal names the reason, never the password tried).
 */
export async function checkSignIn(
  pool: pg.Pool,
  usernameGiven: string,
  password: string,
  context: { ip: string },
): Promise<{ ok: true; user: UserInfo } | { ok: false; reason: SignInRefusal; lockedUntil?: Date }> {
  const username = usernameGiven.trim().toLowerCase().slice(0, 64);
  const { rows } = await pool.query<UserRow>("SELECT * FROM users WHERE username = $1", [username]);
  const row = rows[0];
  const refuse = async (reason: SignInRefusal, target?: UserRow) => {
    let lockedUntil: Date | undefined;
    await withTransaction(pool, async (client) => {
      if (target !== undefined && reason === "bad-password") {
        const updated = await client.query<{ failed_sign_ins: number; locked_until: Date | null }>(
          `UPDATE users SET failed_sign_ins = failed_sign_ins + 1,
             locked_until = CASE WHEN failed_sign_ins + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
           WHERE id = $1 RETURNING failed_sign_ins, locked_until`,
          [target.id, LOCK_AFTER_FAILURES, LOCK_MINUTES],
        );
        lockedUntil = updated.rows[0]?.locked_until ?? undefined;
      }
      await appendAuditInTransaction(client, [{
        kind: "user.sign_in_refused",
        actor: target === undefined ? "anonymous" : userActor(toInfo(target)),
        subjectType: "user",
        subjectId: target?.id ?? null,
        payload: { username, reason, ip: context.ip, ...(lockedUntil === undefined ? {} : { lockedUntil: lockedUntil.toISOString() }) },
      }]);
    });
    return { ok: false as const, reason, ...(lockedUntil === undefined ? {} : { lockedUntil }) };
  };
  if (row === undefined) {
    // Spend the same time as a real check, so response time does not tell which names exist.
    await verifyPassword(password, DUMMY_HASH);
    return refuse("unknown-user");
  }
  if (row.disabled_at !== null) return refuse("disabled", row);
  if (row.locked_until !== null && row.locked_until.getTime() > Date.now()) return { ...(await refuse("locked", row)), lockedUntil: row.locked_until };
  if (row.password_hash === null) return refuse("no-password", row);
  if (!(await verifyPassword(password.slice(0, MAX_PASSWORD_CHARS), row.password_hash))) return refuse("bad-password", row);
  const user = await withTransaction(pool, async (client) => {
    const updated = await client.query<UserRow>(
      "UPDATE users SET failed_sign_ins = 0, locked_until = NULL, last_sign_in_at = now() WHERE id = $1 RETURNING *",
      [row.id],
    );
    const info = toInfo(updated.rows[0] as UserRow);
    await appendAuditInTransaction(client, [userEntry("user.signed_in", userActor(info), info, { ip: context.ip, method: "password" })]);
    return info;
  });
  return { ok: true, user };
}

const DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/** Who an identity provider says signed in (from a verified ID token). */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  /** User names to match a pre-created user by, in order (preferred_username, a verified email). */
  usernames: string[];
  displayName: string | undefined;
  /** The values of the role claim (OIDC_ROLE_CLAIM). */
  roleValues: string[];
}

/** When several claim values map to roles, the one with most rights wins. */
const ROLE_PRECEDENCE: UserRole[] = ["admin", "council", "staff", "finance"];

/** The role an identity's claim values map to, if any. */
export function roleFromClaims(values: string[], roleMap: Record<string, UserRole>): UserRole | undefined {
  const mapped = new Set(values.map((v) => roleMap[v]).filter((r): r is UserRole => r !== undefined));
  return ROLE_PRECEDENCE.find((role) => mapped.has(role));
}

/**
 * Signs in a person an identity provider vouched for: the user linked to the subject; else a
 * user never linked whose name is the identity's preferred_username or verified email (linked
 * now, audited); else, with `autoCreate` and a claim that maps to a role, a new user of that role.
 * A disabled user is refused. Success and refusal are audited like a password sign-in.
 */
export async function signInWithOidc(
  pool: pg.Pool,
  identity: OidcIdentity,
  options: { roleMap: Record<string, UserRole>; autoCreate: boolean; ip: string },
): Promise<{ ok: true; user: UserInfo; created: boolean } | { ok: false; reason: "no-user" | "disabled" }> {
  const refuse = async (reason: "no-user" | "disabled", target?: UserInfo) => {
    await appendAudit(pool, [{
      kind: "user.sign_in_refused",
      actor: target === undefined ? `oidc:${identity.issuer}` : userActor(target),
      subjectType: "user",
      subjectId: target?.id ?? null,
      payload: { method: "oidc", subject: identity.subject, username: identity.usernames[0] ?? null, reason, ip: options.ip },
    }]);
    return { ok: false as const, reason };
  };
  let created = false;
  let user = (await pool.query<UserRow>("SELECT * FROM users WHERE oidc_subject = $1", [identity.subject])).rows.map(toInfo)[0];
  if (user === undefined) {
    for (const name of identity.usernames.map((n) => n.trim().toLowerCase())) {
      const linked = await withTransaction(pool, async (client) => {
        const { rows } = await client.query<UserRow>(
          "UPDATE users SET oidc_subject = $2 WHERE username = $1 AND oidc_subject IS NULL RETURNING *", [name, identity.subject]);
        if (rows[0] === undefined) return undefined;
        const info = toInfo(rows[0]);
        await appendAuditInTransaction(client, [userEntry("user.changed", `oidc:${identity.issuer}`, info, { changed: { oidcLinked: true } })]);
        return info;
      });
      if (linked !== undefined) {
        user = linked;
        break;
      }
    }
  }
  if (user === undefined) {
    const role = roleFromClaims(identity.roleValues, options.roleMap);
    if (!options.autoCreate || role === undefined) return refuse("no-user");
    const fallback = `sso-${createHash("sha256").update(identity.subject).digest("hex").slice(0, 12)}`;
    const candidates = [...identity.usernames.map((n) => n.trim().toLowerCase()).filter((n) => Username.safeParse(n).success), fallback];
    for (const username of candidates) {
      try {
        ({ user } = await createUser(pool, { username, role, displayName: identity.displayName, createdBy: `oidc:${identity.issuer}`, oidcSubject: identity.subject }));
        created = true;
        break;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    if (user === undefined) return refuse("no-user");
  }
  if (user.disabledAt !== null) return refuse("disabled", user);
  const signedIn = await withTransaction(pool, async (client) => {
    const updated = await client.query<UserRow>(
      "UPDATE users SET failed_sign_ins = 0, locked_until = NULL, last_sign_in_at = now() WHERE id = $1 RETURNING *", [(user as UserInfo).id]);
    const info = toInfo(updated.rows[0] as UserRow);
    await appendAuditInTransaction(client, [userEntry("user.signed_in", userActor(info), info, { ip: options.ip, method: "oidc", subject: identity.subject })]);
    return info;
  });
  return { ok: true, user: signedIn, created };
}
