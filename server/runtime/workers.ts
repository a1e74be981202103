import type { Knex } from "knex";
import type { AdvancePolicy } from "../../engine/ports.ts";
import { startAudienceScanner } from "../audiences/membership.ts";
import type { Gate } from "../db/gate.ts";
import type { DeliveryConfig } from "../delivery/config.ts";
import { watchProviders } from "../delivery/provider-watch.ts";
import { startDeliveryWorker } from "../delivery/worker.ts";
import type { Logger } from "../log.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { startDateScanner } from "./date-scan.ts";
import { listenForWork } from "./due-channel.ts";
import type { liveJourneyCache } from "./live-journeys.ts";
import { type BatchStats, startTicker, type TickerOptions } from "./ticker.ts";

export interface WorkersOptions {
  knex: Knex;
  crypto: FieldCrypto;
  log: Logger;
  delivery: DeliveryConfig;
  /** The process's one live-journey cache (the API invalidates it on publish and pause). */
  live: ReturnType<typeof liveJourneyCache>;
  policy: (now?: number) => Promise<AdvancePolicy>;
  /** Base of tracked links when WAYMARK_PUBLIC_URL is not set. */
  fallbackLinkBase: string;
  workspaceTimezone: string;
  audienceScanMs: number;
  workerId: string;
  /** Set on PostgreSQL: other processes' NOTIFYs wake this one, and its batches NOTIFY them. */
  databaseUrl: string | undefined;
  /** Batch size, loops and PGlite's pacing. */
  ticker: Pick<
    TickerOptions,
    "batchSize" | "batchMs" | "concurrency" | "exclusive" | "yieldMs" | "nudgeGapMs"
  >;
  /**
   * PGlite: every loop's database work takes turns in one lane, after API requests in flight
   * (db/gate.ts, http/activity.ts). Absent on PostgreSQL, where each loop has connections.
   */
  gate?: Gate;
  onBatch?: (stats: BatchStats) => void;
}

export interface Workers {
  /** Ingest and the API made users due: tick now rather than at the next poll. */
  nudgeTicker(): void;
  stop(): Promise<void>;
}

/**
 * The loops that move users and messages — ticker, date and audience scanners, delivery and the
 * PostgreSQL wake-up listener — wired once, for `waymark start` and `waymark worker` alike, so
 * the two cannot differ in what wakes what (issue #15 found them assembled twice).
 */
export async function startWorkers(options: WorkersOptions): Promise<Workers> {
  const { knex, crypto, log, delivery, live } = options;
  const gated = options.gate ? { gate: options.gate } : {};
  let wakeDelivery = () => {};
  const ticker = startTicker({
    knex,
    crypto,
    policy: options.policy,
    linkBase: delivery.publicUrl ?? options.fallbackLinkBase,
    linkTtlMs: delivery.linkTtlMs,
    ...options.ticker,
    ...gated,
    onError: (err) => log.error({ err }, "ticker batch failed"),
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
    onMessages: () => wakeDelivery(),
    notifyOutbox: options.databaseUrl !== undefined,
  });
  const dateScanner = startDateScanner({
    knex,
    crypto,
    live,
    workspaceTimezone: options.workspaceTimezone,
    now: () => new Date(),
    ...gated,
    onError: (err) => log.error({ err }, "date-trigger scan failed"),
  });
  const audienceScanner = startAudienceScanner({
    knex,
    live,
    now: () => new Date(),
    everyMs: options.audienceScanMs,
    ...gated,
    onError: (err) => log.error({ err }, "audience scan failed"),
  });
  // Settings' providers are read before the first claim, so no message goes out on the
  // environment's provider for a channel that has another one.
  const providers = await watchProviders({
    knex,
    crypto,
    env: delivery,
    deps: {
      config: delivery,
      log,
      email: { crypto, linkBase: delivery.publicUrl ?? options.fallbackLinkBase },
      push: { knex, crypto, ...gated },
    },
    databaseUrl: options.databaseUrl,
    log,
    onSwap: (channel, provider) => deliveryWorker.useProvider(channel, provider),
  });
  const deliveryWorker = startDeliveryWorker({
    knex,
    crypto,
    providers: providers.current(),
    log,
    workerId: options.workerId,
    ...delivery.worker,
    ...gated,
  });
  wakeDelivery = deliveryWorker.wake;
  // Other processes on the same PostgreSQL NOTIFY when they make users due or queue messages.
  const due = options.databaseUrl
    ? listenForWork(
        options.databaseUrl,
        { due: ticker.nudge, outbox: deliveryWorker.wake },
        { onError: (err) => log.warn({ err }, "due-channel listener: reconnecting") },
      )
    : null;
  return {
    nudgeTicker: ticker.nudge,
    async stop() {
      await due?.close();
      await ticker.stop();
      await dateScanner.stop();
      await audienceScanner.stop();
      await providers.stop();
      await deliveryWorker.stop();
      for (const provider of new Set(Object.values(providers.current()))) provider?.close?.();
    },
  };
}
