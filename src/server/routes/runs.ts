/** A run's state and its steps (the audit entries it wrote). */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ReviewItem } from "../../governance/reviews.js";
import { ProblemDetails, authErrorResponses } from "../problem.js";
import { Id } from "./fields.js";
import { AuditEntryView, RunView } from "./run-schemas.js";

export const runRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get("/runs/:id", {
    config: { roles: ["staff", "council", "admin", "service"] },
    schema: {
      tags: ["runs"], summary: "A run: status, state, steps and review items", security: [{ bearerAuth: [] }],
      params: z.object({ id: Id }),
      response: {
        200: z.object({ run: RunView, state: z.unknown(), steps: z.array(AuditEntryView), reviews: z.array(ReviewItem) }),
        404: ProblemDetails, ...authErrorResponses,
      },
    },
  }, async (request) => app.runtime.getRun(request.params.id));
};
