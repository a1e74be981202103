import { setTimeout as sleep } from "node:timers/promises";

/**
 * A token bucket per provider, as a GCRA: one "theoretical arrival time" instead of a token
 * count, so waiters are served in call order without a queue. With the default burst of 1 the
 * calls are evenly spaced: N messages at R/s take at least (N-1)/R seconds, which is what a
 * provider's per-second limit (Twilio: 1 MPS per long code, more for short codes) means.
 *
 * The limit is per process. Several workers share a provider's limit only if each is given
 * its share (rate / workers); a shared bucket in the database would cost a write per message.
 */
export class RateLimiter {
  private readonly intervalMs: number;
  private tat = 0;

  constructor(
    ratePerSecond: number,
    private readonly burst = 1,
    private readonly clock: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0)) throw new Error("rate must be positive");
    this.intervalMs = 1000 / ratePerSecond;
  }

  /** Resolves when the caller may start one message. */
  async take(): Promise<void> {
    const now = this.clock();
    this.tat = Math.max(this.tat, now);
    const startAt = this.tat - (this.burst - 1) * this.intervalMs;
    this.tat += this.intervalMs;
    // Timers may fire a millisecond early; loop so a start is never before its slot.
    for (let wait = startAt - now; wait > 0; wait = startAt - this.clock()) {
      await sleep(Math.ceil(wait));
    }
  }
}

/**
 * Delay before the next attempt: exponential in the attempts made, capped, with "equal
 * jitter" (half fixed, half random) so a burst of failures does not come back as a burst, yet
 * never retries sooner than half the nominal delay. A provider's Retry-After is a floor.
 */
export function retryDelayMs(
  attempts: number,
  policy: { retryBaseMs: number; retryMaxMs: number },
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const nominal = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  const jittered = nominal / 2 + random() * (nominal / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
