/**
 * What console areas build on: the request and reply decorations of the console (`plugin.ts`
 * provides them), the shape of an area, and the session cookie. Pages import from here, never
 * from `plugin.ts` (which imports every area).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config.js";
import type { ConsoleRenderer, NavItem, PageFrame } from "./render.js";
import type { ConsoleSession } from "./sessions.js";
import type { UserRole } from "./users.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may open this console route: roles, or `"public"`. Required on every console route. */
    console?: { roles: readonly UserRole[] | "public" };
  }
  interface FastifyRequest {
    /** The signed-in person of a console request, or null. */
    consoleSession: ConsoleSession | null;
  }
  interface FastifyReply {
    /** Renders a view inside the console's layout and sends it. */
    page(view: string, data?: object, options?: { title?: string; status?: number; flash?: PageFrame["flash"] }): FastifyReply;
  }
  interface FastifyInstance {
    consoleRenderer: ConsoleRenderer;
    consoleConfig: Config["console"];
  }
}

/** The session cookie's name. */
export const SESSION_COOKIE = "irc_session";

/** A console area: its routes and its entries in the navigation. */
export interface ConsoleArea {
  name: string;
  nav: NavItem[];
  routes: (app: FastifyInstance) => Promise<void>;
}


/** Whether the cookies of a request are marked Secure. */
function secureFor(config: Config["console"], request: FastifyRequest): boolean {
  return config.secureCookies === "always" || (config.secureCookies === "auto" && request.protocol === "https");
}

/** Sets the session cookie (or clears it with `token` null). */
export function setSessionCookie(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, token: string | null): void {
  const options = { path: "/", httpOnly: true, sameSite: "strict" as const, secure: secureFor(app.consoleConfig, request) };
  if (token === null) reply.clearCookie(SESSION_COOKIE, options);
  else reply.setCookie(SESSION_COOKIE, token, { ...options, maxAge: app.consoleConfig.maxHours * 3600 });
}

