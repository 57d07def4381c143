/**
 * The web console, served by the service at `/` (README, "The console"). People sign in as users
 * (`users.ts`), their sessions live in PostgreSQL (`sessions.ts`), pages are rendered on the
 * server (`render.ts`) and use htmx for partial updates; every asset is served from here (no CDN:
 * clinics run offline) under the service's Content-Security-Policy, which allows no inline script.
 *
 * Each console route declares who may open it in `config.console`: the roles, or `"public"`
 * (sign-in, assets). A route without it is refused at start-up, like `/v1` routes without roles.
 * Signed out, a page redirects to the sign-in page; a role the page does not allow gets a 403
 * page. Every request that changes something (any method but GET/HEAD) must carry the CSRF token
 * of the form or of htmx's header (`@fastify/csrf-protection`, double-submit cookie, SameSite
 * strict), or it is refused with a 403 page.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import formbody from "@fastify/formbody";
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { AppError } from "../../tools/errors.js";
import type { Config } from "../config.js";
import { isConnectionError } from "../db/database.js";
import { projectRoot } from "../project-root.js";
import { CONSOLE_AREAS } from "./areas.js";
import { SESSION_COOKIE, setSessionCookie } from "./frame.js";
import { ConsoleRenderer } from "./render.js";
import { findSession, type SessionLimits } from "./sessions.js";

const TYPES: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".ico": "image/x-icon" };

/** The console's own files (`src/console/assets`) and the vendored ones, by name. */
function loadAssets(): Map<string, { body: Buffer; type: string }> {
  const dir = path.join(projectRoot(), "src", "console", "assets");
  const assets = new Map<string, { body: Buffer; type: string }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type !== undefined) assets.set(name, { body: readFileSync(path.join(dir, name)), type });
  }
  const require = createRequire(import.meta.url);
  for (const [name, asset] of Object.entries(vendorAssets)) assets.set(name, { body: readFileSync(require.resolve(asset.module)), type: asset.type });
  return assets;
}

const vendorAssets: Record<string, { module: string; type: string }> = {
  "htmx.min.js": { module: "htmx.org/dist/htmx.min.js", type: "text/javascript; charset=utf-8" },
  "uPlot.iife.min.js": { module: "uplot/dist/uPlot.iife.min.js", type: "text/javascript; charset=utf-8" },
  "uPlot.min.css": { module: "uplot/dist/uPlot.min.css", type: "text/css; charset=utf-8" },
};

const ERROR_TITLES: Record<number, string> = {
  400: "That request was not valid",
  401: "Please sign in",
  403: "Not allowed",
  404: "Not found",
  409: "Changed meanwhile",
  429: "Too many attempts",
  503: "Unavailable",
};

