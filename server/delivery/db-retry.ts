import { setTimeout as sleep } from "node:timers/promises";

/**
 * SQLSTATEs worth retrying as-is (graphile-worker's list in src/lib.ts): serialization
 * failure, deadlock, the server shutting down or refusing new connections, and connection
 * loss. Anything else is a bug or a constraint, and retrying would only repeat it.
 */
const RETRYABLE = new Set(["40001", "40P01", "57P01", "57P02", "57P03", "08000", "08003", "08006"]);

export function isRetryableDbError(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const code = "code" in err ? err.code : undefined;
  if (typeof code === "string" && RETRYABLE.has(code)) return true;
  // node-postgres reports a dropped socket without a SQLSTATE.
  return err instanceof Error && /Connection terminated|ECONNRESET|ECONNREFUSED/.test(err.message);
}

/** Runs `fn`, retrying retryable database errors a few times with a short growing pause. */
export async function withDbRetry<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !isRetryableDbError(err)) throw err;
      await sleep(20 * 2 ** i + Math.random() * 20);
    }
  }
}
