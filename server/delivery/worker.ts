import type { Knex } from "knex";
import { assertNever } from "../../engine/shared/assert-never.ts";
import { CHANNELS, type Channel } from "../../engine/shared/channels.ts";
import { withDbRetry } from "../db/retry.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { DEFAULT_WORKER_SETTINGS, type WorkerSettings } from "./config.ts";
import { recordMessageEvents } from "./events.ts";
import { RateLimiter, retryDelayMs } from "./rate-limit.ts";
import { type ClaimedMessage, claimMessages, releaseExpiredLeases } from "./sql/claim.ts";
import { markFailed, markRetry, markSent } from "./sql/outcome.ts";
import type { DeliveryLog, Provider, ProviderSet, SendResult } from "./types.ts";

/**
 * The delivery worker drains the outbox: claim due rows (one statement), call the provider
 * outside any transaction, record the outcome under the lease. At-least-once towards the
 * provider, carrying the idempotency key, so exactly once in effect.
 *
 * Why no transaction spans a provider call: a call can take seconds; holding row locks (and on
 * PGlite, the only connection) that long would stall the ticker and the API. The lease in the
 * row replaces the lock: if this process dies mid-call, the sweep returns the row to `queued`
 * once `locked_until` passes and any worker re-sends it with the same key.
 */

export interface DeliveryWorkerOptions extends Partial<WorkerSettings> {
  knex: Knex;
  crypto: FieldCrypto;
  providers: ProviderSet;
  log: DeliveryLog;
  /** Unique per process (e.g. `${hostname}:${pid}`); it is what the lease guard compares. */
  workerId: string;
  now?: () => Date;
  random?: () => number;
  /** How often expired leases are swept; jittered ±50% so workers do not sweep in step. */
  sweepMs?: number;
  /** false: no background loop; the caller drives it with drainOnce() (tests, one-shot CLI). */
  autoStart?: boolean;
}

export interface DeliveryWorker {
  /** Stops claiming, lets in-flight sends finish and record their outcome, then resolves. */
  stop(): Promise<void>;
  /** Sweeps expired leases, claims one batch, delivers it; resolves with how many were claimed. */
  drainOnce(): Promise<number>;
}

