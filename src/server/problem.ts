/**
 * RFC 9457 problem details: the one body shape for every error the service answers with.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { ERROR_CODES, type ErrorCode } from "../../tools/errors.js";

/** A problem+json body. */
export const ProblemDetails = z
  .object({
    type: z.string().describe("URI naming the problem type: urn:infusion-rcm:problem:<code>"),
    title: z.string().describe("Short, stable summary of the problem type"),
    status: z.number().int().describe("HTTP status code"),
    code: z.string().describe("Stable error code (see the README's error table)"),
    detail: z.string().optional().describe("What went wrong in this occurrence"),
    instance: z.string().optional().describe("The request path"),
    requestId: z.string().describe("The request id, also in the x-request-id header"),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe("Field-level validation errors"),
    details: z.record(z.string(), z.unknown()).optional().describe("Structured, PHI-free details"),
  })
  .meta({ id: "ProblemDetails" });
export type ProblemDetails = z.infer<typeof ProblemDetails>;

/** Error responses every authenticated route may give, for the OpenAPI document. */
export const authErrorResponses = {
  400: ProblemDetails,
  401: ProblemDetails,
  403: ProblemDetails,
  429: ProblemDetails,
  503: ProblemDetails,
} as const;

const TITLES: Partial<Record<ErrorCode, string>> = {
  BAD_REQUEST: "Bad Request",
  MALFORMED_JSON: "Malformed JSON",
  PAYLOAD_TOO_LARGE: "Payload Too Large",
  UNSUPPORTED_MEDIA_TYPE: "Unsupported Media Type",
  URI_TOO_LONG: "URI Too Long",
  HEADERS_TOO_LARGE: "Request Header Fields Too Large",
  REQUEST_TIMEOUT: "Request Timeout",
  UNAUTHENTICATED: "Unauthorized",
  FORBIDDEN: "Forbidden",
  NOT_FOUND: "Not Found",
  CONFLICT: "Conflict",
  RATE_LIMITED: "Too Many Requests",
  UNAVAILABLE: "Service Unavailable",
  UPSTREAM_FAILURE: "Bad Gateway",
  INTERNAL: "Internal Server Error",
};

/** Builds a problem body for a code and status, where (path) and under which request id it occurred. */
export function problemFor(
  where: Pick<ProblemDetails, "instance" | "requestId">,
  status: number,
  code: ErrorCode,
  detail?: string,
  extra: Pick<ProblemDetails, "errors" | "details"> = {},
): ProblemDetails {
  return {
    type: `urn:infusion-rcm:problem:${code.toLowerCase().replaceAll("_", "-")}`,
    title: TITLES[code] ?? ERROR_CODES[code],
    status,
    code,
    ...(detail === undefined ? {} : { detail }),
    ...(where.instance === undefined ? {} : { instance: where.instance }),
    requestId: where.requestId,
    ...extra,
  };
}

/** Builds a problem body for a code and status answering `request`. */
export function problemBody(
  request: FastifyRequest,
  status: number,
  code: ErrorCode,
  detail?: string,
  extra: Pick<ProblemDetails, "errors" | "details"> = {},
): ProblemDetails {
  return problemFor({ instance: request.url.split("?")[0] ?? request.url, requestId: String(request.id) }, status, code, detail, extra);
}

/** Sends a problem body with the problem+json media type. */
export function sendProblem(reply: FastifyReply, body: ProblemDetails): FastifyReply {
  return reply.code(body.status).type("application/problem+json; charset=utf-8").send(body);
}
