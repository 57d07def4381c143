/** A run's state and its steps (the audit entries it wrote: shown to the roles that read the audit trail). */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ReviewItem } from "../../governance/reviews.js";
import { ProblemDetails, authErrorResponses } from "../problem.js";
import { AUDIT_ROLES } from "./audit.js";
import { AuditEntryView, RunView } from "./run-schemas.js";

export const runRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get("/runs/:id", {
    config: { roles: ["staff", "council", "admin", "service"] },
    schema: {
      tags: ["runs"], summary: "A run: status, state, review items and (council and admin only) its steps", security: [{ bearerAuth: [] }],
      params: z.object({ id: z.string() }),
      response: {
        200: z.object({ run: RunView, state: z.unknown(), steps: z.array(AuditEntryView).optional().describe("The run's audit entries; council and admin only"), reviews: z.array(ReviewItem) }),
        404: ProblemDetails, ...authErrorResponses,
      },
    },
  }, async (request) => {
    const { steps, ...run } = await app.runtime.getRun(request.params.id);
    // Steps hold tool inputs and outputs: audit data, read by the roles `/v1/audit` allows.
    const role = request.principal?.role;
    return role !== undefined && (AUDIT_ROLES as readonly string[]).includes(role) ? { ...run, steps } : run;
  });
};
