import type { Knex } from "knex";
import { CHANNELS, type Channel } from "../../engine/shared/channels.ts";
import { type Gate, ungated } from "../db/gate.ts";
import { withDbRetry } from "../db/retry.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { asChannel, createAttempts } from "./attempt.ts";
import { DEFAULT_WORKER_SETTINGS, type WorkerSettings } from "./config.ts";
import { recordMessageEvents } from "./events.ts";
import { Lane, type LaneTicket } from "./lanes.ts";
import { RateLimiter } from "./rate-limit.ts";
import { createSentRecorder } from "./recorder.ts";
import {
  type ClaimedMessage,
  type ClaimWants,
  claimMessages,
  releaseExpiredLeases,
} from "./sql/claim.ts";
import type { DeliveryLog, Provider, ProviderSet } from "./types.ts";

/**
 * The delivery worker drains the outbox: claim due rows (one statement), call the provider
 * outside any transaction, record the outcome under the lease (attempt.ts). At-least-once
 * towards the provider, reconciled where the provider can be asked, so exactly once in effect.
 *
 * Why no transaction spans a provider call: a call can take seconds; holding row locks (and on
 * PGlite, the only connection) that long would stall the ticker and the API. The lease in the
 * row replaces the lock: if this process dies mid-call, the sweep returns the row to `queued`
 * once `locked_until` passes, with its outcome marked unknown, and the next claim asks the
 * provider before sending it again.
 *
 * Each channel is a lane (lanes.ts) with its own concurrency, slow-call release and breaker,
 * and asks the one claim statement for as many rows as it has room for: a provider that hangs
 * on one channel never holds another's messages or slots.
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
  /**
   * Each claim, outcome write and sweep takes its turn on PGlite's one connection, with the
   * ticker's batches and after API requests in flight (db/gate.ts, http/activity.ts).
   */
  gate?: Gate;
}

export interface DeliveryWorker {
  /** Stops claiming, lets in-flight sends finish and record their outcome, then resolves. */
  stop(): Promise<void>;
  /** Sweeps expired leases, claims one batch, delivers it; resolves with how many were claimed. */
  drainOnce(): Promise<number>;
  /**
   * Messages were just queued (the ticker committed a batch, or a NOTIFY said another process
   * did): look now instead of at the next poll. Only makes a claim earlier, never needed for one.
   */
  wake(): void;
  /**
   * Serves `channel` with `provider` from the next claim on (a provider chosen in Settings).
   * Messages already handed to the old provider finish on it; it is closed once they have.
   */
  useProvider(channel: Channel, provider: Provider): void;
}

