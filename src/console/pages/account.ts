/**
 * Signing in and out, and changing one's own password. Sign-in is throttled twice: per address
 * (in memory, as API keys are: `AuthFailureGuard`) and per account (in the database: locked for
 * `LOCK_MINUTES` after `LOCK_AFTER_FAILURES` failures in a row). The page never says whether a
 * user name exists. `next` only ever leads to a path of this console (no open redirect).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { BadInputError } from "../../../tools/errors.js";
import { appendAudit } from "../../governance/audit-log.js";
import { AuthFailureGuard } from "../../server/auth/auth-failures.js";
import { setSessionCookie, type ConsoleArea } from "../frame.js";
import { endSession, openSession } from "../sessions.js";
import { changeUser, checkNewPassword, checkSignIn, LOCK_MINUTES, userActor, verifyPassword } from "../users.js";

/** A `next` that stays on this site: a path, never `//host` or a scheme. */
export function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/(?![/\\])[^\s]*$/.test(next) && next.length <= 2000 ? next : "/";
}

const SignInForm = z.object({ username: z.string().max(200), password: z.string().max(1000), next: z.string().max(2000).optional(), _csrf: z.string().optional() });
const PasswordForm = z.object({ current: z.string().max(1000), password: z.string().max(1000), confirm: z.string().max(1000), _csrf: z.string().optional() });

async function routes(app: FastifyInstance): Promise<void> {
  const perAddress = new AuthFailureGuard({ maxFailures: 10, windowMs: 15 * 60_000 });
  const limits = { idleMinutes: app.consoleConfig.idleMinutes, maxHours: app.consoleConfig.maxHours };
  const publicAccess = { console: { roles: "public" as const }, rateLimit: false as const };
  // "Sign in with <provider>" when single sign-on is configured (pages/oidc.ts).
  const oidcName = app.consoleConfig.oidc?.providerName;

  app.get<{ Querystring: { next?: string } }>("/sign-in", { config: publicAccess }, async (request, reply) => {
    if (request.consoleSession !== null) return reply.redirect(safeNext(request.query.next), 303);
    return reply.page("sign-in", { next: safeNext(request.query.next), username: "", oidcName }, { title: "Sign in" });
  });

  app.post("/sign-in", { config: publicAccess, schema: { body: SignInForm } }, async (request, reply) => {
    const form = request.body as z.infer<typeof SignInForm>;
    const next = safeNext(form.next);
    const refuse = (message: string, status: number) =>
      reply.page("sign-in", { next, username: form.username, error: message, oidcName }, { title: "Sign in", status });
    const blockedMs = perAddress.blockedFor(request.ip);
    if (blockedMs > 0) {
      reply.header("retry-after", String(Math.ceil(blockedMs / 1000)));
      return refuse(`Too many failed sign-ins from this computer. Try again in ${Math.ceil(blockedMs / 60_000)} minutes.`, 429);
    }
    const result = await checkSignIn(app.db.pool, form.username, form.password, { ip: request.ip });
    if (!result.ok) {
      perAddress.recordFailure(request.ip);
      if (result.reason === "locked" || result.lockedUntil !== undefined) {
        return refuse(`This account is locked for ${LOCK_MINUTES} minutes after too many failed sign-ins. An admin can reset it sooner.`, 429);
      }
      return refuse("Wrong user name or password.", 401);
    }
    const token = await openSession(app.db.pool, result.user.id, limits);
    setSessionCookie(app, request, reply, token);
    return reply.redirect(result.user.mustChangePassword ? "/account/password" : next, 303);
  });

  app.post("/sign-out", { config: { console: { roles: ["staff", "council", "admin", "finance"] } } }, async (request, reply) => {
    const session = request.consoleSession;
    if (session !== null) {
      await endSession(app.db.pool, session.tokenHash);
      await appendAudit(app.db.pool, [{ kind: "user.signed_out", actor: userActor(session.user), subjectType: "user", subjectId: session.user.id, payload: { username: session.user.username } }]);
    }
    setSessionCookie(app, request, reply, null);
    return reply.redirect("/sign-in", 303);
  });

  const everyone = { console: { roles: ["staff", "council", "admin", "finance"] as const } };
  app.get("/account/password", { config: everyone }, async (request, reply) =>
    reply.page("password", { forced: request.consoleSession?.user.mustChangePassword === true }, { title: "Change your password" }),
  );

  app.post("/account/password", { config: everyone, schema: { body: PasswordForm } }, async (request, reply) => {
    const form = request.body as z.infer<typeof PasswordForm>;
    const session = request.consoleSession;
    if (session === null) throw new BadInputError("Not signed in");
    const forced = session.user.mustChangePassword;
    const { rows } = await app.db.pool.query<{ password_hash: string | null }>("SELECT password_hash FROM users WHERE id = $1", [session.user.id]);
    const stored = rows[0]?.password_hash ?? null;
    const again = (error: string) => reply.page("password", { forced, error }, { title: "Change your password", status: 400 });
    if (stored === null || !(await verifyPassword(form.current, stored))) return again("The current password is not right.");
    if (form.password !== form.confirm) return again("The two new passwords differ.");
    if (form.password === form.current) return again("Choose a password other than the current one.");
    try {
      checkNewPassword(form.password, session.user.username);
    } catch (error) {
      if (error instanceof BadInputError) return again(error.message);
      throw error;
    }
    await changeUser(app.db.pool, session.user.id, { newPassword: form.password }, userActor(session.user));
    return reply.redirect("/", 303);
  });
}

export const accountPages: ConsoleArea = { name: "account", nav: [], routes };
