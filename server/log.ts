import pino from "pino";

/**
 * One structured logger. Phone numbers and secrets are redacted by path so that no code path can
 * write them in clear, even a careless `log.info({ contact })`.
 */
export function createLogger(level: string) {
  return pino({
    level,
    redact: {
      paths: [
        "phone",
        "*.phone",
        "*.*.phone",
        "password",
        "*.password",
        "secret",
        "*.secret",
        "req.headers.authorization",
        "req.headers.cookie",
      ],
      censor: "[redacted]",
    },
  });
}

export type Logger = ReturnType<typeof createLogger>;
