/**
 * `buildApp(config, deps)` builds the Fastify service and never listens; `src/main.ts` starts it.
 * Tests build the same app and call `app.inject()`.
 */
import { createHash, randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import helmet from "@fastify/helmet";
import { fastifyCookie } from "@fastify/cookie";
import rateLimit from "@fastify/rate-limit";
import Fastify, { LogController, type FastifyRequest } from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { Readiness } from "../db/readiness.js";
import { AuditAnchors } from "../governance/audit-anchors.js";
import { auth, bearerToken } from "./auth/plugin.js";
import { database } from "./plugins/database.js";
import { clientErrorHandler, errorHandler, frameworkErrors } from "./plugins/error-handler.js";
import { inputGuard } from "./plugins/input-guard.js";
import { openapi } from "./plugins/openapi.js";
import { problemBody } from "./problem.js";
import { healthRoutes } from "./routes/health.js";
import { agentRoutes } from "./routes/agents.js";
import { retentionRoutes } from "./routes/retention.js";
import { auditRoutes } from "./routes/audit.js";
import { keyRoutes } from "./routes/keys.js";
import { reviewRoutes } from "./routes/reviews.js";
import { runRoutes } from "./routes/runs.js";
import { workItemRoutes } from "./routes/work-items.js";
import { MAX_ID_CHARS } from "./routes/fields.js";
import { scorecardRoutes } from "./routes/scorecard.js";
import { sweepRoutes } from "./routes/sweeps.js";
import { dataFileRoutes } from "./routes/data-files.js";
import { payerRuleRoutes } from "./routes/payer-rules.js";
import { sandboxFhirRoutes } from "./routes/sandbox-fhir.js";
import { sandboxPayerRoutes } from "./routes/sandbox-payer.js";
import { claimReadRoutes } from "./routes/claims-read.js";
import { claimScrubRoutes } from "./routes/claims-scrub.js";
import type { CodingTables } from "../../tools/coding/coding-tables.js";
import type { SandboxPayer } from "../../tools/payer/sandbox/sandbox-payer.js";
import type { AgentRuntime } from "../orchestration/runtime.js";
import type { SweepService } from "../jobs/sweep-service.js";
import type { ReferenceData } from "../reference-data/reference-data.js";
import { SESSION_COOKIE } from "../console/frame.js";
import { webConsole } from "../console/plugin.js";

/** What the app is built from: resources opened by the caller, closed by the caller. */
export interface AppDeps {
  logger: Logger;
  readiness: Readiness;
  runtime: AgentRuntime;
  /** The sandbox payer, when the sandbox is on. */
  sandboxPayer?: SandboxPayer | null;
  /** The pre-service sweep service; without it `POST /v1/sweeps` answers 503. */
  sweeps?: SweepService | null;
  /** The CMS quarterly files; without it `/v1/data/*` answers 503 and `/readyz` lists no alerts. */
  referenceData?: ReferenceData | null;
  /** The audit chain's anchors (those of the data folder's anchor file by default). */
  auditAnchors?: AuditAnchors;
  /** The coding tables the service prices from; without them the scrubber loads the shipped CMS files. */
  codingTables?: CodingTables | null;
}

declare module "fastify" {
  interface FastifyInstance {
    runtime: AgentRuntime;
    sweeps: SweepService | null;
    referenceData: ReferenceData | null;
    auditAnchors: AuditAnchors;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

/** Request id from `x-request-id`, else the trace id of `traceparent`, else a new UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  if (typeof given === "string" && REQUEST_ID.test(given)) return given;
  const traceparent = req.headers.traceparent;
  const trace = typeof traceparent === "string" ? TRACEPARENT.exec(traceparent.trim()) : null;
  if (trace?.[1] !== undefined) return trace[1];
  return randomUUID();
}

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

/**
 * Who a request counts against in the global rate limit: its API key, else its console session
 * (people behind one clinic's NAT share an address, not a budget), each hashed, never the secret
 * itself; anonymous callers by address. Like an unknown key, an unknown session cookie is answered
 * at once (the console sends it to sign in), and failed sign-ins are throttled per address apart.
 */
export function rateLimitKey(request: FastifyRequest): string {
  const token = bearerToken(request);
  if (token !== undefined) return `key:${sha256(token)}`;
  const header = request.headers.cookie;
  const session = header === undefined ? undefined : fastifyCookie.parse(header)[SESSION_COOKIE];
  return session === undefined || session === "" ? `ip:${request.ip}` : `session:${sha256(session)}`;
}

/** Builds the service. */
export async function buildApp(config: Config, deps: AppDeps) {
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: requestIdFor,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: "requestId" }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    // A path parameter may be as long as an id (longer: 414 problem+json).
    routerOptions: { maxParamLength: MAX_ID_CHARS },
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // While closing, answer in-flight requests with `Connection: close` so keep-alive sockets end
  // with their last response instead of holding shutdown open until the timeout.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
    if (closing) reply.header("connection", "close");
  });

  await app.register(errorHandler);
  await app.register(inputGuard);
  await app.register(helmet, { global: true });
  await app.register(database, { readiness: deps.readiness });
  await app.register(rateLimit, {
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowMs,
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (request, context) => ({
      ...problemBody(request, 429, "RATE_LIMITED", `Rate limit of ${context.max} requests per ${context.after} exceeded`),
      statusCode: 429,
    }),
  });
  await app.register(openapi);
  await app.register(auth, { maxFailures: config.rateLimit.authFailureMax, windowMs: config.rateLimit.windowMs });
  app.decorate("runtime", deps.runtime);
  app.decorate("sandboxPayer", deps.sandboxPayer ?? null);
  app.decorate("sweeps", deps.sweeps ?? null);
  app.decorate("referenceData", deps.referenceData ?? null);
  app.decorate("codingTables", deps.codingTables ?? null);
  app.decorate("auditAnchors", deps.auditAnchors ?? new AuditAnchors({ pool: deps.readiness.db.pool, dataDir: config.dataDir, logger: deps.logger }));

  await app.register(healthRoutes);
  await app.register(sandboxFhirRoutes);
  await app.register(sandboxPayerRoutes);
  await app.register(
    async (v1) => {
      await v1.register(keyRoutes);
      await v1.register(reviewRoutes);
      await v1.register(runRoutes);
      await v1.register(workItemRoutes);
      await v1.register(auditRoutes);
      await v1.register(agentRoutes);
      await v1.register(sweepRoutes);
      await v1.register(scorecardRoutes);
      await v1.register(dataFileRoutes);
      await v1.register(payerRuleRoutes);
      await v1.register(claimScrubRoutes);
      await v1.register(retentionRoutes, { config });
      await v1.register(claimReadRoutes);
    },
    { prefix: "/v1" },
  );
  if (config.console.enabled) await app.register(webConsole, { config });
  return app;
}

/** The built service. */
export type App = Awaited<ReturnType<typeof buildApp>>;
