import { Analytics } from "@segment/analytics-node";
import { pct } from "./server.ts";

/**
 * `clients` real analytics-node clients in this process, each sending its share of `events`
 * tracks for `users` users picked at random, as fast as the client and the server allow, with
 * the SDK's default settings but flushAt. Each client keeps at most IN_FLIGHT requests' worth
 * of events between the call and the server's answer to the request carrying it (counted
 * through the SDK's own fetch, which also times every request): an application producing
 * events while its earlier flushes are in flight, closed-loop, so the throughput measured is
 * the server's, not a backlog's. (The SDK's callbacks cannot pace it: analytics-core delays
 * each to 300 ms after the call.) An event counts as delivered when its callback reports no
 * error. (Worker threads per client were tried: on 2 cores they only added contention.)
 */
const IN_FLIGHT = 4;

export interface LoadResult {
  sent: number;
  failed: number;
  seconds: number;
  requests: number;
  statuses: Map<number, number>;
  p50: number;
  p99: number;
  /** CPU the clients (this process) spent per event, µs: on 2 cores, CPU the server lacks. */
  clientCpuUs: number;
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
  let sent = 0;
  let failed = 0;
  const perClient = Math.ceil(options.events / options.clients);
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: options.clients }, async (_, c) => {
      let pending = 0;
      let wake: (() => void) | null = null;
      const timedFetch = async (url: string, init: RequestInit & { body: string }) => {
        const t = performance.now();
        const res = await fetch(url, init);
        latencies.push(performance.now() - t);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 200) {
          pending -= (JSON.parse(init.body) as { batch: unknown[] }).batch.length;
          const w = wake;
          wake = null;
          w?.();
        }
        return res;
      };
      const analytics = new Analytics({
        writeKey: options.writeKey,
        host: options.url,
        flushAt: options.flushAt,
        httpClient: timedFetch as never,
      });
      const cap = options.flushAt * (IN_FLIGHT + 1);
      const count = Math.max(0, Math.min(perClient, options.events - c * perClient));
      for (let i = 0; i < count; i++) {
        while (pending >= cap) await new Promise<void>((r) => (wake = r));
        pending++;
        analytics.track(
          {
            userId: `user-${Math.floor(Math.random() * options.users)}`,
            event: EVENT_NAMES[i % EVENT_NAMES.length] ?? "viewed_product",
            messageId: `${options.runId}-${c}-${i}`,
            properties: { sku: `SKU-${i % 500}`, price: (i % 97) + 0.99, source: "bench" },
          },
          (err) => {
            if (err) failed++;
            else sent++;
          },
        );
      }
      await analytics.closeAndFlush({ timeout: 600_000 });
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  return {
    sent,
    failed,
    seconds,
    requests: latencies.length,
    statuses,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    clientCpuUs: Math.round((used.user + used.system) / Math.max(1, options.events)),
  };
}
