import { Analytics } from "@segment/analytics-node";
import knex from "knex";
import { afterEach, describe, expect, it } from "vitest";
import { connect, type Database } from "../../server/db/connect.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { type RunningTicker, startTicker } from "../../server/runtime/ticker.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { createPostgresDatabase } from "../helpers/databases.ts";

/**
 * PostgreSQL under concurrency: many ingest transactions at once (8 lanes), the ticker stepping
 * the same contacts meanwhile, batches naming the same contacts in opposite orders. Every
 * acknowledged event is stored exactly once, and PostgreSQL detects no deadlock in the test's
 * database (pg_stat_database.deadlocks, read after every backend has exited and flushed its
 * statistics) — retries would hide a deadlock from the client, the counter does not.
 */

const THANKS = {
  format: "waymark/journey@1",
  id: "thanks",
  name: "Thank buyers",
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "visited" } },
    { id: "bought", type: "branch", branch: { kind: "event", event: "purchased", within: "P1D" } },
    {
      id: "thank",
      type: "send",
      send: { channel: "sms", category: "transactional", template: "Thanks {{ user.firstName }}!" },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "bought" },
    { from: "bought", to: "thank", path: "yes" },
    { from: "bought", to: "done", path: "no" },
    { from: "thank", to: "done" },
  ],
};

const admin = process.env.TEST_DATABASE_URL;

describe.skipIf(!admin)("ingest on PostgreSQL under concurrency", () => {
  let db: Database | undefined;
  let app: TestApp | undefined;
  let ticker: RunningTicker | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await ticker?.stop();
    await app?.close();
    await db?.close();
    await drop?.();
    ticker = undefined;
    app = undefined;
    db = undefined;
  });

  async function setUp() {
    const created = await createPostgresDatabase();
    drop = created.drop;
    db = await connect({ url: created.url, poolMax: 14 });
    const clock = { now: () => new Date() };
    app = await startTestApp(db, clock, {}, { ingest: { concurrency: 8, maxGroup: 300 } });
    await createJourney(db.knex, THANKS, null);
    await publishJourney(db.knex, THANKS.id, null);
    ticker = startTicker({
      knex: db.knex,
      crypto: app.crypto,
      policy: policyCache(db.knex, "UTC", 0),
      linkBase: app.url,
      batchSize: 200,
      concurrency: 2,
      pollMs: 20,
    });
    return { name: new URL(created.url).pathname.slice(1), db, app };
  }

  /** Deadlocks PostgreSQL detected in the database, once all its backends have exited. */
  async function deadlocksIn(name: string): Promise<number> {
    await ticker?.stop();
    ticker = undefined;
    await app?.close();
    app = undefined;
    await db?.close();
    db = undefined;
    const a = knex({ client: "pg", connection: admin, pool: { min: 0, max: 1 } });
    try {
      // Backends flush their statistics as they exit; give the last ones a moment.
      for (let i = 0; i < 20; i++) {
        const { rows } = (await a.raw(
          "select count(*)::int as n from pg_stat_activity where datname = ?",
          [name],
        )) as { rows: { n: number }[] };
        if (rows[0]?.n === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const { rows } = (await a.raw("select deadlocks from pg_stat_database where datname = ?", [
        name,
      ])) as { rows: { deadlocks: string | number }[] };
      return Number(rows[0]?.deadlocks ?? -1);
    } finally {
      await a.destroy();
    }
  }

  it("batches touching the same contacts in opposite orders, with the ticker running: each event once, no deadlock", async () => {
    const { name, db: database, app: server } = await setUp();
    const users = 200;
    const rounds = 8;
    const auth = `Basic ${Buffer.from(`${server.writeKey}:`).toString("base64")}`;
    const statuses: number[] = [];
    const sender = async (side: string, ascending: boolean) => {
      for (let round = 0; round < rounds; round++) {
        const items: unknown[] = [];
        for (let k = 0; k < users; k++) {
          const i = ascending ? k : users - 1 - k;
          items.push({
            type: "identify",
            userId: `o-${i}`,
            traits: { firstName: `N${i}`, lastSide: side, round, phone: "+12025550100" },
          });
          items.push({
            type: "track",
            userId: `o-${i}`,
            event: round === 0 ? "visited" : "purchased",
            messageId: `${side}-${round}-${i}`,
          });
        }
        const res = await fetch(`${server.url}/v1/batch`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: auth },
          body: JSON.stringify({ batch: items }),
        });
        statuses.push(res.status);
        const body = (await res.json()) as { accepted: number; rejected: unknown[] };
        expect(body).toMatchObject({ accepted: items.length, rejected: [] });
      }
    };
    await Promise.all([
      sender("up-a", true),
      sender("down-a", false),
      sender("up-b", true),
      sender("down-b", false),
    ]);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const stored = await database
      .knex("events")
      .count("* as n")
      .countDistinct("message_id as d")
      .first();
    expect(Number(stored?.n)).toBe(4 * rounds * users);
    expect(Number(stored?.d)).toBe(4 * rounds * users);
    expect(Number((await database.knex("contacts").count("* as n").first())?.n)).toBe(users);
    expect(await deadlocksIn(name)).toBe(0);
  });

  it("20,000 events through 8 concurrent analytics-node clients: acknowledged = stored, once each, no deadlock", async () => {
    const { name, db: database, app: server } = await setUp();
    const events = 20_000;
    const clients = 8;
    let acked = 0;
    let identifies = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        const analytics = new Analytics({
          writeKey: server.writeKey,
          host: server.url,
          flushAt: 100,
        });
        let outstanding = 0;
        let wake: (() => void) | null = null;
        const done = (kind: "track" | "identify") => (err?: unknown) => {
          if (err) failed++;
          else if (kind === "track") acked++;
          else identifies++;
          outstanding--;
          const w = wake;
          wake = null;
          w?.();
        };
        for (let i = 0; i < events / clients; i++) {
          while (outstanding >= 400) await new Promise<void>((r) => (wake = r));
          const userId = `r-${Math.floor(Math.random() * 2000)}`;
          if (i % 10 === 0) {
            outstanding++;
            analytics.identify(
              { userId, traits: { firstName: `F${i}`, client: c, phone: "+12025550100" } },
              done("identify"),
            );
          }
          outstanding++;
          analytics.track(
            {
              userId,
              event: i % 50 === 0 ? "visited" : i % 7 === 0 ? "purchased" : "viewed_product",
              messageId: `c${c}-${i}`,
              properties: { i },
            },
            done("track"),
          );
        }
        await analytics.closeAndFlush({ timeout: 120_000 });
      }),
    );
    expect(failed).toBe(0);
    expect(acked).toBe(events);
    expect(identifies).toBe(events / 10);
    const stored = await database
      .knex("events")
      .count("* as n")
      .countDistinct("message_id as d")
      .first();
    expect(Number(stored?.n)).toBe(acked);
    expect(Number(stored?.d)).toBe(acked);
    expect(await deadlocksIn(name)).toBe(0);
  }, 180_000);
});
