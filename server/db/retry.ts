import { setTimeout as sleep } from "node:timers/promises";

/**
 * SQLSTATEs worth replaying a whole transaction for (graphile-worker's list in src/lib.ts):
 * serialization failure, deadlock, the server shutting down or refusing new connections (53300:
 * at max_connections, as when many processes share one server), and connection loss. Anything else is a bug or a constraint, and retrying would only repeat it.
 */
const RETRYABLE = new Set([
  "40001",
  "40P01",
  "53300",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);

/** Error codes and messages with which node-postgres and knex report a lost or refused server. */
const CONNECTION_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"]);
const CONNECTION_MESSAGE =
  /Connection terminated|ECONNRESET|ECONNREFUSED|Client has encountered a connection error|terminating connection/;

/** The database is unreachable right now (not a bug in the query): worth a 503 and a retry. */
export function isConnectionLoss(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const code = "code" in err ? err.code : undefined;
  if (typeof code === "string") {
    if (CONNECTION_CODES.has(code) || code.startsWith("08") || code.startsWith("57P")) return true;
    if (code === "53300") return true; // too many connections: refused for now, not a bug
  }
  if (err instanceof AggregateError) return err.errors.some(isConnectionLoss);
  return err instanceof Error && CONNECTION_MESSAGE.test(err.message);
}

export function isRetryableDbError(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const code = "code" in err ? err.code : undefined;
  if (typeof code === "string" && RETRYABLE.has(code)) return true;
  return isConnectionLoss(err);
}

/**
 * Runs `fn`, retrying retryable database errors with a jittered, growing pause: serialization
 * failures and deadlocks up to `attempts` times; the database being unreachable for up to
 * `outageMs` (pauses capped near 1 s, so work resumes within about a second of the database
 * coming back). The second matters most after a provider call: the delivery worker records the
 * outcome through here, and giving up during a restart left the message to be re-sent when its
 * lease ran out — the provider's second acceptance of the same key (tests/reliability/
 * database-outage.test.ts saw ten). `fn` must be safe to run again: a transaction whose COMMIT
 * was cut off may have committed, so callers replay work that is idempotent by construction
 * (the ticker re-claims only what is still due; outcome updates check the lease).
 */
export async function withDbRetry<T>(
  fn: () => Promise<T>,
  attempts = 4,
  outageMs = 30_000,
): Promise<T> {
  const started = Date.now();
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryableDbError(err)) throw err;
      const unreachable = isConnectionLoss(err);
      if (unreachable ? Date.now() - started >= outageMs : i >= attempts) throw err;
      const pause = Math.min(unreachable ? 700 : 2000, 20 * 2 ** i);
      await sleep(pause * (0.5 + Math.random()));
    }
  }
}
