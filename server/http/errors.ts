import type { ErrorRequestHandler, RequestHandler } from "express";

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
 * JSON, oversized bodies) carry a `type` and become 400/413; anything unexpected is a 500 whose
 * message hides internals.
 */
export function errorHandler(onUnexpected: (err: unknown) => void): ErrorRequestHandler {
  return (err, _req, res, _next) => {
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
    onUnexpected(err);
    res.status(500).json({ error: { code: "internal", message: "internal error", details: null } });
  };
}