export function startDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const settings: WorkerSettings = { ...DEFAULT_WORKER_SETTINGS, ...definedOnly(options) };
  const { knex, log, workerId } = options;
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const gate = options.gate ?? ungated;
  const sweepMs = options.sweepMs ?? Math.max(1000, settings.leaseMs / 2);
  const limiters = new Map<Provider, RateLimiter>();
  const inflight = new Set<Promise<void>>();
  let running = options.autoStart !== false;
  let sleeping: (() => void) | null = null;
  // A wake while the loop was claiming: that claim may have run before the rows committed.
  let missed = false;
  let sweepTimer: NodeJS.Timeout | null = null;
  // Swapped per channel by useProvider; attempts read it at each message's dispatch.
  const providers: ProviderSet = { ...options.providers };

  // Sends accepted but not yet written; past this many the loop claims no more until a write
  // lands, so a slow database holds back claims instead of piling up leased rows in memory.
  const maxUnrecorded = Math.max(4 * settings.batchSize, 4 * settings.concurrency);
  const recorder = createSentRecorder({
    knex,
    workerId,
    now,
    maxRows: settings.batchSize,
    flushMs: settings.recordMs,
    onWritten: () => rouse(),
    gate,
  });

  const attempts = createAttempts({
    knex,
    crypto: options.crypto,
    providers,
    log,
    workerId,
    settings,
    now,
    random,
    limiterFor,
    recorder,
    gate,
  });

  // Lanes whose last claim came back short: nothing more was due for them then. A slot freed
  // in a lane re-claims only the lanes not dry (one index probe, not one per channel, on the
  // hot path); a wake (new rows written), and the poll at least every pollMs however busy the
  // loop is (retries come due by the clock), re-claim every lane.
  const dry = new Set<Channel>();
  let polledAt = 0;
  const rouse = () => {
    if (sleeping) sleeping();
    else missed = true;
  };
  const wake = () => {
    dry.clear();
    rouse();
  };

  const lanes = new Map<Channel, Lane>(
    CHANNELS.map((channel) => [
      channel,
      new Lane({
        limit: settings.concurrency,
        maxOpen: Math.max(settings.concurrency, settings.maxOpen),
        timeoutMs: settings.timeoutMs,
        onFree: rouse,
      }),
    ]),
  );

  /** Claims what fits the lease: rate-limited sends must all start before it runs out. */
  function claimCap(channel: Channel): number {
    const rate = providers[channel]?.ratePerSecond;
    return rate
      ? Math.min(settings.batchSize, Math.max(1, Math.floor((rate * settings.leaseMs) / 2000)))
      : settings.batchSize;
  }

  async function claim(wants: ClaimWants): Promise<ClaimedMessage[]> {
    return withDbRetry(() =>
      gate(() => claimMessages(knex, { workerId, now: now(), leaseMs: settings.leaseMs, wants })),
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

  /** Delivers one message, never rejecting: an error is logged and the lease sweep recovers. */
  function track(message: ClaimedMessage, ticket: LaneTicket): Promise<void> {
    let report: Awaited<ReturnType<typeof attempts.deliver>> = { outcome: null };
    const task = attempts
      // The slot frees at the provider's answer; the outcome may wait a few ms for its set.
      .deliver(message, ticket.calling, (r) => ticket.done(r.outcome, r.answeredMs))
      .then((r) => {
        report = r;
      })
      .catch((err: unknown) => {
        log.error(
          { err, messageId: message.id },
          "could not record a delivery outcome; the lease sweep will retry it",
        );
      })
      .finally(() => {
        inflight.delete(task);
        ticket.done(report.outcome, report.answeredMs);
      });
    inflight.add(task);
    return task;
  }

  /** Hands a claimed message to its channel's lane (the claim only asks for lanes' channels). */
  function dispatch(message: ClaimedMessage): Promise<void> {
    const channel = asChannel(message.channel);
    const lane = channel ? lanes.get(channel) : undefined;
    if (!lane) throw new Error(`claimed a message for channel "${message.channel}" without a lane`);
    return track(message, lane.admit());
  }

  async function sweep(): Promise<number> {
    const at = now();
    const rows = await withDbRetry(() =>
      gate(() =>
        knex.transaction(async (trx) => {
          const swept = await releaseExpiredLeases(trx, {
            now: at,
            maxAttempts: settings.maxAttempts,
          });
          const failed = swept.filter((r) => r.status === "failed");
          if (failed.length > 0) await recordMessageEvents(trx, "message.failed", failed, at);
          return swept;
        }),
      ),
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

  /** Sleeps until roused or `ms` pass. */
  function idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        sleeping = null;
        resolve();
      }
      sleeping = done;
    });
  }

  /**
   * The background loop: one claim for every lane with room (and not dry), then sleep until a
   * slot frees, a wake arrives or the poll interval passes. A lane whose claim came back full
   * has more due, so the loop claims again at once.
   */
  async function loop() {
    while (running) {
      missed = false;
      if (performance.now() - polledAt >= settings.pollMs) dry.clear();
      if (dry.size === 0) polledAt = performance.now();
      let more = false;
      const wants: { channel: Channel; limit: number }[] = [];
      const backlog = recorder.pending() >= maxUnrecorded;
      for (const [channel, lane] of lanes) {
        const free = dry.has(channel) || backlog ? 0 : lane.wants();
        if (free > 0) wants.push({ channel, limit: Math.min(free, claimCap(channel)) });
      }
      if (wants.length > 0) {
        try {
          const claimed = await claim(wants);
          for (const message of claimed) void dispatch(message);
          for (const w of wants) {
            const got = claimed.filter((m) => m.channel === w.channel).length;
            if (got < w.limit) dry.add(w.channel);
            else more = true;
          }
        } catch (err) {
          log.error({ err }, "delivery claim failed");
        }
      }
      if (!running) break;
      if (more || missed) {
        // Through the timer queue: on PGlite every query resolves in-process, and a loop that
        // never yields would starve the HTTP server.
        await new Promise((done) => setImmediate(done));
        continue;
      }
      await idle(Math.max(0, polledAt + settings.pollMs - performance.now()));
    }
  }

  const looping = running ? loop() : Promise.resolve();
  scheduleSweep();

  return {
    async stop() {
      running = false;
      if (sweepTimer) clearTimeout(sweepTimer);
      sleeping?.();
      await looping;
      // Answers still waiting for their set are written now, and later ones at once.
      await recorder.flush();
      await Promise.all([...inflight]);
    },
    async drainOnce() {
      await sweep();
      const claimed = await claim(
        CHANNELS.map((channel) => ({ channel, limit: settings.batchSize })),
      );
      // At most `concurrency` at once: start the next send when one finishes.
      const queue = [...claimed];
      const runners = Array.from(
        { length: Math.min(settings.concurrency, queue.length) },
        async () => {
          for (let next = queue.shift(); next; next = queue.shift()) await dispatch(next);
        },
      );
      await Promise.all(runners);
      return claimed.length;
    },
    wake,
    useProvider(channel, provider) {
      const old = providers[channel];
      providers[channel] = provider;
      if (!old || Object.values(providers).includes(old)) return;
      // The sends started before the swap hold the old provider; close it when they are done.
      void Promise.allSettled([...inflight]).then(() => old.close?.());
    },
  };
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
