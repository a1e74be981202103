import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

/**
 * Issue #16 "Live counts": GET /api/journeys/:id/today, per node, for the workspace's day.
 * Contacts go through trigger → SMS → exit across two days with the workspace in Asia/Shanghai
 * (UTC+8): yesterday's entry and deferral are left out, a pass at 01:00 Shanghai (the previous
 * UTC day) is in, a contact deferred yesterday and sent today counts as sent but not as
 * entered. Every number is checked against the stored rows (messages, the timeline) and the
 * results page's daily series for the same date.
 */
const JOURNEY = {
  format: "waymark/journey@1",
  id: "today-j",
  name: "Today",
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "sale" } },
    {
      id: "sms",
      type: "send",
      send: { channel: "sms", category: "promotional", template: "Sale today" },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "sms" },
    { from: "sms", to: "done" },
  ],
};

interface NodeToday {
  entered: number;
  sent: number;
  suppressed: number;
  deferred: number;
  suppressedBy: Record<string, number>;
  deferredBy: Record<string, number>;
}
interface Today {
  zone: string;
  date: string;
  since: string;
  liveNodes: string[] | null;
  nodes: Record<string, NodeToday>;
}

describe.each(databaseKinds)("today's counts per node, on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  // 23:00 on 1 March in Shanghai.
  const clock = manualClock("2026-03-01T15:00:00Z");
  const call = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
    app.call<T>(method, path, body);
  const enter = async (userId: string, zone: string, consent: boolean) => {
    const id = await app.ingest("/v1/identify", {
      userId,
      traits: { phone: "+12025550100", timezone: zone },
      ...(consent ? { consent: { sms: { promotional: true } } } : {}),
    });
    expect(id.status).toBe(200);
    const tr = await app.ingest("/v1/track", {
      userId,
      event: "sale",
      messageId: `sale-${userId}`,
    });
    expect(tr.status).toBe(200);
  };

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    const settings = await call<{ policy: Record<string, unknown> }>("GET", "/api/settings");
    const put = await call("PUT", "/api/settings", {
      policy: { ...settings.body.policy, workspaceTimezone: "Asia/Shanghai" },
    });
    expect(put.status).toBe(200);
    expect((await call("POST", "/api/journeys", JOURNEY)).status).toBe(201);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("answers nothing live and no counts before publishing; 404 for an unknown journey", async () => {
    const r = await call<Today>("GET", "/api/journeys/today-j/today");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ zone: "Asia/Shanghai", date: "2026-03-01", liveNodes: null });
    expect(r.body.nodes).toEqual({});
    expect((await call("GET", "/api/journeys/nope/today")).status).toBe(404);
  });

  it("counts the workspace's day: entered, sent, suppressed and deferred by reason, as stored", async () => {
    expect((await call("POST", "/api/journeys/today-j/publish")).status).toBe(200);
    // Yesterday in Shanghai (23:00): y1 is deferred by quiet hours until 08:00.
    await enter("y1", "Asia/Shanghai", true);
    await app.tick();
    // 01:00 on 2 March in Shanghai, still 1 March in UTC: z1 (noon in New York) has no consent.
    clock.set("2026-03-01T17:00:00Z");
    await enter("z1", "America/New_York", false);
    await app.tick();
    // 10:00 in Shanghai: y1's deferral ends and it is sent; t1, t2 (Shanghai) are sent; d1
    // (02:00 in London) is deferred.
    clock.set("2026-03-02T02:00:00Z");
    await app.tick();
    for (const u of ["t1", "t2"]) await enter(u, "Asia/Shanghai", true);
    await enter("d1", "Europe/London", true);
    await app.tick();
    await app.tick();

    const r = await call<Today>("GET", "/api/journeys/today-j/today");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      zone: "Asia/Shanghai",
      date: "2026-03-02",
      since: "2026-03-01T16:00:00.000Z",
      liveNodes: ["start", "sms", "done"],
    });
    expect(r.body.nodes.start).toMatchObject({ entered: 4, sent: 0 });
    expect(r.body.nodes.sms).toEqual({
      // z1, t1, t2, d1 reached it today; y1 reached it yesterday and went out today.
      entered: 4,
      sent: 3,
      suppressed: 1,
      deferred: 1,
      suppressedBy: { no_consent: 1 },
      deferredBy: { quiet_hours: 1 },
    });
    expect(r.body.nodes.done).toMatchObject({ entered: 4 });

    // The stored rows agree: messages of the node since local midnight, the timeline's reasons.
    const since = new Date(r.body.since);
    const stored = (await db
      .knex("messages")
      .where({ journey_id: "today-j", node_id: "sms", is_test: false })
      .where("created_at", ">=", since)
      .count("* as n")
      .first()) as { n: string | number };
    expect(Number(stored.n)).toBe(3);
    const log = (await db
      .knex("enrollment_log")
      .where({ journey_id: "today-j", node_id: "sms" })
      .where("at", ">=", since)
      .whereIn("type", ["suppressed", "deferred"])
      .select("type", "reason")
      .orderBy("type")) as { type: string; reason: string }[];
    expect(log).toEqual([
      { type: "deferred", reason: "quiet_hours" },
      { type: "suppressed", reason: "no_consent" },
    ]);
    // …and so does the results page's series for the same date in the same zone.
    const results = await call<{ series: { date: string; sends: number }[] }>(
      "GET",
      `/api/journeys/today-j/results?tz=${encodeURIComponent("Asia/Shanghai")}`,
    );
    expect(results.body.series.find((p) => p.date === "2026-03-02")?.sends).toBe(3);
  });

  it("starts again at the workspace's midnight", async () => {
    // 00:30 on 3 March in Shanghai.
    clock.set("2026-03-02T16:30:00Z");
    const r = await call<Today>("GET", "/api/journeys/today-j/today");
    expect(r.body.date).toBe("2026-03-03");
    expect(r.body.nodes).toEqual({});
  });
});
