/**
 * A refusal by the domain (a store, an importer, a query): what went wrong in its own words —
 * a kind, a stable code the console and SDKs switch on, details a UI can point at — and no
 * HTTP. The route layer's error handler (server/http/errors.ts) is the one place that turns a
 * kind into a status, so a store reads the same from the API, the CLI and a test.
 */
export type DomainErrorKind =
  | "invalid" // the input cannot be used as given (400)
  | "not_found" // what it names does not exist (404)
  | "conflict" // the current state does not allow it (409)
  | "too_large" // over a size the domain bounds (413)
  | "unprocessable"; // well-formed, but refers to something unusable (422)

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
