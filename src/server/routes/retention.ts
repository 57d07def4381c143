/** The retention pass run by hand (admin), as `infusion-rcm retention run` and the schedule run it. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Config } from "../../config.js";
import { retentionDeps, runRetention } from "../../jobs/retention.js";
import { actorOf } from "../auth/api-keys.js";
import { authErrorResponses } from "../problem.js";

const RetentionReport = z.object({
  checkpoints: z.object({ runs: z.number().int(), checkpoints: z.number().int(), writes: z.number().int(), blobs: z.number().int() })
    .describe("Finished runs whose checkpoints were cut (to the last, or none), and the rows deleted"),
  supersededReviewItems: z.number().int(),
  runs: z.number().int().describe("Finished runs deleted (none a review item or action names)"),
  sweeps: z.number().int(),
  sweepItems: z.number().int(),
  auditPartitionsCreated: z.number().int(),
  auditMonthsArchived: z.array(z.object({ month: z.string(), entries: z.number().int(), firstSeq: z.number().int(), lastSeq: z.number().int(), sha256: z.string() })),
  auditArchiveError: z.string().nullable().describe("Why an expired audit month was not archived (it is kept and tried again next pass)"),
});

export const retentionRoutes: FastifyPluginAsyncZod<{ config: Config }> = async (app, { config }) => {
  app.post("/retention/run", {
    config: { roles: ["admin"] },
    schema: {
      tags: ["retention"], summary: "Run the retention pass now: pruning, the audit log's next partitions, archives of expired audit months",
      security: [{ bearerAuth: [] }],
      response: { 200: RetentionReport, ...authErrorResponses },
    },
  }, async (request) => runRetention(retentionDeps(config, app.db.pool, () => new Date(), request.log, actorOf(request.principal))));
};
