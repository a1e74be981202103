import type { Knex } from "knex";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { BatchStats } from "./runtime/ticker.ts";

/**
 * Prometheus metrics. Counters are per process (each server or worker exposes its own); the
 * gauges read from the database at scrape time, so they are the same whichever process is
 * scraped: queue lag and messages by status are properties of the shared database.
 */
export function createMetrics(knex: Knex) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "waymark_process_" });
  const ticks = new Counter({
    name: "waymark_ticker_batches_total",
    help: "Ticker batches committed",
    registers: [registry],
  });
  const moved = new Counter({
    name: "waymark_ticker_users_moved_total",
    help: "Enrollments stepped by the ticker",
    registers: [registry],
  });
  const enqueued = new Counter({
    name: "waymark_ticker_messages_enqueued_total",
    help: "Messages written to the outbox",
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: "waymark_ticker_batch_size",
    help: "Enrollments per ticker batch",
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000],
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: "waymark_ticker_batch_seconds",
    help: "Ticker batch duration",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: "waymark_ticker_queue_lag_seconds",
    help: "How overdue the oldest due enrollment is (0 when nothing is due)",
    registers: [registry],
    async collect() {
      const row = (await knex("enrollment_wakeups")
        .where("wake_at", "<", knex.raw("'infinity'"))
        .andWhere("held", false)
        .min("wake_at as oldest")
        .first()) as { oldest: Date | null } | undefined;
      const oldest = row?.oldest ? new Date(row.oldest).getTime() : null;
      this.set(oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
    },
  });
  new Gauge({
    name: "waymark_messages",
    help: "Outbox messages by channel and status",
    labelNames: ["channel", "status"],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = (await knex("messages")
        .select("channel", "status")
        .count("* as n")
        .groupBy("channel", "status")) as {
        channel: string;
        status: string;
        n: string | number;
      }[];
      for (const r of rows) this.set({ channel: r.channel, status: r.status }, Number(r.n));
    },
  });
  new Gauge({
    name: "waymark_enrollments_active",
    help: "Active enrollments by journey",
    labelNames: ["journey"],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = (await knex("enrollments")
        .where({ status: "active" })
        .select("journey_id")
        .count("* as n")
        .groupBy("journey_id")) as {
        journey_id: string;
        n: string | number;
      }[];
      for (const r of rows) this.set({ journey: r.journey_id }, Number(r.n));
    },
  });
  return {
    registry,
    /** The ticker's onBatch hook. */
    observeBatch(stats: BatchStats) {
      if (stats.claimed === 0) return;
      ticks.inc();
      moved.inc(stats.claimed);
      enqueued.inc(stats.messages);
      batchSize.observe(stats.claimed);
      batchSeconds.observe(stats.ms / 1000);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
