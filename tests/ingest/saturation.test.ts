import { Analytics } from "@segment/analytics-node";
import knex from "knex";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTransient, Overloaded } from "../../server/ingest/writer.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

/**
 * A saturated database: a request that cannot start writing within its wait budget is answered
 * 503 with Retry-After before anything is written (both SDKs retry it), instead of being
 * accepted and timing out later; a 200 is only ever sent after the commit.
 */

describe.each(databaseKinds)("ingest when the database is saturated, on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const seen: { status: number; retryAfter: string | null }[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(
      db,
      manualClock(Date.now()),
      {},
      {
        ingest: { concurrency: 1, maxWaitMs: 1500, maxGroup: 4 },
      },
    );
    app.http.on("request", (req, res) => {
      if (!req.url?.startsWith("/v1/")) return;
      res.on("finish", () => {
        const h = res.getHeader("retry-after");
        seen.push({ status: res.statusCode, retryAfter: h === undefined ? null : String(h) });
      });
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("answers 503 with Retry-After while writes are blocked, and the SDK's retry lands everything once", async () => {
    const warm = await app.ingest("/v1/track", { userId: "sat-0", event: "e" });
    expect(warm.status).toBe(200);
    // Another session holds the events table: every ingest transaction blocks on its insert (on
    // PGlite, the session holds the only connection).
    const blocker = await db.knex.transaction();
    await blocker.raw("lock table events in exclusive mode");
    const auth = `Basic ${Buffer.from(`${app.writeKey}:`).toString("base64")}`;
    const post = (messageId: string) =>
      fetch(`${app.url}/v1/batch`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: auth },
        body: JSON.stringify({
          batch: [{ type: "track", userId: "sat-1", event: "e", messageId }],
        }),
      });
    // The first request takes the one lane and waits on the lock; the second waits for the
    // lane past its budget (1.5 s).
    const first = post("sat-a");
    await new Promise((r) => setTimeout(r, 100));
    const second = await post("sat-b");
    expect(second.status).toBe(503);
    expect(second.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe("unavailable");

    // The real SDK meets the same 503, backs off and retries.
    const analytics = new Analytics({ writeKey: app.writeKey, host: app.url, flushAt: 1 });
    let delivered = 0;
    analytics.track({ userId: "sat-1", event: "e", messageId: "sat-sdk" }, (err) => {
      if (!err) delivered++;
    });
    await new Promise((r) => setTimeout(r, 1700));
    await blocker.commit();
    expect((await first).status).toBe(200);
    await analytics.closeAndFlush({ timeout: 30_000 });
    expect(delivered).toBe(1);
    expect(seen.filter((s) => s.status === 503).length).toBeGreaterThanOrEqual(2);
    expect(seen.every((s) => s.status !== 503 || s.retryAfter !== null)).toBe(true);
    const stored = await db
      .knex("events")
      .whereIn("message_id", ["sat-a", "sat-b", "sat-sdk"])
      .orderBy("message_id")
      .pluck("message_id");
    // The refused request wrote nothing; the others are stored once.
    expect(stored).toEqual(["sat-a", "sat-sdk"]);
  });
});

const quiet = { warn() {}, error() {}, debug() {}, deprecate() {} };

describe.each(databaseKinds)("admission before the body is read, on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(
      db,
      manualClock(Date.now()),
      {},
      {
        ingest: { concurrency: 1, maxWaitMs: 5000, maxGroup: 4 },
      },
    );
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("refuses at once, without waiting out the 5 s budget, when the queue already holds more than it can write", async () => {
    expect((await app.ingest("/v1/track", { userId: "adm-0", event: "e" })).status).toBe(200);
    const blocker = await db.knex.transaction();
    await blocker.raw("lock table events in exclusive mode");
    const auth = `Basic ${Buffer.from(`${app.writeKey}:`).toString("base64")}`;
    const post = async (n: number, tag: string) => {
      const t = performance.now();
      const res = await fetch(`${app.url}/v1/batch`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: auth },
        body: JSON.stringify({
          batch: Array.from({ length: n }, (_, i) => ({
            type: "track",
            userId: "adm-1",
            event: "e",
            messageId: `${tag}-${i}`,
          })),
        }),
      });
      await res.arrayBuffer();
      return {
        status: res.status,
        ms: performance.now() - t,
        retryAfter: res.headers.get("retry-after"),
      };
    };
    const inLane = post(1, "lane");
    await new Promise((r) => setTimeout(r, 100));
    // 5,000 calls may wait (admission's floor); the next request is refused at once.
    const waiting = [post(2500, "w1"), post(2500, "w2")];
    await new Promise((r) => setTimeout(r, 200));
    const refused = await post(4, "refused");
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toMatch(/^\d+$/);
    expect(refused.ms).toBeLessThan(2500);
    await blocker.commit();
    expect((await inLane).status).toBe(200);
    expect((await Promise.all(waiting)).map((w) => w.status)).toEqual([200, 200]);
    const stored = await db
      .knex("events")
      .where("message_id", "like", "refused-%")
      .count("* as n")
      .first();
    expect(Number(stored?.n)).toBe(0);
  });
});

describe("what counts as a saturated or unreachable database", () => {
  it("the pool's acquire timeout, a refused connection and our own overload are transient; a bug is not", async () => {
    const pool = knex({
      client: "pg",
      connection: process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 100,
      log: quiet,
    });
    const refused = knex({
      client: "pg",
      connection: "postgres://postgres@127.0.0.1:1/none",
      pool: { min: 0, max: 1 },
      log: quiet,
    });
    try {
      const held = await pool.transaction();
      const timeout = await pool.raw("select 1").catch((e: unknown) => e);
      await held.rollback().catch(() => {});
      expect(isTransient(timeout)).toBe(true);
      const down = await refused.raw("select 1").catch((e: unknown) => e);
      expect(isTransient(down)).toBe(true);
      expect(isTransient(new Overloaded(2))).toBe(true);
      expect(isTransient(new TypeError("x is undefined"))).toBe(false);
    } finally {
      await pool.destroy();
      await refused.destroy();
    }
  });
});
