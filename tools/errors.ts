/**
 * The one error hierarchy of the project, split by whose fault a failure is.
 *
 * It lives at the bottom of the dependency graph (`tools/`) so that tools, agents and the server
 * all throw the same types; the HTTP layer maps them to `application/problem+json` and the CLI to
 * exit codes. Every code is listed in `ERROR_CODES` with its meaning (documented in the README).
 */

/** Stable error codes; clients may switch on them. */
export const ERROR_CODES = {
  BAD_REQUEST: "The request or input is malformed or fails validation.",
  MALFORMED_JSON: "The request body is not valid JSON.",
  PAYLOAD_TOO_LARGE: "The request body exceeds the configured limit.",
  UNSUPPORTED_MEDIA_TYPE: "The route does not take a body of this content type.",
  URI_TOO_LONG: "A path parameter is longer than the router takes.",
  HEADERS_TOO_LARGE: "The request headers exceed the server's limit.",
  REQUEST_TIMEOUT: "The request did not arrive in time.",
  UNAUTHENTICATED: "No API key, or an unknown or revoked one.",
  FORBIDDEN: "The API key's role may not use this route.",
  NOT_FOUND: "The resource or route does not exist.",
  CONFLICT: "The request conflicts with the current state.",
  RATE_LIMITED: "Too many requests for this API key, or too many failed authentications from this address.",
  UNAVAILABLE: "A dependency (usually the database) is unavailable; retry later.",
  UPSTREAM_FAILURE: "A system we call (payer, EHR, model) failed or answered nonsense.",
  INVALID_X12: "X12 input is malformed.",
  CLAIM_UNBALANCED: "A claim's total charge (CLM02) is not the sum of its line charges.",
  INVALID_FHIR: "FHIR input is malformed or fails validation.",
  INVALID_DOSE: "A dose cannot be converted to billing units (missing unit, concentration, …).",
  UNKNOWN_CODE: "A code (HCPCS, NDC, CARC, …) is not in the loaded tables.",
  INVALID_DATA_FILE: "A reference data file (CSV, JSON) is malformed.",
  CONFIG_INVALID: "A configuration variable is missing or invalid.",
  INTERNAL: "An unexpected error; details are in the service log under the request id.",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Options every AppError accepts. */
export interface AppErrorOptions {
  /** The underlying error, kept for the log (never sent to clients). */
  cause?: unknown;
  /** Structured, PHI-free details safe to return to the caller (field paths, line numbers …). */
  details?: Record<string, unknown>;
}

/** Base class: a stable `code`, an HTTP `status`, optional safe `details`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, status: number, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.details = options.details;
  }
}

/** The caller sent something wrong: malformed input, a failed validation. HTTP 400. */
export class BadInputError extends AppError {
  constructor(message: string, options: AppErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? "BAD_REQUEST", 400, message, options);
  }
}

/** No credentials, or credentials we do not recognise. HTTP 401. */
export class UnauthenticatedError extends AppError {
  constructor(message = "A valid API key is required", options: AppErrorOptions = {}) {
    super("UNAUTHENTICATED", 401, message, options);
  }
}

/** Recognised caller, not allowed to do this. HTTP 403. */
export class ForbiddenError extends AppError {
  constructor(message = "This API key's role may not use this route", options: AppErrorOptions = {}) {
    super("FORBIDDEN", 403, message, options);
  }
}

/** The thing asked for does not exist. HTTP 404. */
export class NotFoundError extends AppError {
  constructor(message: string, options: AppErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? "NOT_FOUND", 404, message, options);
  }
}

/** The request conflicts with current state (duplicate, already decided …). HTTP 409. */
export class ConflictError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super("CONFLICT", 409, message, options);
  }
}

/** Too many requests, or too many failed authentications; retry after `retryAfterSeconds`. HTTP 429. */
export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number, options: AppErrorOptions = {}) {
    super("RATE_LIMITED", 429, message, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A system we depend on and own (the database) is unavailable. HTTP 503. */
export class UnavailableError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super("UNAVAILABLE", 503, message, options);
  }
}

/** A system we call but do not own (payer, EHR, model) failed or answered nonsense. HTTP 502. */
export class UpstreamError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super("UPSTREAM_FAILURE", 502, message, options);
  }
}
