/**
 * SQLSTATEs worth replaying a whole batch for (graphile-worker's list): serialization failure,
 * deadlock, and the server going away or refusing connections for a moment.
 */
const RETRYABLE = new Set([
  "40001",
  "40P01",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08003",
  "08006",
  "08001",
  "08004",
]);

export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string" && RETRYABLE.has(code)) return true;
  return code === "ECONNRESET" || code === "ECONNREFUSED" || code === "EPIPE";
}

/** Retries `fn` on retryable errors with jittered exponential backoff (50 ms … 2 s). */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !isRetryable(err)) throw err;
      const delay = Math.min(2000, 50 * 2 ** i) * (0.5 + Math.random() / 2);
      await new Promise((done) => setTimeout(done, delay));
    }
  }
}
