/**
 * Single sign-on (README, "Single sign-on (OpenID Connect)"), when OIDC_ISSUER is set:
 * `/sign-in/oidc` sends the browser to the provider with a fresh state, nonce and PKCE verifier,
 * kept in a short-lived httpOnly cookie of this browser only (SameSite=Lax: it must come back on
 * the provider's redirect, a top-level navigation from another site). The callback accepts only
 * the state of that cookie, clears it (one use), exchanges the code with the verifier, verifies
 * the ID token with the nonce (`oidc.ts`) and signs the person in (`signInWithOidc`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError } from "../../../tools/errors.js";
import { OidcClient, OidcError, randomToken, type IdTokenClaims } from "../oidc.js";
import { setSessionCookie, type ConsoleArea } from "../frame.js";
import { openSession } from "../sessions.js";
import { signInWithOidc } from "../users.js";
import { safeNext } from "./account.js";

/** The cookie of a sign-in under way at the provider. */
export const OIDC_COOKIE = "irc_oidc";
const PENDING_MINUTES = 10;

const Pending = z.object({ state: z.string(), nonce: z.string(), verifier: z.string(), next: z.string(), redirectUri: z.string(), at: z.number() });
type Pending = z.infer<typeof Pending>;
const StartQuery = z.object({ next: z.string().max(2000).optional() });
const CallbackQuery = z.object({
  code: z.string().max(4096).optional(), state: z.string().max(512).optional(),
  error: z.string().max(200).optional(), error_description: z.string().max(1000).optional(),
});

function claimValues(claims: IdTokenClaims, name: string): string[] {
  const value = claims[name];
  if (typeof value === "string") return value.split(/[\s,]+/).filter((v) => v !== "");
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

async function routes(app: FastifyInstance): Promise<void> {
  const config = app.consoleConfig.oidc;
  if (config === null) return;
  const client = new OidcClient(config);
  const publicAccess = { console: { roles: "public" as const } };
  const limits = { idleMinutes: app.consoleConfig.idleMinutes, maxHours: app.consoleConfig.maxHours };
  const cookieOptions = (request: FastifyRequest) => ({
    path: "/sign-in/oidc", httpOnly: true, sameSite: "lax" as const,
    secure: app.consoleConfig.secureCookies === "always" || (app.consoleConfig.secureCookies === "auto" && request.protocol === "https"),
  });
  const redirectUri = (request: FastifyRequest) => config.redirectUrl ?? `${request.protocol}://${request.host}/sign-in/oidc/callback`;
  const refuse = (reply: FastifyReply, status: number, message: string) =>
    reply.page("sign-in", { next: "/", username: "", error: message, oidcName: config.providerName }, { title: "Sign in", status });

  app.get("/sign-in/oidc", { config: publicAccess, schema: { querystring: StartQuery } }, async (request, reply) => {
    const next = safeNext((request.query as z.infer<typeof StartQuery>).next);
    const pending: Pending = { state: randomToken(), nonce: randomToken(), verifier: randomToken(), next, redirectUri: redirectUri(request), at: Date.now() };
    let url: string;
    try {
      url = await client.authorizationUrl({ redirectUri: pending.redirectUri, state: pending.state, nonce: pending.nonce, codeVerifier: pending.verifier });
    } catch (error) {
      request.log.error({ err: error }, "single sign-on: the identity provider's discovery failed");
      return refuse(reply, 502, `${config.providerName} cannot be reached just now. Try again, or sign in with your password.`);
    }
    reply.setCookie(OIDC_COOKIE, Buffer.from(JSON.stringify(pending)).toString("base64url"), { ...cookieOptions(request), maxAge: PENDING_MINUTES * 60 });
    return reply.redirect(url, 303);
  });

  app.get("/sign-in/oidc/callback", { config: publicAccess, schema: { querystring: CallbackQuery } }, async (request, reply) => {
    const query = request.query as z.infer<typeof CallbackQuery>;
    const raw = request.cookies[OIDC_COOKIE];
    reply.clearCookie(OIDC_COOKIE, cookieOptions(request));
    let pending: Pending | undefined;
    try {
      pending = raw === undefined ? undefined : Pending.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    } catch {
      pending = undefined;
    }
    if (query.error !== undefined) {
      request.log.warn({ oidcError: query.error }, "single sign-on: the identity provider refused");
      return refuse(reply, 401, `${config.providerName} did not sign you in (${query.error}).`);
    }
    // The state must be the one this browser was sent with (RFC 6749 §10.12), recently.
    if (pending === undefined || query.state === undefined || query.state !== pending.state || Date.now() - pending.at > PENDING_MINUTES * 60_000) {
      return refuse(reply, 400, "This sign-in was not started in this browser, or it took too long. Please try again.");
    }
    if (query.code === undefined) return refuse(reply, 400, "The identity provider sent no code. Please try again.");
    let claims: IdTokenClaims;
    try {
      claims = await client.finish({ code: query.code, redirectUri: pending.redirectUri, codeVerifier: pending.verifier, nonce: pending.nonce });
    } catch (error) {
      if (!(error instanceof OidcError) && !(error instanceof AppError)) throw error;
      request.log.warn({ err: { message: (error as Error).message } }, "single sign-on refused");
      return refuse(reply, 401, `The sign-in from ${config.providerName} could not be verified. Please try again.`);
    }
    const usernames: string[] = [];
    if (typeof claims.preferred_username === "string") usernames.push(claims.preferred_username);
    if (typeof claims.email === "string" && claims.email_verified === true) usernames.push(claims.email);
    const result = await signInWithOidc(app.db.pool, {
      issuer: config.issuer, subject: claims.sub, usernames,
      displayName: typeof claims.name === "string" ? claims.name.slice(0, 200) : undefined,
      roleValues: claimValues(claims, config.roleClaim),
    }, { roleMap: config.roleMap, autoCreate: config.autoCreate, ip: request.ip });
    if (!result.ok) {
      return refuse(reply, 403, result.reason === "disabled"
        ? "Your console account is disabled. Ask an admin."
        : `${config.providerName} signed you in, but there is no console account for you. Ask an admin to add one.`);
    }
    const token = await openSession(app.db.pool, result.user.id, limits);
    setSessionCookie(app, request, reply, token);
    // The session cookie is SameSite=Strict: a redirect still counted as coming from the provider's
    // site would not carry it, so the next page is opened from this site's own page.
    const next = result.user.mustChangePassword ? "/account/password" : safeNext(pending.next);
    return reply.page("oidc-continue", { next }, { title: "Signed in" });
  });
}

export const oidcPages: ConsoleArea = { name: "oidc", nav: [], routes };
