/**
 * The CMS quarterly files over HTTP: which quarters are loaded and the alerts about missing ones
 * (any role), the files imported (admin), and importing one (admin) — the way to load a quarter
 * into the embedded database while the service holds it (the CLI cannot open it then).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { CmsFileKind } from "../../../tools/coding/cms-files.js";
import { quarterOf } from "../../../tools/coding/quarters.js";
import { BadInputError, UnavailableError } from "../../../tools/errors.js";
import { CmsFileInfo, ImportResult, listCmsFiles } from "../../reference-data/cms-file-store.js";
import { DataAlert } from "../../reference-data/data-alerts.js";
import type { ReferenceData } from "../../reference-data/reference-data.js";
import { ROLES, actorOf } from "../auth/api-keys.js";
import { authErrorResponses } from "../problem.js";

const Quarters = z.object({
  quarterInForce: z.string().describe("The quarter of today's date, e.g. 2026Q4"),
  asp: z.array(CmsFileInfo).describe("ASP payment-limit files in force, oldest quarter first"),
  crosswalk: z.array(CmsFileInfo).describe("NDC–HCPCS crosswalk files in force, oldest quarter first"),
  alerts: z.array(DataAlert).describe("Quarters not loaded: the one in force, and the next when it begins within 14 days"),
});

const ImportQuery = z.object({
  kind: CmsFileKind,
  quarter: z.string().regex(/^\d{4}Q[1-4]$/, "a quarter such as 2026Q4").optional().describe("The quarter you mean to load; the file's preamble must state it"),
  source: z.string().trim().min(1).max(200).regex(/^[\w .()-]+$/, "a file name").optional().describe("The downloaded file's name, kept with the import"),
});

export const dataFileRoutes: FastifyPluginAsyncZod = async (app) => {
  // A CMS file is uploaded as it was downloaded: CSV bytes (Windows-1252 or UTF-8), hashed as sent.
  app.addContentTypeParser(["text/csv", "text/plain", "application/octet-stream"], { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  const referenceData = (): ReferenceData => {
    if (app.referenceData === null) throw new UnavailableError("The CMS quarterly files are not loaded in this process");
    return app.referenceData;
  };

  app.get("/data/quarters", {
    config: { roles: ROLES },
    schema: {
      tags: ["data"], summary: "The CMS quarterly files the service prices from, and alerts about missing quarters", security: [{ bearerAuth: [] }],
      response: { 200: Quarters, ...authErrorResponses },
    },
  }, async () => {
    const data = referenceData();
    const files = data.loaded();
    return {
      quarterInForce: quarterOf(data.today()).quarter,
      asp: files.filter((f) => f.kind === "asp"), crosswalk: files.filter((f) => f.kind === "crosswalk"), alerts: data.alerts(),
    };
  });

  app.get("/data/imports", {
    config: { roles: ["admin"] },
    schema: {
      tags: ["data"], summary: "Every CMS file imported, including those a corrected file replaced", security: [{ bearerAuth: [] }],
      response: { 200: z.object({ files: z.array(CmsFileInfo) }), ...authErrorResponses },
    },
  }, async () => ({ files: await listCmsFiles(app.db.pool, { includeReplaced: true }) }));

  app.post("/data/imports", {
    config: { roles: ["admin"] },
    schema: {
      tags: ["data"],
      summary: "Import a CMS quarterly file (body: the CSV as downloaded; ?kind=asp|crosswalk); validated in full before anything is written",
      security: [{ bearerAuth: [] }], consumes: ["text/csv", "application/octet-stream"],
      querystring: ImportQuery,
      response: { 200: ImportResult, 201: ImportResult, ...authErrorResponses },
    },
  }, async (request, reply) => {
    if (!Buffer.isBuffer(request.body)) throw new BadInputError("Send the file itself as the body, with content-type text/csv");
    const { kind, quarter, source } = request.query;
    const result = await referenceData().importFile({
      kind, quarter, bytes: request.body, source: source ?? `${kind}-upload.csv`, importedBy: actorOf(request.principal),
    });
    request.log.info({ kind, quarter: result.file.quarter, status: result.status, fileId: result.file.id }, "CMS file import");
    return reply.code(result.status === "unchanged" ? 200 : 201).send(result);
  });
};
