/**
 * Authentication and role checks for `/v1`. Every route there declares the roles that may use
 * it in `config.roles`; a route that forgets is refused at start-up, so no route is open by accident.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { ForbiddenError, RateLimitedError, UnauthenticatedError } from "../../../tools/errors.js";
import { authenticateKey, hashKey, type Principal, type Role } from "./api-keys.js";
import { AuthFailureGuard, type AuthFailureOptions } from "./auth-failures.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated caller; set on every `/v1` request that passed authentication. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Roles allowed to call this route. Required on every `/v1` route. */
    roles?: readonly Role[];
  }
}

/** The bearer token of a request, if any. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** The auth plugin's options: how failed authentications are limited per client address. */
export type AuthOptions = Pick<AuthFailureOptions, "maxFailures" | "windowMs">;

async function authPlugin(app: FastifyInstance, options: AuthOptions): Promise<void> {
  app.decorateRequest("principal", null);
  const failures = new AuthFailureGuard(options);

  app.addHook("onRoute", (route) => {
    if (route.url.startsWith("/v1/") && (route.config?.roles === undefined || route.config.roles.length === 0)) {
      throw new Error(`Route ${route.method} ${route.url} declares no roles (config.roles)`);
    }
  });

  app.addHook("onRequest", async (request) => {
    const roles = request.routeOptions.config.roles;
    if (roles === undefined) return; // public routes: health, docs
    // An address past its failures is answered before any lookup, whatever key it sends now.
    const blockedMs = failures.blockedFor(request.ip);
    if (blockedMs > 0) {
      throw new RateLimitedError("Too many failed authentications from this address; retry later", Math.ceil(blockedMs / 1000));
    }
    const token = bearerToken(request);
    if (token === undefined) {
      failures.recordFailure(request.ip);
      throw new UnauthenticatedError("An API key is required: Authorization: Bearer <key>");
    }
    const keyHash = hashKey(token);
    const principal = failures.failedRecently(keyHash) ? undefined : await authenticateKey(app.db.pool, token);
    if (principal === undefined) {
      failures.recordFailure(request.ip, keyHash);
      throw new UnauthenticatedError("The API key is unknown or revoked");
    }
    request.principal = principal;
    request.log = request.log.child({ keyId: principal.keyId, role: principal.role });
    if (!roles.includes(principal.role)) {
      throw new ForbiddenError(`Role ${principal.role} may not use this route; allowed: ${roles.join(", ")}`);
    }
  });
}

export const auth = fp(authPlugin, { name: "auth", dependencies: ["database"] });
