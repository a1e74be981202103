import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Journey } from "../../engine/format/journey.ts";
import { simulateMany } from "../../engine/index.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { promoBlast } from "../helpers/journeys.ts";

// 2026-03-02 10:00 in Shanghai: inside the sending window.
const START = "2026-03-02T02:00:00Z";
const HOUR = 3_600_000;

type Applies = "other_journeys" | "all_journeys";

/**
 * Issue 16's journey, shortened: SMS → Cooldown 7 days (promotional) → wait an hour → SMS.
 * With `other_journeys` the second SMS goes; other journeys' promotional SMS do not.
 */
const winback = (id: string, applies: Applies) => ({
  format: "waymark/journey@1",
  id,
  name: `Win-back ${id}`,
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: `${id}_go` } },
    {
      id: "sms1",
      type: "send",
      send: { channel: "sms", category: "promotional", template: "We miss you" },
    },
    { id: "cool", type: "cooldown", cooldown: { duration: "P7D", scope: "promotional", applies } },
    { id: "wait", type: "wait", wait: { kind: "duration", duration: "PT1H" } },
    {
      id: "sms2",
      type: "send",
      send: { channel: "sms", category: "promotional", template: "20% off, today only" },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "sms1" },
    { from: "sms1", to: "cool" },
    { from: "cool", to: "wait" },
    { from: "wait", to: "sms2" },
    { from: "sms2", to: "done" },
  ],
});

describe.each(databaseKinds)("a cooldown node's `applies` in the ticker on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock(START);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    const docs = [
      winback("wb-other", "other_journeys"),
      winback("wb-all", "all_journeys"),
      promoBlast("promo"),
    ];
    for (const j of docs) {
      await createJourney(db.knex, j, null);
      await publishJourney(db.knex, j.id, null);
    }
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const track = async (userId: string, event: string) => {
    const r = await app.ingest("/v1/track", { userId, event, messageId: `${userId}-${event}` });
    expect(r.status).toBe(200);
  };

  /** Sent and suppressed steps, in order, as `journey:node:outcome`. */
  const outcome = async (contactId: number) => {
    const rows = (await db
      .knex("enrollment_log")
      .where({ contact_id: contactId })
      .whereIn("type", ["sent", "suppressed"])
      .orderBy("id")
      .select("journey_id", "node_id", "type", "reason")) as {
      journey_id: string;
      node_id: string;
      type: string;
      reason: string | null;
    }[];
    return rows.map(
      (r) => `${r.journey_id}:${r.node_id}:${r.type}${r.reason ? `:${r.reason}` : ""}`,
    );
  };

  const run = async (journeyId: string) => {
    clock.set(START);
    const userId = `u-${journeyId}`;
    const identified = await app.ingest("/v1/identify", {
      userId,
      traits: { phone: "+8613812345678", timezone: "Asia/Shanghai" },
      consent: { sms: { promotional: true } },
    });
    expect(identified.status).toBe(200);
    await track(userId, `${journeyId}_go`);
    await app.tick(); // sms1 sent, cooldown recorded, waiting an hour
    clock.advance(10 * 60_000);
    await track(userId, "promo_ready");
    await app.tick(); // another journey's promotional SMS, inside the cooldown
    clock.advance(HOUR);
    await app.tick(); // this journey's second SMS
    const row = (await db.knex("contacts").where({ external_id: userId }).first("id")) as {
      id: string | number;
    };
    return Number(row.id);
  };

  /** The same contact, journeys and events through the simulator. */
  const simulated = (journeyId: string, applies: Applies) => {
    const t0 = Date.parse(START);
    const r = simulateMany(
      [winback(journeyId, applies), promoBlast("promo")] as unknown as Journey[],
      {
        id: "c",
        timezone: "Asia/Shanghai",
        phone: "+8613812345678",
        consent: { sms: { promotional: true } },
      },
      [
        { at: t0, name: `${journeyId}_go` },
        { at: t0 + 10 * 60_000, name: "promo_ready" },
      ],
      { from: t0, until: t0 + 2 * HOUR },
    );
    return r.timeline
      .filter((e) => e.type === "sent" || e.type === "suppressed")
      .map((e) => `${e.journeyId}:${e.nodeId}:${e.type}${"reason" in e ? `:${e.reason}` : ""}`);
  };

  it("other_journeys: this journey's second SMS is sent, the other journey's promotional SMS is suppressed", async () => {
    const id = await run("wb-other");
    const expected = ["wb-other:sms1:sent", "promo:sms:suppressed:cooldown", "wb-other:sms2:sent"];
    expect(await outcome(id)).toEqual(expected);
    expect(simulated("wb-other", "other_journeys")).toEqual(expected);
    const messages = await db
      .knex("messages")
      .where({ contact_id: id })
      .orderBy("id")
      .pluck("node_id");
    expect(messages).toEqual(["sms1", "sms2"]);
    const cooldowns = await db
      .knex("contact_cooldowns")
      .where({ contact_id: id })
      .select("scope", "applies", "journey_id", "node_id");
    expect(cooldowns).toEqual([
      { scope: "promotional", applies: "other_journeys", journey_id: "wb-other", node_id: "cool" },
    ]);
  });

  it("all_journeys: both the other journey's and this journey's own SMS are suppressed", async () => {
    const id = await run("wb-all");
    const expected = [
      "wb-all:sms1:sent",
      "promo:sms:suppressed:cooldown",
      "wb-all:sms2:suppressed:cooldown",
    ];
    expect(await outcome(id)).toEqual(expected);
    expect(simulated("wb-all", "all_journeys")).toEqual(expected);
  });
});
