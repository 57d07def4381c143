/** The review queue: staff read drafted decisions and answer accept / edit / respond / ignore. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ReviewItem, ReviewStatus, getReviewItem, listReviewItems } from "../../governance/reviews.js";
import { ReviewDecision } from "../../orchestration/human-review.js";
import { actorOf } from "../auth/api-keys.js";
import { ProblemDetails, authErrorResponses } from "../problem.js";
import { Id, IsoDateTime } from "./fields.js";
import { RunView } from "./run-schemas.js";

const STAFF = ["staff", "admin"] as const;

export const reviewRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get("/reviews", {
    config: { roles: [...STAFF, "council"] },
    schema: {
      tags: ["reviews"], summary: "The review queue, soonest due first", security: [{ bearerAuth: [] }],
      querystring: z.object({
        status: ReviewStatus.optional(),
        agent: Id.optional(),
        dueBefore: IsoDateTime.optional().describe("Only items due by this time"),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        offset: z.coerce.number().int().min(0).default(0),
      }),
      response: { 200: z.object({ reviews: z.array(ReviewItem) }), ...authErrorResponses },
    },
  }, async (request) => {
    const q = request.query;
    return {
      reviews: await listReviewItems(app.db.pool, {
        status: q.status, agent: q.agent, dueBefore: q.dueBefore === undefined ? undefined : new Date(q.dueBefore), limit: q.limit, offset: q.offset,
      }),
    };
  });

  app.get("/reviews/:id", {
    config: { roles: [...STAFF, "council"] },
    schema: {
      tags: ["reviews"], summary: "One review item with its Agent Inbox payload", security: [{ bearerAuth: [] }],
      params: z.object({ id: Id }),
      response: { 200: ReviewItem, 404: ProblemDetails, ...authErrorResponses },
    },
  }, async (request) => {
    const { interruptId: _i, ...item } = await getReviewItem(app.db.pool, request.params.id);
    return item;
  });

  app.post("/reviews/:id/decision", {
    config: { roles: ["staff"] },
    schema: {
      tags: ["reviews"],
      summary: "Decide a review item; the paused run resumes with the answer",
      description: "accept: execute the draft · edit: execute `args` (the edited payload; before and after are kept) · " +
        "response: answer in words, nothing executes · ignore: reject the draft.",
      security: [{ bearerAuth: [] }],
      params: z.object({ id: Id }),
      body: ReviewDecision,
      response: { 200: z.object({ review: ReviewItem, run: RunView }), 404: ProblemDetails, 409: ProblemDetails, ...authErrorResponses },
    },
  }, async (request) => {
    return app.runtime.decide(request.params.id, request.body, actorOf(request.principal));
  });
};
