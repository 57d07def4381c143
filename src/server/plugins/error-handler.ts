/**
 * The one error handler: AppErrors, validation failures, malformed or oversize bodies, rate
 * limits and an unreachable database become problem+json; anything else is logged with the
 * request id and answered with a bare 500.
 */
import type { FastifyError, FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { AppError } from "../../../tools/errors.js";
import { isConnectionError } from "../../db/database.js";
import { problemBody, sendProblem } from "../problem.js";

async function errorHandlerPlugin(app: FastifyInstance): Promise<void> {
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problemBody(request, 404, "NOT_FOUND", `No route ${request.method} ${request.url.split("?")[0]}`)),
  );

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, "request failed");
      const extra = error.details === undefined ? {} : { details: error.details };
      return sendProblem(reply, problemBody(request, error.status, error.code, error.message, extra));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors = error.validation.map((v) => ({
        path: `${error.validationContext ?? "body"}${v.instancePath.replaceAll("/", ".")}`,
        message: v.message ?? "invalid",
      }));
      return sendProblem(
        reply,
        problemBody(request, 400, "BAD_REQUEST", `Invalid ${error.validationContext ?? "request"}`, { errors }),
      );
    }
    if (isConnectionError(error)) {
      request.log.warn({ err: { message: error.message } }, "database unavailable");
      return sendProblem(reply, problemBody(request, 503, "UNAVAILABLE", "The database is unavailable; retry shortly"));
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error }, "response failed its schema");
      return sendProblem(reply, problemBody(request, 500, "INTERNAL"));
    }
    switch (error.code) {
      case "FST_ERR_CTP_INVALID_JSON_BODY":
      case "FST_ERR_CTP_EMPTY_JSON_BODY":
        return sendProblem(reply, problemBody(request, 400, "MALFORMED_JSON", "The request body is not valid JSON"));
      case "FST_ERR_CTP_BODY_TOO_LARGE":
        return sendProblem(reply, problemBody(request, 413, "PAYLOAD_TOO_LARGE", "The request body is too large"));
      case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
        return sendProblem(reply, problemBody(request, 415, "BAD_REQUEST", "Unsupported content type"));
      default:
        break;
    }
    if (error.statusCode === 429) {
      return sendProblem(reply, problemBody(request, 429, "RATE_LIMITED", error.message));
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(reply, problemBody(request, error.statusCode, "BAD_REQUEST", error.message));
    }
    request.log.error({ err: error }, "unhandled error");
    return sendProblem(reply, problemBody(request, 500, "INTERNAL"));
  });
}

export const errorHandler = fp(errorHandlerPlugin, { name: "error-handler" });
