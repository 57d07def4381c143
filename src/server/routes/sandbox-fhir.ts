/**
 * The sandbox EHR as a FHIR R4 server under `/sandbox/fhir` (synthetic data only). Service and
 * admin keys may use it, as an EHR integration would.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { handleFhir } from "../../../tools/ehr/sandbox/fhir-handler.js";
import { utf8Parser } from "../plugins/input-guard.js";

const ROLES = ["service", "admin"] as const;
/** Attachments (clinical notes) travel as base64 strings. */
const config = { roles: ROLES, maxStringChars: 1_000_000 };

export const sandboxFhirRoutes: FastifyPluginAsync = async (app) => {
  app.addContentTypeParser(["application/fhir+json"], { parseAs: "buffer" }, utf8Parser((_req, text, done) => {
    try {
      done(null, JSON.parse(text));
    } catch {
      const error = Object.assign(new Error("The request body is not valid JSON"), { statusCode: 400, code: "FST_ERR_CTP_INVALID_JSON_BODY" });
      done(error, undefined);
    }
  }));
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const base = `${request.protocol}://${request.host}/sandbox/fhir`;
    const path = request.url.replace(/^\/sandbox\/fhir/, "");
    const res = await handleFhir(app.db.pool, request.method, path, request.body, base);
    return reply.code(res.status).type("application/fhir+json; charset=utf-8").send(res.body);
  };
  const schema = { tags: ["sandbox"], summary: "Sandbox EHR (FHIR R4, synthetic data)", security: [{ bearerAuth: [] }] };
  app.get("/sandbox/fhir/*", { config, schema }, handler);
  app.post("/sandbox/fhir", { config, schema: { ...schema, summary: "Import a transaction or batch Bundle" } }, handler);
  app.post("/sandbox/fhir/*", { config, schema }, handler);
  app.put("/sandbox/fhir/*", { config, schema }, handler);
};
