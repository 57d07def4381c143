/** API key administration (admin only) and the caller's own identity (any role). */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ApiKeyInfo, ROLES, Role, actorOf, createApiKey, listApiKeys, revokeApiKey } from "../auth/api-keys.js";
import { ProblemDetails, authErrorResponses } from "../problem.js";
import { Id } from "./fields.js";

const Me = z.object({ keyId: z.string(), name: z.string(), role: Role });
const CreateKey = z.object({
  name: z.string().trim().min(1).max(100).describe("Who or what the key is for"),
  role: Role,
});
const CreatedKey = z.object({
  key: z.string().describe("The secret: shown once, store it now"),
  info: ApiKeyInfo,
});

export const keyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/me",
    {
      config: { roles: ROLES },
      schema: {
        tags: ["identity"],
        summary: "The identity and role of the calling API key",
        security: [{ bearerAuth: [] }],
        response: { 200: Me, ...authErrorResponses },
      },
    },
    async (request) => {
      const principal = request.principal;
      if (principal === null) throw new Error("auth hook did not run");
      return { keyId: principal.keyId, name: principal.name, role: principal.role };
    },
  );

  app.get(
    "/keys",
    {
      config: { roles: ["admin"] },
      schema: {
        tags: ["identity"],
        summary: "List API keys (never their secrets)",
        security: [{ bearerAuth: [] }],
        querystring: z.object({ includeRevoked: z.enum(["true", "false"]).optional() }),
        response: { 200: z.object({ keys: z.array(ApiKeyInfo) }), ...authErrorResponses },
      },
    },
    async (request) => ({
      keys: await listApiKeys(app.db.pool, { includeRevoked: request.query.includeRevoked === "true" }),
    }),
  );

  app.post(
    "/keys",
    {
      config: { roles: ["admin"] },
      schema: {
        tags: ["identity"],
        summary: "Create an API key; the secret is returned once",
        security: [{ bearerAuth: [] }],
        body: CreateKey,
        response: { 201: CreatedKey, ...authErrorResponses },
      },
    },
    async (request, reply) => {
      const created = await createApiKey(app.db.pool, { ...request.body, createdBy: actorOf(request.principal) });
      request.log.info({ newKeyId: created.info.id, newKeyRole: created.info.role }, "api key created");
      return reply.code(201).send(created);
    },
  );

  app.delete(
    "/keys/:id",
    {
      config: { roles: ["admin"] },
      schema: {
        tags: ["identity"],
        summary: "Revoke an API key",
        description: "Audited. The last active admin key cannot be revoked (409): create another admin key first.",
        security: [{ bearerAuth: [] }],
        params: z.object({ id: Id.describe("The key id or its displayed prefix") }),
        response: { 200: ApiKeyInfo, 404: ProblemDetails, 409: ProblemDetails, ...authErrorResponses },
      },
    },
    async (request) => {
      const revoked = await revokeApiKey(app.db.pool, request.params.id, { actor: actorOf(request.principal) });
      request.log.info({ revokedKeyId: revoked.id }, "api key revoked");
      return revoked;
    },
  );
};
