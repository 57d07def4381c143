/**
 * `POST /v1/claims/scrub` — the pre-bill scrubber, stateless (README "Pre-bill scrubber"): a visit
 * record in JSON (application/json), or an 837P/837I in X12 (text/plain or application/edi-x12),
 * → for each claim the findings, the claim as captured and the claim corrected. Nothing is stored.
 * An 837 alone supports only the claim-level checks (see `scrubClaim`).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { Claim, ServiceLine } from "../../../tools/claim/claim.js";
import { Finding, claimsFromX12, parseVisitRecord, scrubClaim, scrubVisit, type ScrubResult } from "../../../tools/claim/scrub/index.js";
import { VisitRecord } from "../../../tools/claim/visit-record.js";
import { loadCodingTables, type CodingTables } from "../../../tools/coding/coding-tables.js";
import { BadInputError } from "../../../tools/errors.js";
import { utf8Parser } from "../plugins/input-guard.js";
import { authErrorResponses } from "../problem.js";

declare module "fastify" {
  interface FastifyInstance {
    /** The coding tables the service prices from (null: the shipped CMS files, loaded on first use). */
    codingTables: CodingTables | null;
  }
}

/**
 * The claim model as the scrubber returns it, without the checks a claim must pass to be sent: a
 * captured claim may not balance (that is CLAIM_BALANCE), and a visit record's header fields are
 * passed through as given (a claim with no lines, a diagnosis or name the payer would refuse).
 */
const ClaimOut = z.object({
  ...Claim.shape,
  claimId: z.string(),
  diagnoses: z.array(z.string()),
  lines: z.array(ServiceLine),
  payer: z.object({ name: z.string(), id: z.string() }),
  subscriber: z.object({ ...Claim.shape.subscriber.shape, memberId: z.string(), lastName: z.string(), firstName: z.string(), birthDate: z.string(), filingIndicator: z.string() }),
}).meta({ id: "ScrubbedClaim", description: "A claim (837P/837I model); a captured one may not balance" });

const ScrubbedClaim = z.object({
  claimId: z.string(),
  clean: z.boolean().describe("No findings"),
  findings: z.array(Finding),
  captured: ClaimOut,
  corrected: ClaimOut.describe("Every auto-correctable finding applied; lines with a finding a person must decide are left as captured"),
});

const ScrubResponse = z.object({
  input: z.enum(["visit-record", "837"]),
  checks: z.enum(["all", "claim-only"]).describe("claim-only: an 837 without its visit — units, waste, administration times, order diagnoses and authorizations are not checked"),
  claims: z.array(ScrubbedClaim),
});

const VisitRecordDoc = VisitRecord.meta({ id: "VisitRecord", description: "Everything the scrubber reads about one infusion visit (README \"Pre-bill scrubber\")" });
const X12Body = z.string().describe("An 837P or 837I interchange (X12 005010), starting with ISA");

const claimResult = (r: ScrubResult) => ({ claimId: r.corrected.claimId, clean: r.findings.length === 0, findings: r.findings, captured: r.captured, corrected: r.corrected });

export const claimScrubRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addContentTypeParser(["application/edi-x12", "text/plain", "application/x12"], { parseAs: "buffer" }, utf8Parser((_req, text, done) => done(null, text)));
  let shipped: CodingTables | null = null;
  const tables = (): CodingTables => app.codingTables ?? (shipped ??= loadCodingTables());

  app.post("/claims/scrub", {
    // An 837 is one X12 string, bounded by BODY_LIMIT_BYTES rather than the per-string limit.
    config: { roles: ["staff", "admin", "service"], maxStringChars: Number.MAX_SAFE_INTEGER },
    // The body is checked in the handler, which names the failing field of a visit record.
    attachValidation: true,
    schema: {
      tags: ["claims"],
      summary: "Scrub a claim before billing: a visit record (JSON) or an 837 (X12) → findings, the captured and the corrected claim",
      security: [{ bearerAuth: [] }], consumes: ["application/json", "application/edi-x12", "text/plain"],
      body: z.union([VisitRecordDoc, X12Body]),
      response: { 200: ScrubResponse, ...authErrorResponses },
    },
  }, async (request) => {
    const body: unknown = request.body;
    if (typeof body === "string") {
      if (!body.trimStart().startsWith("ISA")) throw new BadInputError("An X12 body must be an 837 interchange starting with ISA");
      const claims = claimsFromX12(body).map((c) => claimResult(scrubClaim(c, tables())));
      return { input: "837" as const, checks: "claim-only" as const, claims };
    }
    if (body === null || typeof body !== "object") throw new BadInputError("Send a visit record as application/json or an 837 as application/edi-x12");
    const record = parseVisitRecord(body);
    return { input: "visit-record" as const, checks: "all" as const, claims: [claimResult(scrubVisit(record, tables()))] };
  });
};
