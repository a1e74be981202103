import type { ErrorRequestHandler, RequestHandler } from "express";
import { isConnectionLoss } from "../db/retry.ts";
import { DomainError, type DomainErrorKind } from "../domain-error.ts";

/** An error meant for the client: a status, a stable code and details a UI can point at. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The one place a domain refusal becomes an HTTP status (server/domain-error.ts). */
const STATUS: Record<DomainErrorKind, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unprocessable: 422,
};

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, "not_found", `no route for ${req.method} ${req.path}`));
};

interface BodyParserError {
  type?: string;
  status?: number;
  message?: string;
}

/**
 * Every error leaves as `{"error": {code, message, details}}`. Body-parser failures (malformed
 * JSON, oversized bodies) carry a `type` and become 400/413. The database being unreachable (a
 * restart, a failover, a terminated connection, no free connection in time) is not a bug in the
 * request: 503 with Retry-After, so clients and SDKs retry (Segment's libraries retry 5xx) and
 * nothing was committed. Anything else unexpected is a 500 whose message hides internals.
 */
export function errorHandler(
  onUnexpected: (err: unknown) => void,
  onUnavailable: (err: unknown) => void = onUnexpected,
): ErrorRequestHandler {
  // One log line per outage second, not one per request: a busy API during a restart answers
  // thousands of 503s.
  let lastLogged = 0;
  const unavailable = (err: unknown) => {
    if (Date.now() - lastLogged < 1000) return;
    lastLogged = Date.now();
    onUnavailable(err);
  };
  return (err, _req, res, _next) => {
    if (err instanceof DomainError) {
      res
        .status(STATUS[err.kind])
        .json({ error: { code: err.code, message: err.message, details: err.details ?? null } });
      return;
    }
    if (err instanceof HttpError) {
      res
        .status(err.status)
        .json({ error: { code: err.code, message: err.message, details: err.details ?? null } });
      return;
    }
    const parser = err as BodyParserError;
    if (parser.type === "entity.too.large") {
      res.status(413).json({
        error: { code: "payload_too_large", message: "request body is too large", details: null },
      });
      return;
    }
    if (parser.type === "entity.parse.failed") {
      res.status(400).json({
        error: {
          code: "malformed_json",
          message: "request body is not valid JSON",
          details: null,
        },
      });
      return;
    }
    if (typeof parser.status === "number" && parser.status >= 400 && parser.status < 500) {
      res.status(parser.status).json({
        error: { code: "bad_request", message: parser.message ?? "bad request", details: null },
      });
      return;
    }
    // knex's pool gave up waiting for a connection (its CommonJS class is not importable by name).
    if (isConnectionLoss(err) || (err as Error | undefined)?.name === "KnexTimeoutError") {
      unavailable(err);
      res
        .status(503)
        .set("Retry-After", "2")
        .json({
          error: {
            code: "database_unavailable",
            message: "the database is unavailable; retry shortly",
            details: null,
          },
        });
      return;
    }
    onUnexpected(err);
    res.status(500).json({ error: { code: "internal", message: "internal error", details: null } });
  };
}
