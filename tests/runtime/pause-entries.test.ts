import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanAudienceTriggers } from "../../server/audiences/membership.ts";
import { pauseJourney, releaseStrayHeld } from "../../server/journeys/status.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { scanDateTriggers } from "../../server/runtime/date-scan.ts";
import { liveJourneyCache } from "../../server/runtime/live-journeys.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

// 2026-03-02 10:00 in Shanghai: inside the sending window.
const START = "2026-03-02T02:00:00Z";

const journey = (id: string, trigger: Record<string, unknown>) => ({
  format: "waymark/journey@1",
  id,
  name: `Pause ${id}`,
  nodes: [
    { id: "start", type: "trigger", trigger },
    {
      id: "sms",
      type: "send",
      send: { channel: "sms", category: "promotional", template: "Welcome back" },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "sms" },
    { from: "sms", to: "done" },
  ],
});

interface JourneyBody {
  status: string;
  pause: { entries: string; since: string; skipped: number } | null;
  skippedEntries: number;
}

/**
 * Issue #16 item 7: pausing says what triggers during the pause do. `wait`: the contact is
 * enrolled, held at entry, and proceeds after resume; `skip`: not enrolled, the skip logged on
 * the contact's timeline with its reason and counted on the journey (once per contact per pause).
 */
