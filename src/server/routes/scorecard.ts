/** The pre-service scorecard for the clinic and the governance council. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { Scorecard, computeScorecard } from "../../governance/scorecard.js";
import { authErrorResponses } from "../problem.js";
import { DateRange } from "./date-range.js";

export const scorecardRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get("/scorecard", {
    config: { roles: ["staff", "council", "admin"] },
    schema: {
      tags: ["sweeps"],
      summary: "Authorization success, automation, exceptions by reason, early flags and estimates for dates of service in a range",
      security: [{ bearerAuth: [] }],
      querystring: DateRange(731),
      response: { 200: Scorecard, ...authErrorResponses },
    },
  }, async (request) => computeScorecard(app.db.pool, request.query));
};