async function consolePlugin(app: FastifyInstance, options: { config: Config }): Promise<void> {
  const config = options.config.console;
  const limits: SessionLimits = { idleMinutes: config.idleMinutes, maxHours: config.maxHours };
  const renderer = new ConsoleRenderer(CONSOLE_AREAS.flatMap((area) => area.nav), { cache: options.config.env !== "development" });
  app.decorate("consoleRenderer", renderer);
  app.decorate("consoleConfig", config);
  app.decorateRequest("consoleSession", null);

  await app.register(cookie);
  await app.register(formbody);
  await app.register(csrf, {
    sessionPlugin: "@fastify/cookie",
    cookieKey: "irc_csrf",
    cookieOpts: { path: "/", sameSite: "strict", httpOnly: true, secure: config.secureCookies === "always" ? true : config.secureCookies === "never" ? false : "auto" },
    getToken: (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      const fromForm = typeof body === "object" && body !== null && typeof body._csrf === "string" ? body._csrf : undefined;
      const header = request.headers["x-csrf-token"];
      return fromForm ?? (typeof header === "string" ? header : undefined);
    },
  });

  app.decorateReply("page", function page(this: FastifyReply, view: string, data: object = {}, pageOptions = {}) {
    const request = this.request;
    const html = renderer.page(view, {
      title: pageOptions.title ?? "Infusion RCM",
      session: request.consoleSession,
      csrfToken: this.generateCsrf(),
      path: request.url.split("?")[0] ?? "/",
      flash: pageOptions.flash,
    }, data);
    return this.code(pageOptions.status ?? 200).type("text/html; charset=utf-8").header("cache-control", "no-store").send(html);
  });

  app.addHook("onRoute", (route) => {
    if (route.config?.console === undefined) throw new Error(`Console route ${route.method} ${route.url} declares no access (config.console)`);
    // Pages, not API: kept out of the OpenAPI document (and of the API's problem+json contract).
    route.schema = { ...route.schema, hide: true };
  });

  app.addHook("onRequest", async (request, reply) => {
    const access = request.routeOptions.config.console;
    if (access === undefined) return;
    const token = request.cookies[SESSION_COOKIE];
    if (token !== undefined) request.consoleSession = (await findSession(app.db.pool, token, limits)) ?? null;
    if (access.roles === "public") return;
    const session = request.consoleSession;
    if (session === null) {
      if (token !== undefined) setSessionCookie(app, request, reply, null);
      if (request.method === "GET" && request.headers["hx-request"] === undefined) {
        return reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}`, 303);
      }
      if (request.headers["hx-request"] !== undefined) return reply.header("hx-redirect", "/sign-in").code(401).send();
      return reply.page("error", { status: 401, message: "Your session ended. Sign in again." }, { title: ERROR_TITLES[401], status: 401 });
    }
    const path = request.url.split("?")[0];
    if (session.user.mustChangePassword && path !== "/account/password" && path !== "/sign-out") {
      return reply.redirect("/account/password", 303);
    }
    if (!access.roles.includes(session.user.role)) {
      return reply.page(
        "error",
        { status: 403, message: `This page is for ${access.roles.join(", ")}; you are signed in as ${session.user.role}.` },
        { title: ERROR_TITLES[403], status: 403 },
      );
    }
  });

  // Every change needs its CSRF token; signed in or not (the sign-in form too: login CSRF).
  app.addHook("preHandler", (request, reply, done) => {
    if (request.method === "GET" || request.method === "HEAD" || request.routeOptions.config.console === undefined) return done();
    app.csrfProtection(request, reply, done);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error instanceof AppError ? error.status
      : isConnectionError(error) ? 503
      : hasZodFastifySchemaValidationErrors(error) ? 400
        : error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode
          : 500;
    const message = error.code === "FST_CSRF_INVALID_TOKEN" || error.code === "FST_CSRF_MISSING_SECRET"
      ? "This form was not sent from this console's page, or it expired. Go back, reload the page and try again."
      : hasZodFastifySchemaValidationErrors(error)
        ? `Some fields are not valid: ${error.validation.map((v) => `${v.instancePath.replace(/^\//, "") || "form"} ${v.message ?? "invalid"}`).join("; ")}`
        : status === 503 ? "The database is busy or unreachable. Try again in a few seconds."
          : status >= 500 ? "Something went wrong on our side. The error is logged with this request's id." : error.message;
    if (status === 503) reply.header("retry-after", "5");
    if (status === 503) request.log.warn({ err: { message: error.message } }, "database unavailable");
    else if (status >= 500) request.log.error({ err: error }, "console request failed");
    return reply.page("error", { status, message, requestId: request.id }, { title: ERROR_TITLES[status] ?? "Error", status });
  });

  // Assets are public (the sign-in page needs its stylesheet) and few: read once, served from memory.
  const assets = loadAssets();
  app.get<{ Params: { name: string } }>("/assets/:name", { config: { console: { roles: "public" } } }, async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (asset === undefined) return reply.code(404).type("text/plain; charset=utf-8").send("not found");
    return reply.type(asset.type).header("cache-control", "public, max-age=3600").send(asset.body);
  });

  for (const area of CONSOLE_AREAS) await app.register(area.routes);
}

/** The console, registered on the service (encapsulated: its cookies, forms and error pages stay here). */
export const webConsole = consolePlugin;