export function startDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const settings: WorkerSettings = { ...DEFAULT_WORKER_SETTINGS, ...definedOnly(options) };
  const { knex, log, workerId } = options;
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const sweepMs = options.sweepMs ?? Math.max(1000, settings.leaseMs / 2);
  const limiters = new Map<Provider, RateLimiter>();
  const inflight = new Set<Promise<void>>();
  let running = options.autoStart !== false;
  let wake: (() => void) | null = null;
  let sweepTimer: NodeJS.Timeout | null = null;

  /** Claims what fits the lease: rate-limited sends must all start before it runs out. */
  const claimCap = (() => {
    let cap = settings.batchSize;
    for (const channel of CHANNELS) {
      const rate = options.providers[channel]?.ratePerSecond;
      if (rate) cap = Math.min(cap, Math.max(1, Math.floor((rate * settings.leaseMs) / 2000)));
    }
    return cap;
  })();

  async function claim(limit: number): Promise<ClaimedMessage[]> {
    return withDbRetry(() =>
      claimMessages(knex, { workerId, now: now(), leaseMs: settings.leaseMs, limit }),
    );
  }

  async function deliver(message: ClaimedMessage): Promise<void> {
    const channel = asChannel(message.channel);
    const provider = channel ? options.providers[channel] : undefined;
    if (!channel || !provider) {
      return fail(message, null, `no provider for channel "${message.channel}"`);
    }
    const to = addressOf(message, channel);
    if (to.kind === "missing") return fail(message, provider.name, to.error);
    await limiterFor(provider)?.take();
    let result: SendResult;
    try {
      result = await provider.send({
        idempotencyKey: message.idempotencyKey,
        to: to.address,
        body: message.body,
        channel,
        messageId: message.id,
      });
    } catch (err) {
      // An adapter that throws has a bug or met something unforeseen; the attempt cap bounds it.
      result = {
        kind: "retry",
        error: `provider threw: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    await record(message, provider, result);
  }

  async function record(message: ClaimedMessage, provider: Provider, result: SendResult) {
    const at = now();
    switch (result.kind) {
      case "sent": {
        const applied = await withDbRetry(() =>
          markSent(knex, {
            id: message.id,
            workerId,
            provider: provider.name,
            providerMessageId: result.providerMessageId,
            now: at,
          }),
        );
        if (!applied)
          log.debug(
            { messageId: message.id },
            "sent, but the lease was lost; kept the newer state",
          );
        return;
      }
      case "retry": {
        if (message.attempts >= settings.maxAttempts) {
          return fail(
            message,
            provider.name,
            `gave up after ${message.attempts} attempts: ${result.error}`,
          );
        }
        const delay = retryDelayMs(message.attempts, settings, result.retryAfterMs, random);
        log.warn(
          {
            messageId: message.id,
            attempts: message.attempts,
            retryInMs: delay,
            error: result.error,
          },
          "provider call failed; will retry",
        );
        await withDbRetry(() =>
          markRetry(knex, {
            id: message.id,
            workerId,
            provider: provider.name,
            error: result.error,
            nextAttemptAt: new Date(at.getTime() + delay),
            now: at,
          }),
        );
        return;
      }
      case "failed":
        return fail(message, provider.name, result.error);
      default:
        return assertNever(result);
    }
  }

  /** Failed for good, and journeys waiting on the message hear it in the same transaction. */
  async function fail(message: ClaimedMessage, provider: string | null, error: string) {
    log.warn({ messageId: message.id, attempts: message.attempts, error }, "message failed");
    const at = now();
    await withDbRetry(() =>
      knex.transaction(async (trx) => {
        const row = await markFailed(trx, { id: message.id, workerId, provider, error, now: at });
        if (row) await recordMessageEvents(trx, "message.failed", [row], at);
      }),
    );
  }

  function limiterFor(provider: Provider): RateLimiter | null {
    if (!provider.ratePerSecond) return null;
    let limiter = limiters.get(provider);
    if (!limiter) {
      limiter = new RateLimiter(provider.ratePerSecond);
      limiters.set(provider, limiter);
    }
    return limiter;
  }

  function addressOf(
    message: ClaimedMessage,
    channel: Channel,
  ): { kind: "found"; address: string } | { kind: "missing"; error: string } {
    switch (channel) {
      case "sms": {
        if (!message.phoneEncrypted)
          return { kind: "missing", error: "contact has no phone number" };
        try {
          return { kind: "found", address: options.crypto.decrypt(message.phoneEncrypted) };
        } catch {
          return {
            kind: "missing",
            error: "phone number cannot be decrypted (wrong WAYMARK_SECRET?)",
          };
        }
      }
      case "email":
        return message.email
          ? { kind: "found", address: message.email }
          : { kind: "missing", error: "contact has no email address" };
      case "push":
      case "webhook":
        return { kind: "found", address: message.externalId };
      default:
        return assertNever(channel);
    }
  }

  /** Delivers one message, never rejecting: an error is logged and the lease sweep recovers. */
  function track(message: ClaimedMessage): Promise<void> {
    const task = deliver(message)
      .catch((err: unknown) => {
        log.error(
          { err, messageId: message.id },
          "could not record a delivery outcome; the lease sweep will retry it",
        );
      })
      .finally(() => {
        inflight.delete(task);
        wake?.();
      });
    inflight.add(task);
    return task;
  }

  async function sweep(): Promise<number> {
    const at = now();
    const rows = await withDbRetry(() =>
      knex.transaction(async (trx) => {
        const swept = await releaseExpiredLeases(trx, {
          now: at,
          maxAttempts: settings.maxAttempts,
        });
        const failed = swept.filter((r) => r.status === "failed");
        if (failed.length > 0) await recordMessageEvents(trx, "message.failed", failed, at);
        return swept;
      }),
    );
    if (rows.length > 0) log.warn({ count: rows.length }, "swept expired delivery leases");
    return rows.length;
  }

  function scheduleSweep() {
    if (!running) return;
    sweepTimer = setTimeout(
      () => {
        sweep()
          .catch((err: unknown) => log.error({ err }, "lease sweep failed"))
          .finally(scheduleSweep);
      },
      sweepMs * (0.5 + random()),
    );
  }

  function idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });
  }

  /**
   * The background loop: keep up to `concurrency` sends in flight. A claim that came back full
   * means more is due, so the loop claims again as soon as a slot frees; otherwise it polls.
   */
  async function loop() {
    while (running) {
      let saturated = false;
      try {
        const free = settings.concurrency - inflight.size;
        if (free > 0) {
          const limit = Math.min(claimCap, free);
          const claimed = await claim(limit);
          for (const message of claimed) track(message);
          saturated = claimed.length === limit;
        } else {
          saturated = true;
        }
      } catch (err) {
        log.error({ err }, "delivery claim failed");
      }
      if (!running) break;
      if (saturated && inflight.size < settings.concurrency) continue;
      await idle(settings.pollMs);
    }
  }

  const looping = running ? loop() : Promise.resolve();
  scheduleSweep();

  return {
    async stop() {
      running = false;
      if (sweepTimer) clearTimeout(sweepTimer);
      wake?.();
      await looping;
      await Promise.all([...inflight]);
    },
    async drainOnce() {
      await sweep();
      const claimed = await claim(settings.batchSize);
      // Same concurrency bound as the loop: start the next send when one finishes.
      const queue = [...claimed];
      const lanes = Array.from(
        { length: Math.min(settings.concurrency, queue.length) },
        async () => {
          for (let next = queue.shift(); next; next = queue.shift()) await track(next);
        },
      );
      await Promise.all(lanes);
      return claimed.length;
    },
  };
}

function asChannel(value: string): Channel | null {
  return (CHANNELS as readonly string[]).includes(value) ? (value as Channel) : null;
}

/** Options spread over defaults must not replace a default with `undefined`. */
function definedOnly(options: Partial<WorkerSettings>): Partial<WorkerSettings> {
  const out: Partial<WorkerSettings> = {};
  for (const key of Object.keys(DEFAULT_WORKER_SETTINGS) as (keyof WorkerSettings)[]) {
    const value = options[key];
    if (typeof value === "number") out[key] = value;
  }
  return out;
}
