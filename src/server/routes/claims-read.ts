/** Reading claims: the worklist by status, payer and dates of service, and one claim with its lines, findings, history, 837 and acknowledgments. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { Claim, ServiceLine } from "../../../tools/claim/claim.js";
import { claimDetail, countClaims, listClaims } from "../../claims/claim-queries.js";
import { ClaimEvent, ClaimStatus, StoredFinding, claimToSend, type StoredClaim } from "../../claims/claim-store.js";
import type { StoredSubmission } from "../../claims/claim-submission.js";
import { ProblemDetails, authErrorResponses } from "../problem.js";
import { Id, IsoDate } from "./fields.js";

const READERS = ["staff", "council", "admin", "service"] as const;

const ClaimListItem = z.object({
  id: z.string().describe("The claim id, also its patient control number (CLM01), ≤ 20 characters"),
  visitId: z.string(),
  patientId: z.string(),
  payerId: z.string(),
  payerName: z.string(),
  form: z.enum(["837P", "837I"]),
  dateOfService: z.string(),
  status: ClaimStatus,
  totalCharge: z.string().describe("Decimal dollars of the claim as it stands (corrected when corrected)"),
  findings: z.number().int().describe("How many findings the scrubber made"),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const Reason = z.object({ source: z.enum(["999", "277CA"]), code: z.string(), message: z.string(), line: z.string().nullable() });

const SubmissionView = z.object({
  attempt: z.number().int(),
  interchangeControl: z.number().int().describe("ISA13 of the 837 sent"),
  state: z.enum(["sending", "answered", "failed"]).describe("sending: recorded before the call and not answered (in doubt after a crash)"),
  sentAt: z.string(),
  answeredAt: z.string().nullable(),
  outcome: z.enum(["accepted", "rejected"]).nullable(),
  reasons: z.array(Reason),
  payerClaimControlNumber: z.string().nullable().describe("277CA REF*1K"),
  x12Sent: z.string().describe("The 837 as sent"),
  ack999: z.string().nullable().describe("The 999 as received (raw X12)"),
  ack277ca: z.string().nullable().describe("The 277CA as received (raw X12)"),
  error: z.string().nullable(),
});

const ClaimView = ClaimListItem.extend({
  lines: z.array(ServiceLine).describe("The service lines of the claim as it stands (corrected when corrected)"),
  captured: Claim.describe("The claim as charge capture produced it"),
  corrected: Claim.nullable().describe("The claim as the scrubber corrected it; null when not corrected"),
  findingsList: z.array(StoredFinding).describe("The scrubber's findings: code, line, before → after, confidence, rationale, rule"),
  rejection: z.array(Reason).nullable().describe("Why the latest submission was rejected"),
  history: z.array(ClaimEvent),
  submissions: z.array(SubmissionView),
});

const item = (c: StoredClaim): z.infer<typeof ClaimListItem> => ({
  id: c.id, visitId: c.visitId, patientId: c.patientId, payerId: c.payerId, payerName: c.payerName, form: c.form, dateOfService: c.dateOfService,
  status: c.status, totalCharge: c.totalCharge, findings: c.findings.length, createdAt: c.createdAt, updatedAt: c.updatedAt,
});

const submission = (s: StoredSubmission): z.infer<typeof SubmissionView> => ({
  attempt: s.attempt, interchangeControl: s.interchangeControl, state: s.state, sentAt: s.sentAt, answeredAt: s.answeredAt, outcome: s.outcome,
  reasons: s.parsed?.reasons ?? [], payerClaimControlNumber: s.parsed?.payerClaimControlNumber ?? null, x12Sent: s.x12Sent, ack999: s.ack999, ack277ca: s.ack277ca, error: s.error,
});

export const claimReadRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get("/claims", {
    config: { roles: [...READERS] },
    schema: {
      tags: ["claims"], summary: "Claims by status, payer and dates of service, latest date of service first, a page at a time with the total", security: [{ bearerAuth: [] }],
      description: "Paged by `offset` and `limit`: `total` counts every claim the filters match and `nextOffset` is the next page's offset (null on the last). " +
        "Statuses: captured, scrubbed, corrected, submitted, accepted, rejected, adjudicated.",
      querystring: z.object({
        status: ClaimStatus.optional(),
        payer: Id.optional().describe("Payer id (e.g. SBCOM1)"),
        from: IsoDate.optional().describe("First date of service (YYYY-MM-DD)"),
        to: IsoDate.optional().describe("Last date of service (YYYY-MM-DD), inclusive"),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        offset: z.coerce.number().int().min(0).default(0),
      }).refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { path: ["to"], message: "to must not be before from" }),
      response: {
        200: z.object({
          claims: z.array(ClaimListItem),
          total: z.number().int().describe("Claims matching the filters, all pages"),
          nextOffset: z.number().int().nullable().describe("Offset of the next page; null on the last"),
        }),
        ...authErrorResponses,
      },
    },
  }, async (request) => {
    const q = request.query;
    const query = { status: q.status, payerId: q.payer, from: q.from, to: q.to };
    const [claims, total] = await Promise.all([listClaims(app.db.pool, { ...query, limit: q.limit, offset: q.offset }), countClaims(app.db.pool, query)]);
    return { claims: claims.map(item), total, nextOffset: q.offset + claims.length < total ? q.offset + claims.length : null };
  });

  app.get("/claims/:id", {
    config: { roles: [...READERS] },
    schema: {
      tags: ["claims"], summary: "One claim: its lines, findings, history, the 837s sent and the 999 and 277CA that answered them", security: [{ bearerAuth: [] }],
      params: z.object({ id: Id }),
      response: { 200: ClaimView, 404: ProblemDetails, ...authErrorResponses },
    },
  }, async (request) => {
    const { claim, history, submissions } = await claimDetail(app.db.pool, request.params.id);
    const current = Claim.parse(claimToSend(claim));
    return {
      ...item(claim), lines: current.lines, captured: claim.captured, corrected: claim.corrected, findingsList: claim.findings,
      rejection: (claim.rejection ?? null) as z.infer<typeof Reason>[] | null, history, submissions: submissions.map(submission),
    };
  });
};
