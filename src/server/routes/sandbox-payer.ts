/**
 * The sandbox payer over HTTP: `POST /sandbox/payer/x12` with an X12 body (270, 278 or 837)
 * answers with the X12 response (271, 278 response, or for an 837 a 999, a 277CA and the 835 of the claims the 277CA accepted).
 */
import type { FastifyPluginAsync } from "fastify";
import type { SandboxPayer } from "../../../tools/payer/sandbox/sandbox-payer.js";
import { NotFoundError } from "../../../tools/errors.js";
import { utf8Parser } from "../plugins/input-guard.js";

declare module "fastify" {
  interface FastifyInstance {
    sandboxPayer: SandboxPayer | null;
  }
}

export const sandboxPayerRoutes: FastifyPluginAsync = async (app) => {
  app.addContentTypeParser(["application/edi-x12", "text/plain", "application/x12"], { parseAs: "buffer" }, utf8Parser((_req, text, done) => done(null, text)));
  app.post("/sandbox/payer/x12", {
    // The body is one X12 interchange, bounded by BODY_LIMIT_BYTES rather than the per-string limit.
    config: { roles: ["service", "admin"], maxStringChars: Number.MAX_SAFE_INTEGER },
    schema: {
      tags: ["sandbox"], summary: "Sandbox payer: send X12 270, 278 or 837; receive 271, 278 response, or 999 + 277CA + 835",
      security: [{ bearerAuth: [] }], consumes: ["application/edi-x12", "text/plain"], produces: ["application/edi-x12"],
    },
  }, async (request, reply) => {
    if (app.sandboxPayer === null) throw new NotFoundError("The sandbox payer is off (SANDBOX=off)");
    const body = typeof request.body === "string" ? request.body : "";
    return reply.type("application/edi-x12").send(await app.sandboxPayer.handle(body));
  });
};
