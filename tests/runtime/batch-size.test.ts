import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BENCH_DUE, resetBench, seedBench } from "../../bench/ticker/fixture.ts";
import { connect, type Database } from "../../server/db/connect.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { fieldCrypto } from "../../server/privacy/keys.ts";
import { batchSizer } from "../../server/runtime/batch-size.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { startTicker } from "../../server/runtime/ticker.ts";

describe("batchSizer: the next batch's size from the time per user of the last full ones", () => {
  const options = { targetMs: 100, initial: 500, min: 50, max: 5000 };

  it("sizes a full batch to the target, and ignores short batches", () => {
    const sizer = batchSizer(options);
    expect(sizer.size()).toBe(500);
    sizer.observe(500, 250); // 0.5 ms per user
    expect(sizer.size()).toBe(200);
    // A short batch (nothing more was due) carries its fixed cost over fewer users.
    sizer.observe(20, 40);
    expect(sizer.size()).toBe(200);
    sizer.observe(200, 100);
    expect(sizer.size()).toBe(200);
  });

  it("moves a third of the way on one slow batch, and follows a lasting change", () => {
    const sizer = batchSizer({ ...options, initial: 1000 });
    sizer.observe(1000, 100); // 0.1 ms per user: 1,000 is right
    expect(sizer.size()).toBe(1000);
    sizer.observe(1000, 400); // a checkpoint: 0.4 ms per user once
    expect(sizer.size()).toBe(500); // estimate 0.2 ms, not 0.4
    for (let i = 0; i < 20; i++) sizer.observe(sizer.size(), sizer.size() * 0.4);
    expect(sizer.size()).toBe(250); // the host really is slower now
  });

  it("stays within its bounds", () => {
    const fast = batchSizer(options);
    for (let i = 0; i < 10; i++) fast.observe(fast.size(), fast.size() * 0.001);
    expect(fast.size()).toBe(5000);
    const slow = batchSizer(options);
    for (let i = 0; i < 10; i++) slow.observe(slow.size(), slow.size() * 50);
    expect(slow.size()).toBe(50);
  });
});

/**
 * The ticker on PGlite with `batchMs` (as `waymark start` runs it without WAYMARK_TICK_BATCH):
 * batches follow the time they take, and every due user is still stepped exactly once.
 */
describe("the PGlite ticker sizes its batches by time", () => {
  let db: Database;
  let template: Awaited<ReturnType<typeof seedBench>>["template"];
  const USERS = 1500;
  const crypto = fieldCrypto("x".repeat(32));

  beforeAll(async () => {
    db = await connect({ pgliteDir: "memory" });
    await migrateLatest(db.knex);
    ({ template } = await seedBench(db.knex, USERS));
  });
  afterAll(async () => {
    await db?.close();
  });

  /** Drains every user with the given sizing; returns each batch's claimed count. */
  async function drain(batchSize: number, batchMs: number): Promise<number[]> {
    await resetBench(db.knex, template);
    const claimed: number[] = [];
    await new Promise<void>((done) => {
      const ticker = startTicker({
        knex: db.knex,
        crypto,
        policy: policyCache(db.knex, "UTC", 60_000),
        linkBase: "http://127.0.0.1",
        batchSize,
        batchMs,
        pollMs: 5,
        exclusive: true,
        now: () => new Date(BENCH_DUE),
        onBatch: (s) => {
          claimed.push(s.claimed);
          if (claimed.reduce((a, b) => a + b, 0) >= USERS) void ticker.stop().then(done);
        },
      });
    });
    const messages = (await db.knex("messages").count("* as n").first()) as { n: string | number };
    expect(Number(messages.n)).toBe(USERS);
    return claimed.filter((n) => n > 0);
  }

  it("shrinks the batch when a batch takes longer than aimed for", async () => {
    // 400 users take far more than 5 ms on PGlite: the next batches are much smaller.
    const sizes = await drain(400, 5);
    expect(sizes[0]).toBe(400);
    expect(sizes[1]).toBeLessThanOrEqual(200);
    expect(sizes.length).toBeGreaterThan(4);
  });

  it("grows it when batches are far shorter than aimed for", async () => {
    // 100 users take far less than 10 s: the second batch takes everyone left.
    const sizes = await drain(100, 10_000);
    expect(sizes).toEqual([100, USERS - 100]);
  });
});
