/** Pre-service sweeps: start one over a date range, follow its progress, list recent ones. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { NotFoundError, UnavailableError } from "../../../tools/errors.js";
import { SweepProgress, sweepProgress } from "../../jobs/sweep-progress.js";
import { SweepSummary, listSweeps } from "../../jobs/sweep-store.js";
import { actorOf } from "../auth/api-keys.js";
import { ProblemDetails, authErrorResponses } from "../problem.js";
import { Id } from "./fields.js";
import { DateRange } from "./date-range.js";

/** The longest range one sweep may cover (about a quarter). */
export const MAX_SWEEP_DAYS = 92;

export const sweepRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post("/sweeps", {
    config: { roles: ["service", "admin", "staff"] },
    schema: {
      tags: ["sweeps"],
      summary: "Sweep every appointment in a date range through the pre-service agents (one job per appointment)",
      security: [{ bearerAuth: [] }],
      body: DateRange(MAX_SWEEP_DAYS),
      response: {
        202: z.object({ id: z.string().describe("The sweep id: GET /v1/sweeps/{id}"), total: z.number().int().describe("Appointments enqueued") }),
        ...authErrorResponses,
      },
    },
  }, async (request, reply) => {
    if (app.sweeps === null || !app.sweeps.running) throw new UnavailableError("The sweep queue is not running; retry shortly");
    const { id, total } = await app.sweeps.startSweep({ ...request.body, kind: "manual", requestedBy: actorOf(request.principal) });
    return reply.code(202).send({ id, total });
  });

  app.post("/sweeps/pre-bill", {
    config: { roles: ["service", "admin", "staff"] },
    schema: {
      tags: ["sweeps"],
      summary: "A pre-bill pass: every past visit in a date range whose charges are captured and whose claim has not gone to the payer, through the pre-bill agent (one job per visit)",
      security: [{ bearerAuth: [] }],
      body: DateRange(MAX_SWEEP_DAYS),
      response: {
        202: z.object({ id: z.string().describe("The pass's id: GET /v1/sweeps/{id}"), total: z.number().int().describe("Visits enqueued") }),
        ...authErrorResponses,
      },
    },
  }, async (request, reply) => {
    if (app.sweeps === null || !app.sweeps.running) throw new UnavailableError("The sweep queue is not running; retry shortly");
    const { id, total } = await app.sweeps.startSweep({ ...request.body, kind: "pre-bill", requestedBy: actorOf(request.principal) });
    return reply.code(202).send({ id, total });
  });

  app.get("/sweeps", {
    config: { roles: ["staff", "council", "admin", "service"] },
    schema: {
      tags: ["sweeps"], summary: "Recent sweeps, newest first, with item counts", security: [{ bearerAuth: [] }],
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }),
      response: { 200: z.object({ sweeps: z.array(SweepSummary) }), ...authErrorResponses },
    },
  }, async (request) => ({ sweeps: await listSweeps(app.db.pool, request.query.limit) }));

  app.get("/sweeps/:id", {
    config: { roles: ["staff", "council", "admin", "service"] },
    schema: {
      tags: ["sweeps"], summary: "A sweep's progress and what it found so far", security: [{ bearerAuth: [] }],
      params: z.object({ id: Id }),
      response: { 200: SweepProgress, 404: ProblemDetails, ...authErrorResponses },
    },
  }, async (request) => {
    const progress = await sweepProgress(app.db.pool, request.params.id);
    if (progress === null) throw new NotFoundError(`No sweep ${request.params.id}`);
    return progress;
  });
};
