/** The review queue: staff read drafted decisions and answer accept / edit / respond / ignore. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ReviewItem, ReviewStatus, getReviewItem, listReviewItems } from "../../governance/reviews.js";
import type { ActionTypeDefinition } from "../../orchestration/agent-definition.js";
import { EditableFields, editableView } from "../../orchestration/edits.js";
import { ReviewDecision } from "../../orchestration/human-review.js";
import { ProblemDetails, authErrorResponses } from "../problem.js";
import { RunView } from "./run-schemas.js";

const STAFF = ["staff", "admin"] as const;

/** A review item with what a person may edit in its draft. */
const ReviewItemView = ReviewItem.extend({
  editable: EditableFields.nullable().describe("The draft's editable fields with their current values (null: its agent is not registered)"),
});

export const reviewRoutes: FastifyPluginAsyncZod = async (app) => {
  /** The item with its editable fields; `withSchema` adds the JSON Schema of an edit. */
  const view = (item: ReviewItem, withSchema = false): z.infer<typeof ReviewItemView> => {
    const def = app.runtime.registry.list().find((d) => d.id === item.agent)?.actionTypes.find((a) => a.type === item.actionType);
    return { ...item, editable: def === undefined ? null : editableView(def as ActionTypeDefinition<unknown, unknown>, item.draft, withSchema) };
  };

  app.get("/reviews", {
    config: { roles: [...STAFF, "council"] },
    schema: {
      tags: ["reviews"], summary: "The review queue, soonest due first", security: [{ bearerAuth: [] }],
      querystring: z.object({
        status: ReviewStatus.optional(),
        agent: z.string().optional(),
        dueBefore: z.iso.datetime({ offset: true }).optional().describe("Only items due by this time"),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        offset: z.coerce.number().int().min(0).default(0),
      }),
      response: { 200: z.object({ reviews: z.array(ReviewItemView) }), ...authErrorResponses },
    },
  }, async (request) => {
    const q = request.query;
    const reviews = await listReviewItems(app.db.pool, {
      status: q.status, agent: q.agent, dueBefore: q.dueBefore === undefined ? undefined : new Date(q.dueBefore), limit: q.limit, offset: q.offset,
    });
    return { reviews: reviews.map((r) => view(r)) };
  });

  app.get("/reviews/:id", {
    config: { roles: [...STAFF, "council"] },
    schema: {
      tags: ["reviews"], summary: "One review item with its Agent Inbox payload and the JSON Schema of an edit", security: [{ bearerAuth: [] }],
      params: z.object({ id: z.string() }),
      response: { 200: ReviewItemView, 404: ProblemDetails, ...authErrorResponses },
    },
  }, async (request) => {
    const { interruptId: _i, ...item } = await getReviewItem(app.db.pool, request.params.id);
    return view(item, true);
  });

  app.post("/reviews/:id/decision", {
    config: { roles: ["staff"] },
    schema: {
      tags: ["reviews"],
      summary: "Decide a review item; the paused run resumes with the answer",
      description: "accept: execute the draft · edit: `args` holds only the fields to change (the item's `editable`; identity fields " +
        "are refused with 400 naming the field); the action rebuilds what derives from them, and each changed field's before and " +
        "after are kept · response: a note kept with the draft, nothing executes · ignore: reject the draft, `args` optionally says why.",
      security: [{ bearerAuth: [] }],
      params: z.object({ id: z.string() }),
      body: ReviewDecision,
      response: { 200: z.object({ review: ReviewItemView, run: RunView }), 404: ProblemDetails, 409: ProblemDetails, ...authErrorResponses },
    },
  }, async (request) => {
    const actor = `key:${request.principal?.keyId ?? "unknown"}`;
    const { review, run } = await app.runtime.decide(request.params.id, request.body, actor);
    return { review: view(review), run };
  });
};
