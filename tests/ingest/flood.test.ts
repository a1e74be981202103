import { randomBytes } from "node:crypto";
import v8 from "node:v8";
import vm from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { tokenBuckets } from "../../server/http/rate-limit.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

/**
 * An unauthenticated flood of unique Authorization headers: the /v1 limiter used to keep one
 * bucket per raw header (4,000 requests of 15 KB grew the process by 160 MB). Buckets are now
 * keyed by the resolved key id, everything invalid shares one, and the map is bounded.
 * Measured on the real app over loopback: the JS heap in use after a full garbage collection,
 * before and after the flood (4,000 × 15 KB is 60 MB of header text: keeping any of it per
 * request would show).
 */

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
const heapUsed = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

describe("an unauthenticated header flood", () => {
  let db: TestDatabase | undefined;
  let app: TestApp | undefined;
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("keeps the bucket map bounded, whatever the keys", () => {
    let t = 0;
    const buckets = tokenBuckets({ perSecond: 1, burst: 1, maxKeys: 1000, now: () => t });
    for (let i = 0; i < 50_000; i++) buckets.take(`key-${i}-${"x".repeat(200)}`);
    expect(buckets.size()).toBeLessThanOrEqual(1001);
    // Past the bound, new keys share the overflow bucket: a flood is limited as one client.
    expect(buckets.take("fresh-key")).not.toBeNull();
    t += 61_000;
    expect(buckets.take("fresh-key")).toBeNull();
  });

  it("answers 4,000 unique 15 KB headers with 401/429 and leaves the heap where it was", async () => {
    db = await openTestDatabase("pglite");
    app = await startTestApp(db, manualClock(Date.now()));
    const url = app.url;
    const body = JSON.stringify({ batch: [{ type: "track", userId: "u", event: "e" }] });
    const flood = async (count: number) => {
      const statuses = new Map<number, number>();
      let next = 0;
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < count) {
            next++;
            // Half garbage, half well-formed write keys that do not exist.
            const header =
              next % 2
                ? `Basic ${randomBytes(11_000).toString("base64")}`
                : `Basic ${Buffer.from(`wk_${randomBytes(24).toString("base64url")}:${"p".repeat(14_000)}`).toString("base64")}`;
            const res = await fetch(`${url}/v1/batch`, {
              method: "POST",
              headers: {
                authorization: header.slice(0, 15_000),
                "content-type": "application/json",
              },
              body,
            });
            await res.arrayBuffer();
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          }
        }),
      );
      return statuses;
    };
    // Warm up the code paths first, so what follows measures the flood, not first use.
    await flood(400);
    const before = heapUsed();
    const statuses = await flood(4000);
    const after = heapUsed();
    expect([...statuses.keys()].sort()).toEqual([401, 429]);
    const grown = (after - before) / 2 ** 20;
    console.log(
      `header flood: heap ${(before / 2 ** 20).toFixed(1)} → ${(after / 2 ** 20).toFixed(1)} MB`,
    );
    expect(grown).toBeLessThan(8);
  }, 120_000);
});
