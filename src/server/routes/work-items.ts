/** Submitting work: a work item is routed to every agent that handles its type. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DispatchedRun, WorkItem, routeWorkItem } from "../../orchestration/work-router.js";
import { authErrorResponses } from "../problem.js";
import { Id } from "./fields.js";

export const workItemRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post("/work-items", {
    config: { roles: ["service", "admin"] },
    schema: {
      tags: ["runs"],
      summary: "Route a work item to the agents that handle it; one run per agent",
      security: [{ bearerAuth: [] }],
      body: WorkItem.extend({ id: Id.describe("Its id in the source system") }),
      response: { 202: z.object({ runs: z.array(DispatchedRun) }), ...authErrorResponses },
    },
  }, async (request, reply) => reply.code(202).send({ runs: await routeWorkItem(app.runtime, request.body) }));
};
