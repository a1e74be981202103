import { Analytics } from "@segment/analytics-node";
import { pct } from "./server.ts";

/**
 * `clients` real analytics-node clients, each sending its share of `events` tracks for `users`
 * users picked at random, as fast as the client and the server allow. A client keeps at most
 * four requests' worth of events outstanding (an application producing events while its
 * earlier flushes are in flight), so the load is closed-loop and what is measured is the
 * server's throughput, not the size of a backlog. Every request is timed through the SDK's
 * own fetch; an event counts as sent when the SDK reports it delivered.
 */
export interface LoadResult {
  sent: number;
  failed: number;
  seconds: number;
  requests: number;
  statuses: Map<number, number>;
  p50: number;
  p99: number;
}

export const EVENT_NAMES = ["viewed_product", "viewed_product", "viewed_product", "added_to_cart"];

export async function sdkLoad(options: {
  url: string;
  writeKey: string;
  users: number;
  events: number;
  clients: number;
  flushAt: number;
  runId: string;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const timedFetch = async (url: string, init: Parameters<typeof fetch>[1]) => {
    const t = performance.now();
    const res = await fetch(url, init);
    latencies.push(performance.now() - t);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    return res;
  };
  let sent = 0;
  let failed = 0;
  const perClient = Math.ceil(options.events / options.clients);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.clients }, async (_, c) => {
      const analytics = new Analytics({
        writeKey: options.writeKey,
        host: options.url,
        flushAt: options.flushAt,
        httpClient: timedFetch as never,
      });
      const cap = options.flushAt * 4;
      let outstanding = 0;
      let wake: (() => void) | null = null;
      const count = Math.min(perClient, options.events - c * perClient);
      for (let i = 0; i < count; i++) {
        while (outstanding >= cap) await new Promise<void>((r) => (wake = r));
        outstanding++;
        const user = Math.floor(Math.random() * options.users);
        analytics.track(
          {
            userId: `user-${user}`,
            event: EVENT_NAMES[i % EVENT_NAMES.length] ?? "viewed_product",
            messageId: `${options.runId}-${c}-${i}`,
            properties: { sku: `SKU-${i % 500}`, price: (i % 97) + 0.99, source: "bench" },
          },
          (err) => {
            if (err) failed++;
            else sent++;
            outstanding--;
            const w = wake;
            wake = null;
            w?.();
          },
        );
      }
      await analytics.closeAndFlush({ timeout: 600_000 });
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    sent,
    failed,
    seconds,
    requests: latencies.length,
    statuses,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
  };
}
