import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archiveJourney } from "../../server/journeys/status.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { createApiKey } from "../../server/keys/api-keys.ts";
import { createLogger } from "../../server/log.ts";
import { attachRealtime } from "../../server/realtime/index.ts";
import type { CountsPayload } from "../../server/realtime/protocol.ts";
import { manualClock } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { watchGate } from "../helpers/gate-watch.ts";
import { cartReminder } from "../helpers/journeys.ts";
import { type Client, closeClients, connect, eventually, record, subscribe } from "./clients.ts";
import { type RealtimeApp, startRealtimeApp } from "./harness.ts";

const START = "2026-03-02T02:00:00Z"; // 10:00 in Shanghai: inside the sending window
const HOUR = 3_600_000;

/** What a client holds after applying the pushes in order: absolute counts, then deltas. */
function replay(events: CountsPayload[]): Record<string, number> | null {
  let counts: Record<string, number> | null = null;
  for (const e of events) {
    if (e.absolute) counts = { ...e.counts };
    else if (counts) {
      for (const [node, d] of Object.entries(e.deltas)) counts[node] = (counts[node] ?? 0) + d;
    }
  }
  return counts && Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
}

describe.each(databaseKinds)("journey rooms get node counts on %s", (kind) => {
  let db: TestDatabase;
  let server: RealtimeApp;
  let key: string;
  const clock = manualClock(START);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    server = await startRealtimeApp(db, clock);
    await createJourney(db.knex, cartReminder("cart-a"), null);
    await publishJourney(db.knex, "cart-a", null);
    await createJourney(db.knex, cartReminder("cart-b"), null);
    ({ key } = await createApiKey(db.knex, "secret", "counts test", null));
  });
  afterAll(async () => {
    closeClients();
    await server?.close();
    await db?.close();
  });

  const enter = async (userId: string) => {
    await server.app.ingest("/v1/identify", {
      userId,
      traits: { firstName: "Li", phone: "+8613812345678", timezone: "Asia/Shanghai" },
      consent: { sms: { promotional: true } },
    });
    await server.app.ingest("/v1/track", {
      userId,
      event: "cart_abandoned",
      messageId: `cart-${userId}`,
    });
  };
  // The brief's bootstrap query; once every enrollment has been stepped it equals snapshotCounts.
  const dbCounts = async () =>
    Object.fromEntries(
      (
        (await db
          .knex("enrollments")
          .where({ journey_id: "cart-a", status: "active" })
          .groupBy("current_node")
          .select("current_node", db.knex.raw("count(*)::int as n"))) as {
          current_node: string;
          n: number;
        }[]
      ).map((r) => [r.current_node, r.n]),
    );

  const watch = async () => {
    const socket = await connect(server.app.url, { auth: { token: key } });
    const counts = record(socket, "counts");
    expect(await subscribe(socket, { journey: "cart-a" })).toEqual({
      ok: true,
      room: "journey:cart-a",
    });
    return { socket, counts };
  };

  it("sends absolute counts on subscribe, then deltas that add up to the counts in the database", async () => {
    const early = await watch();
    expect(early.counts).toEqual([
      { journeyId: "cart-a", absolute: true, counts: {}, at: expect.any(String) },
    ]);
    for (let i = 0; i < 6; i++) await enter(`c${i}`);
    // Subscribed between ingest and the entry step: the parked enrollments are on no node yet.
    const late = await watch();
    expect(late.counts[0]).toMatchObject({ absolute: true, counts: {} });

    await server.tick();
    expect(await dbCounts()).toEqual({ wait1: 6 });
    for (const c of [early, late])
      await eventually(() => expect(replay(c.counts)).toEqual({ wait1: 6 }));
    expect(early.counts[1]).toEqual({
      journeyId: "cart-a",
      absolute: false,
      deltas: { wait1: 6 },
      at: expect.any(String),
    });

    clock.advance(HOUR);
    await server.tick(); // sends the SMS and waits for a click
    await server.app.ingest("/v1/track", {
      userId: "c0",
      event: "message.clicked",
      messageId: "k0",
      properties: { nodeId: "sms1" },
    });
    await server.app.ingest("/v1/track", {
      userId: "c1",
      event: "message.clicked",
      messageId: "k1",
      properties: { nodeId: "sms1" },
    });
    await server.tick(); // the two clickers branch to the exit and complete
    const expected = { clicked: 4 };
    expect(await dbCounts()).toEqual(expected);
    expect(await server.realtime.snapshotCounts("cart-a")).toEqual(expected);
    for (const c of [early, late])
      await eventually(() => expect(replay(c.counts)).toEqual(expected));
    // A newcomer starts from the same place the others arrived at.
    const newcomer = await watch();
    await eventually(() => expect(newcomer.counts).toHaveLength(1));
    expect(replay(newcomer.counts)).toEqual(expected);
  });

  it("coalesces many batches into a few pushes (at most one per 250 ms)", async () => {
    const { counts } = await watch();
    for (let i = 0; i < 20; i++) await enter(`d${i}`);
    await eventually(() => expect(counts).toHaveLength(1));
    const started = performance.now();
    for (let i = 0; i < 10; i++) await server.tick(2); // ten committed batches of two moves
    const elapsed = performance.now() - started;
    await eventually(() => expect(replay(counts)).toEqual({ clicked: 4, wait1: 20 }));
    const pushes = counts.length - 1;
    expect(pushes).toBeGreaterThanOrEqual(1);
    expect(pushes).toBeLessThanOrEqual(Math.floor(elapsed / 250) + 2);
  });

  it("sends one push for any number of moves within 250 ms", async () => {
    const socket: Client = await connect(server.app.url, { auth: { token: key } });
    const counts = record(socket, "counts");
    expect(await subscribe(socket, { journey: "cart-b" })).toMatchObject({ ok: true });
    const move = { journeyId: "cart-b", from: "wait1", to: "sms1" };
    for (let i = 0; i < 500; i++)
      server.realtime.publisher.publishBatch({ moves: [move], log: [] });
    await new Promise((done) => setTimeout(done, 400));
    const pushes = counts.filter((c) => !c.absolute);
    expect(pushes.length).toBeLessThanOrEqual(2);
    expect(replay(counts)).toEqual({ wait1: -500, sms1: 500 });
  });

  it("re-sends absolute counts, so changes made outside the ticker (archiving) reach clients", async () => {
    const http = createServer();
    await new Promise<void>((done) => http.listen(0, "127.0.0.1", done));
    // As the server wires PGlite: each room's read takes its turn in the lane.
    const watched = watchGate(db.knex);
    const realtime = await attachRealtime(http, {
      knex: db.knex,
      dbKind: db.kind,
      pgUrl: db.url,
      log: createLogger("silent"),
      resyncMs: 100,
      gate: watched.gate,
    });
    try {
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      const socket = await connect(url, { auth: { token: key } });
      const counts = record(socket, "counts");
      await subscribe(socket, { journey: "cart-a" });
      expect(replay(counts)).toEqual({ clicked: 4, wait1: 20 });
      await archiveJourney(db.knex, "cart-a"); // exits everyone in SQL, without the ticker
      await eventually(() => expect(replay(counts)).toEqual({}));
      expect(counts.at(-1)).toMatchObject({ absolute: true, counts: {} });
      expect(watched.turns()).toBeGreaterThan(0);
      expect(watched.nested).toEqual([]);
    } finally {
      watched.stop();
      await realtime.close();
      await new Promise((done) => http.close(done));
    }
  });
});
