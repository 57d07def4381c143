/**
 * The CMS quarterly files over HTTP (ASP payment limits, NDC–HCPCS crosswalk, NCCI PTP, MUE):
 * which quarters are loaded and the alerts about missing ones
 * (any role), the files imported (admin), and importing one (admin) — the way to load a quarter
 * into the embedded database while the service holds it (the CLI cannot open it then).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { CmsFileKind } from "../../../tools/coding/cms-files.js";
import { CodeEditFileKind, EditSettingSchema } from "../../../tools/coding/code-edit-import.js";
import { quarterOf } from "../../../tools/coding/quarters.js";
import { BadInputError, UnavailableError } from "../../../tools/errors.js";
import { CmsFileInfo, ImportResult, listCmsFiles } from "../../reference-data/cms-file-store.js";
import { CodeEditFileInfo, CodeEditImportResult, listCodeEditFiles } from "../../reference-data/code-edit-store.js";
import { DataAlert } from "../../reference-data/data-alerts.js";
import type { ReferenceData } from "../../reference-data/reference-data.js";
import { ROLES, actorOf } from "../auth/api-keys.js";
import { authErrorResponses } from "../problem.js";

const Quarters = z.object({
  quarterInForce: z.string().describe("The quarter of today's date, e.g. 2026Q4"),
  asp: z.array(CmsFileInfo).describe("ASP payment-limit files in force, oldest quarter first"),
  crosswalk: z.array(CmsFileInfo).describe("NDC–HCPCS crosswalk files in force, oldest quarter first"),
  alerts: z.array(DataAlert).describe("Quarters not loaded: the one in force, and the next when it begins within 14 days"),
  codeEdits: z.array(CodeEditFileInfo).describe("NCCI PTP and MUE files imported and in force, by kind, setting and quarter; where none covers a date of service, the shipped samples apply"),
});

const ImportQuery = z.object({
  kind: z.union([CmsFileKind, CodeEditFileKind]).describe("asp, crosswalk (ASP pricing files), ncci-ptp or mue (NCCI files)"),
  quarter: z.string().regex(/^\d{4}Q[1-4]$/, "a quarter such as 2026Q4").optional()
    .describe("The quarter you mean to load: for asp and crosswalk the file's preamble must state it; for ncci-ptp and mue it is required and places the file"),
  setting: EditSettingSchema.optional().describe("ncci-ptp and mue: practitioner (837P) or hospital (837I outpatient); read from the MUE header or the file name when not given"),
  part: z.string().regex(/^f\d{1,2}$/, "a part such as f1").optional().describe("ncci-ptp: the part of a table CMS splits (f1 … f4); read from the file name when not given"),
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
      codeEdits: data.loadedCodeEditFiles(),
    };
  });

  app.get("/data/imports", {
    config: { roles: ["admin"] },
    schema: {
      tags: ["data"], summary: "Every CMS file imported, including those a corrected file replaced", security: [{ bearerAuth: [] }],
      response: { 200: z.object({ files: z.array(CmsFileInfo), codeEditFiles: z.array(CodeEditFileInfo) }), ...authErrorResponses },
    },
  }, async () => ({
    files: await listCmsFiles(app.db.pool, { includeReplaced: true }), codeEditFiles: await listCodeEditFiles(app.db.pool, { includeReplaced: true }),
  }));

  app.post("/data/imports", {
    config: { roles: ["admin"] },
    schema: {
      tags: ["data"],
      summary: "Import a CMS quarterly file (body: the file as downloaded; ?kind=asp|crosswalk|ncci-ptp|mue); validated in full before anything is written",
      description: "ncci-ptp and mue need ?quarter=; a malformed row is refused (400, INVALID_DATA_FILE) naming the file, line and column, and nothing is stored.",
      security: [{ bearerAuth: [] }], consumes: ["text/csv", "text/plain", "application/octet-stream"],
      querystring: ImportQuery,
      response: { 200: z.union([ImportResult, CodeEditImportResult]), 201: z.union([ImportResult, CodeEditImportResult]), ...authErrorResponses },
    },
  }, async (request, reply) => {
    if (!Buffer.isBuffer(request.body)) throw new BadInputError("Send the file itself as the body, with content-type text/csv");
    const { kind, quarter, source, setting, part } = request.query;
    if (kind === "ncci-ptp" || kind === "mue") {
      if (quarter === undefined) throw new BadInputError(`Say which quarter the ${kind} file is for: ?quarter=2026Q4 (CMS's NCCI files do not state it)`);
      const result = await referenceData().importCodeEditFile({
        kind, quarter, setting, part, bytes: request.body, source: source ?? `${kind}-upload.txt`, importedBy: actorOf(request.principal),
      });
      request.log.info({ kind, quarter, setting: result.file.setting, status: result.status, fileId: result.file.id }, "NCCI file import");
      return reply.code(result.status === "unchanged" ? 200 : 201).send(result);
    }
    if (setting !== undefined || part !== undefined) throw new BadInputError("setting and part are for ncci-ptp and mue files");
    const result = await referenceData().importFile({
      kind, quarter, bytes: request.body, source: source ?? `${kind}-upload.csv`, importedBy: actorOf(request.principal),
    });
    request.log.info({ kind, quarter: result.file.quarter, status: result.status, fileId: result.file.id }, "CMS file import");
    return reply.code(result.status === "unchanged" ? 200 : 201).send(result);
  });
};
