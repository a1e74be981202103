import pino from "pino";

/**
 * One structured logger. Phone numbers, emails and secrets are redacted by path so that no code
 * path can write them in clear, even a careless `log.info({ contact })`; errors go through
 * `safeError`, which keeps what helps debugging and drops what carries contact data.
 */
export function createLogger(level: string, destination?: pino.DestinationStream) {
  const options: pino.LoggerOptions = {
    level,
    serializers: { err: safeError, error: safeError },
    redact: {
      paths: [
        "phone",
        "*.phone",
        "*.*.phone",
        "email",
        "*.email",
        "*.*.email",
        "password",
        "*.password",
        "secret",
        "*.secret",
        "req.headers.authorization",
        "req.headers.cookie",
        "req.body",
      ],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = ReturnType<typeof createLogger>;

/**
 * Error properties that carry the values of a query or a request: PGlite's `params`, pg's
 * `detail` ("Key (email)=(li@example.com) already exists."), `where` (the parameter that failed
 * to parse), body-parser's `body`, and the like. Never logged.
 */
const VALUE_FIELDS = new Set([
  "params",
  "parameters",
  "bindings",
  "values",
  "detail",
  "where",
  "hint",
  "internalQuery",
  "queryOptions",
  "body",
  "rawBody",
  "config",
  "request",
  "response",
]);

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const PHONE = /\+\d[\d\s().-]{6,}\d/g;

/**
 * Scrubs the values PostgreSQL quotes in its messages (`invalid input syntax for type integer:
 * "+8613812345678"`, `value "…" is out of range`) — a quoted identifier (`relation "contacts"`)
 * stays, it says what failed — and anything shaped like an email or an E.164 number anywhere.
 * Knex prefixes the message with the SQL, which has `$1` placeholders, never values.
 */
export function scrubText(text: string): string {
  return text
    .replace(/"([^"\n]*)"/g, (quoted, inner: string) =>
      /^[A-Za-z_][\w$.]*$/.test(inner) ? quoted : '"…"',
    )
    .replace(EMAIL, "[email]")
    .replace(PHONE, "[phone]");
}

/** An error as a plain object for the log: name, message, code, stack and safe details. */
export function safeError(err: unknown, depth = 0): unknown {
  if (typeof err === "string") return scrubText(err);
  if (!(err instanceof Error) || depth > 3) return err;
  const out: Record<string, unknown> = {
    type: err.constructor.name,
    message: scrubText(err.message),
  };
  if (err.stack) out.stack = scrubText(err.stack);
  for (const [key, value] of Object.entries(err)) {
    if (VALUE_FIELDS.has(key) || key in out) continue;
    if (typeof value === "string") out[key] = scrubText(value);
    else if (typeof value === "number" || typeof value === "boolean") out[key] = value;
  }
  if (err.cause !== undefined) out.cause = safeError(err.cause, depth + 1);
  if (err instanceof AggregateError) out.errors = err.errors.map((e) => safeError(e, depth + 1));
  return out;
}
