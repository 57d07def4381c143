/** Liveness and readiness probes (public, unauthenticated, not rate limited). */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { projectVersion } from "../../project-root.js";
import { DataAlert } from "../../reference-data/data-alerts.js";

const Health = z.object({ status: z.literal("ok"), version: z.string(), uptimeSeconds: z.number() });
const Ready = z.object({
  status: z.enum(["ready", "unavailable"]),
  database: z.enum(["up", "down"]).describe("Whether the database answered"),
  databaseKind: z.enum(["pglite", "postgres"]),
  pendingMigrations: z.number().int().nullable().describe("Migrations not yet applied; null when unknown"),
  alerts: z.array(DataAlert).describe("Data alerts for admins (a CMS quarterly file not loaded): the service is still ready"),
});

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  const version = projectVersion();
  app.get(
    "/healthz",
    {
      config: { rateLimit: false },
      schema: { tags: ["health"], summary: "The process is alive", response: { 200: Health } },
    },
    async () => ({ status: "ok" as const, version, uptimeSeconds: Math.round(process.uptime()) }),
  );
  app.get(
    "/readyz",
    {
      config: { rateLimit: false },
      schema: {
        tags: ["health"],
        summary: "The database is reachable and migrated; data alerts (a missing CMS quarter) are listed without making it unready",
        response: { 200: Ready, 503: Ready },
      },
    },
    async (_request, reply) => {
      const report = await app.readiness.check();
      const body = {
        status: report.ready ? ("ready" as const) : ("unavailable" as const),
        database: report.database,
        databaseKind: app.db.kind,
        pendingMigrations: report.pendingMigrations,
        alerts: report.ready ? (app.referenceData?.alerts() ?? []) : [],
      };
      return reply.code(report.ready ? 200 : 503).send(body);
    },
  );
};
