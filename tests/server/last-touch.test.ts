import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { providerTook } from "../helpers/provider-took.ts";

// 2026-03-02 10:00 in Shanghai: inside the sending window.
const START = "2026-03-02T02:00:00Z";
const HOUR = 3_600_000;

/**
 * Issue #16: "Last touch" showed 0 despite conversions. Most journeys end right after their last
 * send (send → exit), and the purchase comes later, when the enrollment has ended: the engine
 * credits a goal only while the enrollment runs, so nothing was ever credited. Results count a
 * conversion within the goal window after a send to that send (the enrollment's last one
 * before it) whether or not the enrollment was still running.
 */
const JOURNEY = {
  format: "waymark/journey@1",
  id: "nudge",
  name: "Nudge",
  settings: { goal: { event: "purchased", within: "P7D" } },
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "browsed" } },
    {
      id: "sms1",
      type: "send",
      send: { channel: "sms", category: "promotional", template: "Still thinking about it?" },
    },
    { id: "gap", type: "wait", wait: { kind: "duration", duration: "PT2H" } },
    {
      id: "sms2",
      type: "send",
      send: { channel: "sms", category: "promotional", template: "10% off, today only" },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "sms1" },
    { from: "sms1", to: "gap" },
    { from: "gap", to: "sms2" },
    { from: "sms2", to: "done" },
  ],
};

interface Send {
  nodeId: string;
  recipients: number;
  attributed: { count: number; rate: number | null } | null;
  converted: { day: number; count: number }[] | null;
}

describe.each(databaseKinds)("last-touch credit after the journey ended, on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock(START);
  const headers = () => ({
    authorization: `Bearer ${app.secretKey}`,
    "content-type": "application/json",
  });

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    for (const path of ["/api/journeys", "/api/journeys/nudge/publish"]) {
      const res = await fetch(app.url + path, {
        method: "POST",
        headers: headers(),
        body: JSON.stringify(path.endsWith("publish") ? {} : JOURNEY),
      });
      expect(res.status, path).toBeLessThan(300);
    }
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const results = async () => {
    const res = await fetch(`${app.url}/api/journeys/nudge/results`, { headers: headers() });
    expect(res.status).toBe(200);
    return ((await res.json()) as { sends: Send[] }).sends;
  };
  const person = async (userId: string) => {
    await app.ingest("/v1/identify", {
      userId,
      traits: { phone: "+8613812345678", timezone: "Asia/Shanghai" },
      consent: { sms: { promotional: true } },
    });
    await app.ingest("/v1/track", { userId, event: "browsed", messageId: `b-${userId}` });
  };

  it("credits a purchase after the journey ended to the last send before it", async () => {
    clock.set(START);
    // a: buys between the two sends; b: buys after both, when the journey is over;
    // c: never buys; d: buys 8 days after, outside the goal window.
    for (const u of ["a", "b", "c", "d"]) await person(u);
    expect((await app.tick()).messages).toBe(4);
    expect(await providerTook(db.knex, "nudge", clock.now())).toBe(4);
    clock.advance(HOUR);
    await app.ingest("/v1/track", { userId: "a", event: "purchased", messageId: "p-a" });
    await app.tick();
    clock.advance(HOUR);
    expect((await app.tick()).messages).toBe(4);
    expect(await providerTook(db.knex, "nudge", clock.now())).toBe(4);
    const ended = await db
      .knex("enrollments")
      .whereNot({ status: "active" })
      .count("* as n")
      .first();
    expect(Number(ended?.n)).toBe(4);
    clock.advance(3 * HOUR);
    await app.ingest("/v1/track", { userId: "b", event: "purchased", messageId: "p-b" });
    await app.tick();
    clock.advance(8 * 24 * HOUR);
    await app.ingest("/v1/track", { userId: "d", event: "purchased", messageId: "p-d" });
    await app.tick();

    const sends = await results();
    const sms1 = sends.find((s) => s.nodeId === "sms1");
    const sms2 = sends.find((s) => s.nodeId === "sms2");
    // a bought after sms1 and before sms2: sms1's credit. b bought after both: sms2's.
    expect(sms1?.recipients).toBe(4);
    expect(sms1?.attributed).toEqual({ count: 1, rate: 0.25 });
    expect(sms2?.recipients).toBe(4);
    expect(sms2?.attributed).toEqual({ count: 1, rate: 0.25 });
    // Conversions by day still count every purchase in the window after each send.
    expect(sms1?.converted?.find((c) => c.day === 0)?.count).toBe(2);
    expect(sms2?.converted?.find((c) => c.day === 0)?.count).toBe(1);
  });

  it("credits one conversion per enrollment, the first goal event only", async () => {
    clock.advance(HOUR);
    await app.ingest("/v1/track", { userId: "b", event: "purchased", messageId: "p-b2" });
    await app.tick();
    const sends = await results();
    expect(sends.find((s) => s.nodeId === "sms2")?.attributed?.count).toBe(1);
    expect(sends.find((s) => s.nodeId === "sms1")?.attributed?.count).toBe(1);
  });
});
