/** A run's state and its steps (the audit entries it wrote: shown to the roles that read the audit trail). */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ReviewListItem } from "../../governance/reviews.js";
import { RunSubject } from "../../orchestration/runtime.js";
import { ProblemDetails, authErrorResponses } from "../problem.js";
import { AUDIT_ROLES } from "./audit.js";
import { Id } from "./fields.js";
import { AuditEntryView, RunView } from "./run-schemas.js";

export const runRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get("/runs/:id", {
    config: { roles: ["staff", "council", "admin", "service"] },
    schema: {
      tags: ["runs"], summary: "A run: status, state, its appointments, review items and (council and admin only) a page of its steps", security: [{ bearerAuth: [] }],
      description: "Steps come a page at a time, in order: pass `stepsNext` as `after` for the next page (null on the last). " +
        "With `subject` (an appointment id for the pre-service agents' runs), only the steps, review items and proposals " +
        "about it (404 if the run has none). `subjects` says where each stands: done once none of its drafts waits on a person.",
      params: z.object({ id: Id }),
      querystring: z.object({
        subject: Id.optional().describe("Only what is about this subject (an appointment id for a pre-service batch)"),
        after: z.coerce.number().int().min(0).optional().describe("Steps after this audit sequence number (the previous page's stepsNext)"),
        limit: z.coerce.number().int().min(1).max(2000).default(500).describe("Most steps in the page"),
      }),
      response: {
        200: z.object({
          run: RunView, state: z.unknown(), steps: z.array(AuditEntryView).optional().describe("A page of the run's audit entries; council and admin only"),
          stepsNext: z.number().int().nullable().describe("Cursor of the next page of steps (pass as `after`); null on the last"),
          subjects: z.array(RunSubject).describe("Each subject of the run (the appointments of a batch) and whether a draft of it still waits on a person"),
          reviews: z.array(ReviewListItem).describe("Its review items, soonest due first (the first 1000: GET /v1/reviews?runId= pages them all)"),
        }),
        404: ProblemDetails, ...authErrorResponses,
      },
    },
  }, async (request) => {
    const { subject, after, limit } = request.query;
    const { steps, stepsNext, ...run } = await app.runtime.getRun(request.params.id, { subject, stepsAfter: after, stepsLimit: limit });
    // Steps hold tool inputs and outputs: audit data, read by the roles `/v1/audit` allows.
    const role = request.principal?.role;
    return role !== undefined && (AUDIT_ROLES as readonly string[]).includes(role) ? { ...run, steps, stepsNext } : { ...run, stepsNext: null };
  });
};
