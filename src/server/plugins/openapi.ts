/** OpenAPI 3 generated from the zod route schemas: `/openapi.json`, browsable at `/docs`. */
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import { projectVersion } from "../../project-root.js";

async function openapiPlugin(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Infusion RCM",
        version: projectVersion(),
        description:
          "Revenue-cycle agents for oncology infusion clinics. Every /v1 route needs an API key " +
          "(Authorization: Bearer …) whose role the route allows. Errors are application/problem+json.",
      },
      components: {
        securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "An infusion-rcm API key" } },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: true });
  app.get("/openapi.json", { schema: { hide: true }, config: { rateLimit: false } }, async () => app.swagger());
}

export const openapi = fp(openapiPlugin, { name: "openapi" });
