/**
 * The one error handler: AppErrors, validation failures, malformed or oversize bodies, rate
 * limits and an unreachable database become problem+json; anything else is logged with the
 * request id and answered with a bare 500. Errors Fastify answers before a route is found (a URL
 * that does not decode, an over-long parameter) and errors of the HTTP parser itself (headers
 * too large, a timeout) are problem+json too: `frameworkErrors` and `clientErrorHandler` are
 * passed to Fastify when the app is built.
 */
import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { AppError, RateLimitedError } from "../../../tools/errors.js";
import { isConnectionError } from "../../db/database.js";
import { problemBody, problemFor, sendProblem } from "../problem.js";

/** Fastify's `frameworkErrors`: a URL that does not decode (400) or a path parameter over `maxParamLength` (414). */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.code === "FST_ERR_MAX_PARAM_LENGTH") {
    return sendProblem(reply, problemBody(request, 414, "URI_TOO_LONG", "A path parameter is too long"));
  }
  if (error.code === "FST_ERR_BAD_URL") {
    return sendProblem(reply, problemBody(request, 400, "BAD_REQUEST", "The URL has a percent-encoding that is not UTF-8"));
  }
  request.log.error({ err: error }, "framework error");
  return sendProblem(reply, problemBody(request, 500, "INTERNAL"));
}

/**
 * Fastify's `clientErrorHandler`: the HTTP parser refused the request before there was one
 * (headers over Node's `maxHeaderSize` → 431, too slow → 408, anything else → 400), so the
 * answer is written to the socket as it stands, then the socket is closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, code, detail] =
    error.code === "HPE_HEADER_OVERFLOW" ? [431, "HEADERS_TOO_LARGE", "The request headers are too large"] as const
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? [408, "REQUEST_TIMEOUT", "The request did not arrive in time"] as const
        : [400, "BAD_REQUEST", "The request is not valid HTTP"] as const;
  const body = JSON.stringify(problemFor({ requestId: randomUUID() }, status, code, detail));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

async function errorHandlerPlugin(app: FastifyInstance): Promise<void> {
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problemBody(request, 404, "NOT_FOUND", `No route ${request.method} ${request.url.split("?")[0]}`)),
  );

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error instanceof RateLimitedError) reply.header("retry-after", String(error.retryAfterSeconds));
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
        return sendProblem(reply, problemBody(request, 415, "UNSUPPORTED_MEDIA_TYPE", `Unsupported content type: ${request.headers["content-type"] ?? "none"}`));
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