describe.each(databaseKinds)("triggers during a pause on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock(START);

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${app.secretKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const track = (userId: string, event: string, messageId: string) =>
    app.ingest("/v1/track", { userId, event, messageId });
  const identify = (userId: string) =>
    app.ingest("/v1/identify", {
      userId,
      traits: { phone: "+8613812345678", timezone: "Asia/Shanghai" },
      consent: { sms: { promotional: true } },
    });
  const enrollmentsOf = async (userId: string, journeyId: string) =>
    (await db
      .knex("enrollments as e")
      .join("contacts as c", "c.id", "e.contact_id")
      .leftJoin("enrollment_wakeups as w", "w.enrollment_id", "e.id")
      .where({ "c.external_id": userId, "e.journey_id": journeyId })
      .select("e.status", "e.current_node", "w.held")) as {
      status: string;
      current_node: string;
      held: boolean | null;
    }[];
  const messagesOf = async (userId: string, journeyId: string) =>
    Number(
      (
        (await db
          .knex("messages as m")
          .join("contacts as c", "c.id", "m.contact_id")
          .where({ "c.external_id": userId, "m.journey_id": journeyId })
          .count("* as n")
          .first()) as { n: string | number }
      ).n,
    );
  const journeyState = async (id: string) =>
    (await call("GET", `/api/journeys/${id}`)).body as unknown as JourneyBody;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    for (const [id, trigger] of [
      ["p-wait", { kind: "event", event: "signed_up" }],
      ["p-skip", { kind: "event", event: "came_back" }],
      ["p-api", { kind: "api" }],
    ] as const) {
      await createJourney(db.knex, journey(id, trigger), null);
      await publishJourney(db.knex, id, null);
    }
    for (const u of ["u-wait", "u-skip", "u-other", "u-api"]) await identify(u);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("wait: an event during the pause enrolls the contact held at entry; it proceeds after resume", async () => {
    expect(await call("POST", "/api/journeys/p-wait/pause", { entries: "wait" })).toEqual({
      status: 200,
      body: { status: "paused", entries: "wait" },
    });
    expect((await journeyState("p-wait")).pause).toMatchObject({ entries: "wait", skipped: 0 });
    expect((await track("u-wait", "signed_up", "w-1")).status).toBe(200);
    // Enrolled, held at the trigger: the ticker does not touch it, nothing is sent.
    expect(await enrollmentsOf("u-wait", "p-wait")).toEqual([
      { status: "active", current_node: "start", held: true },
    ]);
    clock.advance(60_000);
    expect((await app.tick()).claimed).toBe(0);
    expect(await messagesOf("u-wait", "p-wait")).toBe(0);

    expect((await call("POST", "/api/journeys/p-wait/resume")).status).toBe(200);
    expect((await journeyState("p-wait")).pause).toBeNull();
    const step = await app.tick();
    expect(step.claimed).toBe(1);
    expect(await messagesOf("u-wait", "p-wait")).toBe(1);
    expect(await enrollmentsOf("u-wait", "p-wait")).toEqual([
      { status: "completed", current_node: "done", held: null },
    ]);
    // Nothing was skipped in a "wait" pause.
    expect((await journeyState("p-wait")).skippedEntries).toBe(0);
  });

  it("skip: an event during the pause does not enroll; the skip is counted once and shown on the contact", async () => {
    expect((await call("POST", "/api/journeys/p-skip/pause", { entries: "skip" })).status).toBe(
      200,
    );
    await track("u-skip", "came_back", "s-1");
    await track("u-skip", "came_back", "s-2"); // a second trigger in the same pause: one skip
    await track("u-other", "came_back", "s-3");
    expect(await enrollmentsOf("u-skip", "p-skip")).toEqual([]);
    expect((await app.tick()).claimed).toBe(0);

    const paused = await journeyState("p-skip");
    expect(paused.pause).toMatchObject({ entries: "skip", skipped: 2 });
    expect(paused.skippedEntries).toBe(2);
    const results = (await call("GET", "/api/journeys/p-skip/results")).body;
    expect(results.skippedEntries).toBe(2);

    // The inspector's view of the contact: the skip, its journey and its reason.
    const inspector = (await call("GET", "/api/contacts/u-skip/journeys")).body as {
      enrollments: unknown[];
      skipped: Record<string, unknown>[];
    };
    expect(inspector.enrollments).toEqual([]);
    expect(inspector.skipped).toHaveLength(1);
    expect(inspector.skipped[0]).toMatchObject({
      journeyId: "p-skip",
      journeyName: "Pause p-skip",
      nodeId: "start",
      type: "skipped",
      reason: "journey_paused",
      event: "came_back",
    });
    expect(String(inspector.skipped[0]?.detail)).toContain("paused");

    // Resuming does not replay the skipped trigger; a trigger after resume enrolls as usual.
    expect((await call("POST", "/api/journeys/p-skip/resume")).status).toBe(200);
    clock.advance(60_000);
    await app.tick();
    expect(await enrollmentsOf("u-skip", "p-skip")).toEqual([]);
    await track("u-skip", "came_back", "s-4");
    await app.tick();
    expect(await messagesOf("u-skip", "p-skip")).toBe(1);
    expect((await journeyState("p-skip")).skippedEntries).toBe(2);
  });

  it("API enrollment into a journey paused with skip answers 409 and counts the skip", async () => {
    expect((await call("POST", "/api/journeys/p-api/pause")).body).toEqual({
      status: "paused",
      entries: "skip", // no body: skip, what pausing always did
    });
    const res = await call("POST", "/api/journeys/p-api/enroll", { userId: "u-api" });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: "journey_paused" } });
    expect((await journeyState("p-api")).pause?.skipped).toBe(1);
    expect(await call("POST", "/api/journeys/p-api/resume")).toMatchObject({ status: 200 });
  });

  it("rejects an unknown pause choice, extra keys and __proto__, naming the field", async () => {
    const bad = await call("POST", "/api/journeys/p-api/pause", { entries: "later" });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("entries");
    const extra = await call("POST", "/api/journeys/p-api/pause", { entries: "wait", x: 1 });
    expect(extra.status).toBe(400);
    const proto = await call(
      "POST",
      "/api/journeys/p-api/pause",
      '{"entries":"wait","__proto__":{"entries":"skip"}}',
    );
    expect(proto.status).toBe(400);
    expect((await call("POST", "/api/journeys/p-api/pause", { entries: "x\u0000" })).status).toBe(
      400,
    );
    expect((await journeyState("p-api")).status).toBe("live");
  });

  it("audience trigger, skip: members who joined during the pause are skipped once and do not enter on resume", async () => {
    await db.knex("audiences").insert({
      id: "vips",
      name: "VIPs",
      definition: JSON.stringify({ attribute: "tier", op: "eq", value: "vip" }),
    });
    await createJourney(db.knex, journey("p-aud", { kind: "audience", audience: "vips" }), null);
    await publishJourney(db.knex, "p-aud", null);
    await pauseJourney(db.knex, "p-aud", clock.now(), "skip");
    await app.ingest("/v1/identify", { userId: "u-vip", traits: { tier: "vip" } });
    const scan = () =>
      scanAudienceTriggers({ knex: db.knex, live: liveJourneyCache(db.knex, 0), now: clock.now });
    expect((await scan()).enrolled).toBe(0);
    clock.advance(60_000);
    expect((await scan()).enrolled).toBe(0); // scanned again: still one skip
    expect((await journeyState("p-aud")).pause?.skipped).toBe(1);
    expect((await call("POST", "/api/journeys/p-aud/resume")).status).toBe(200);
    clock.advance(60_000);
    expect((await scan()).enrolled).toBe(0);
    expect(await enrollmentsOf("u-vip", "p-aud")).toEqual([]);
    expect((await journeyState("p-aud")).skippedEntries).toBe(1);
  });

  it("wait: an entry held by a transaction that raced a resume is released by the sweep", async () => {
    await createJourney(db.knex, journey("p-race", { kind: "event", event: "raced" }), null);
    await publishJourney(db.knex, "p-race", null);
    await pauseJourney(db.knex, "p-race", clock.now(), "wait");
    await identify("u-race");
    await track("u-race", "raced", "r-1");
    expect(await enrollmentsOf("u-race", "p-race")).toMatchObject([{ held: true }]);
    // The resume committed while that entry's transaction was open, so its release missed it:
    // the journey is live, the entry still held.
    await db.knex("journeys").where({ id: "p-race" }).update({ status: "live" });
    expect((await app.tick()).claimed).toBe(0);
    expect(await releaseStrayHeld(db.knex, clock.now())).toBe(1);
    await app.tick();
    expect(await messagesOf("u-race", "p-race")).toBe(1);
    // Held users of a journey still paused stay held.
    await pauseJourney(db.knex, "p-wait", clock.now(), "wait");
    await identify("u-wait2");
    await track("u-wait2", "signed_up", "w-2");
    expect(await releaseStrayHeld(db.knex, clock.now())).toBe(0);
    expect(await enrollmentsOf("u-wait2", "p-wait")).toMatchObject([{ held: true }]);
  });

  it("date trigger, skip: a birthday during the pause is skipped once across scans, not entered on resume", async () => {
    await createJourney(
      db.knex,
      journey("p-date", {
        kind: "date_attribute",
        attribute: "anniversary",
        offsetDays: 0,
        yearly: true,
      }),
      null,
    );
    await publishJourney(db.knex, "p-date", null);
    await pauseJourney(db.knex, "p-date", clock.now(), "skip");
    // Today's date in Shanghai, so the occurrence (09:00 local) is due within the look-back day.
    const local = new Date(clock.now().getTime() + 8 * 3_600_000).toISOString().slice(5, 10);
    await app.ingest("/v1/identify", {
      userId: "u-date",
      traits: { anniversary: `2020-${local}`, timezone: "Asia/Shanghai" },
    });
    const scan = () =>
      scanDateTriggers({
        knex: db.knex,
        crypto: app.crypto,
        live: liveJourneyCache(db.knex, 0),
        workspaceTimezone: "UTC",
        now: clock.now,
      });
    expect(await scan()).toBe(0);
    clock.advance(5 * 60_000);
    expect(await scan()).toBe(0);
    expect((await journeyState("p-date")).pause?.skipped).toBe(1);
    expect((await call("POST", "/api/journeys/p-date/resume")).status).toBe(200);
    clock.advance(5 * 60_000);
    expect(await scan()).toBe(0);
    expect(await enrollmentsOf("u-date", "p-date")).toEqual([]);
  });
});
