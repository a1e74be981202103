import RudderAnalytics from "@rudderstack/rudder-sdk-node";
import { Analytics } from "@segment/analytics-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { middayZone } from "../helpers/time.ts";

/**
 * The real SDKs, with their default settings, against the real app on loopback: each call type
 * lands as specified, consent set through context.consent is recorded with its source and time,
 * and a journey triggered through the SDK sends.
 */

// A page view of Pricing starts a promotional SMS: it needs the consent the SDK sent.
const PRICING = {
  format: "waymark/journey@1",
  id: "pricing-followup",
  name: "Pricing follow-up",
  nodes: [
    {
      id: "start",
      type: "trigger",
      trigger: {
        kind: "event",
        event: "page",
        where: [{ field: "name", op: "eq", value: "Pricing" }],
      },
    },
    {
      id: "sms1",
      type: "send",
      send: {
        channel: "sms",
        category: "promotional",
        template: "Hi {{ user.firstName }}, questions?",
      },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "sms1" },
    { from: "sms1", to: "done" },
  ],
};

interface Seen {
  status: number;
  encoding: string | undefined;
  type: string | undefined;
}

describe.each(databaseKinds)("the real Segment and RudderStack SDKs on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  // The SDKs stamp calls with the real clock, so the app's clock is the real one too.
  const clock = manualClock(Date.now());
  const requests: Seen[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    app.http.on("request", (req, res) => {
      if (!req.url?.startsWith("/v1/")) return;
      res.on("finish", () => {
        requests.push({
          status: res.statusCode,
          encoding: req.headers["content-encoding"],
          type: req.headers["content-type"],
        });
      });
    });
    await createJourney(db.knex, PRICING, null);
    await publishJourney(db.knex, PRICING.id, null);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const contact = (externalId: string) =>
    db.knex("contacts").where({ external_id: externalId }).first() as Promise<
      | {
          id: string | number;
          email: string;
          phone_encrypted: string;
          phone_country: string;
          timezone: string;
          attributes: Record<string, unknown>;
          consent: Record<string, Record<string, { granted: boolean; source: string; at: string }>>;
        }
      | undefined
    >;
  const events = async (externalId: string) =>
    (await db
      .knex("events as e")
      .join("contacts as c", "c.id", "e.contact_id")
      .where("c.external_id", externalId)
      .orderBy("e.id")
      .select("e.name", "e.properties", "e.message_id", "e.occurred_at")) as {
      name: string;
      properties: Record<string, unknown>;
      message_id: string;
      occurred_at: Date;
    }[];

  /** Every call type through one client; `send` adapts the SDK's call shape. */
  async function sendAll(
    userId: string,
    anonymousId: string,
    zone: string,
    call: (type: string, message: Record<string, unknown>) => void,
    flush: () => Promise<void>,
  ) {
    call("track", { anonymousId, event: "viewed_product", properties: { sku: "A1" } });
    call("identify", {
      userId,
      traits: {
        email: "  Ann@Example.COM ",
        phone: "+86 138 1234 5678",
        firstName: "Ann",
        timezone: zone,
      },
      // The consent convention: Segment's consent object, keys <channel>.<category>.
      context: {
        consent: { categoryPreferences: { "sms.promotional": true, Advertising: false } },
      },
    });
    call("track", { userId, event: "purchased", properties: { sku: "B2", price: 12.5 } });
    call("page", {
      userId,
      name: "Pricing",
      category: "Docs",
      properties: { url: "https://x.example/pricing" },
    });
    call("screen", { userId, name: "Home" });
    call("group", { userId, groupId: "acme", traits: { plan: "enterprise" } });
    call("alias", { userId, previousId: anonymousId });
    await flush();
  }

  async function expectLanded(userId: string, anonymousId: string, zone: string) {
    const c = await contact(userId);
    expect(c).toMatchObject({ email: "ann@example.com", phone_country: "CN", timezone: zone });
    expect(app.crypto.decrypt(c?.phone_encrypted ?? "")).toBe("+8613812345678");
    expect(c?.attributes).toMatchObject({
      firstName: "Ann",
      groupId: "acme",
      group: { id: "acme", plan: "enterprise" },
      groupIds: ["acme"],
    });
    const grant = c?.consent.sms?.promotional;
    expect(grant?.granted).toBe(true);
    expect(grant?.source).toMatch(/^ingest:identify:/);
    expect(Math.abs(Date.parse(grant?.at ?? "") - Date.now())).toBeLessThan(120_000);
    const evs = await events(userId);
    const byName = new Map(evs.map((e) => [e.name, e]));
    expect([...byName.keys()].sort()).toEqual(["page", "purchased", "screen", "viewed_product"]);
    expect(byName.get("purchased")?.properties).toEqual({ sku: "B2", price: 12.5 });
    expect(byName.get("page")?.properties).toMatchObject({
      name: "Pricing",
      category: "Docs",
      url: "https://x.example/pricing",
    });
    expect(byName.get("screen")?.properties).toMatchObject({ name: "Home" });
    // The anonymous view happened before the alias and now belongs to the user.
    expect(byName.get("viewed_product")?.properties).toEqual({ sku: "A1" });
    const anon = await db.knex("anonymous_ids").where({ anonymous_id: anonymousId }).first();
    expect(Number(anon.contact_id)).toBe(Number(c?.id));
    expect(await db.knex("anonymous_events").where({ anonymous_id: anonymousId })).toEqual([]);
    for (const e of evs) {
      expect(Math.abs(new Date(e.occurred_at).getTime() - Date.now())).toBeLessThan(120_000);
    }
  }

  async function expectSent(userId: string) {
    // The page view entered the journey; the tick sends (consent came through the SDK).
    const c = await contact(userId);
    const enrollment = await db
      .knex("enrollments")
      .where({ contact_id: c?.id, journey_id: PRICING.id })
      .first();
    expect(enrollment).toBeDefined();
    await app.tick();
    const messages = await db
      .knex("messages")
      .where({ contact_id: c?.id })
      .select("body", "status");
    expect(messages).toEqual([
      { body: expect.stringMatching(/^Hi Ann, questions\?/), status: "queued" },
    ]);
  }

  it("analytics-node: identify, track, page, screen, group, alias land as specified, and the journey sends", async () => {
    const zone = middayZone();
    const analytics = new Analytics({ writeKey: app.writeKey, host: app.url });
    const errors: unknown[] = [];
    analytics.on("error", (err) => errors.push(err));
    await sendAll(
      "seg-1",
      "seg-anon-1",
      zone,
      (type, message) => {
        switch (type) {
          case "track":
            return analytics.track(message as never);
          case "identify":
            return analytics.identify(message as never);
          case "page":
            return analytics.page(message as never);
          case "screen":
            return analytics.screen(message as never);
          case "group":
            return analytics.group(message as never);
          case "alias":
            return analytics.alias(message as never);
        }
      },
      () => analytics.closeAndFlush(),
    );
    expect(errors).toEqual([]);
    await expectLanded("seg-1", "seg-anon-1", zone);
    await expectSent("seg-1");
  });

  it("rudder-sdk-node (gzip, form content type by default): the same calls land the same way", async () => {
    const zone = middayZone();
    const before = requests.length;
    const rudder = new RudderAnalytics(app.writeKey, { dataPlaneUrl: app.url, logLevel: "error" });
    const failures: unknown[] = [];
    const done = (err?: unknown) => {
      if (err) failures.push(err);
    };
    await sendAll(
      "rud-1",
      "rud-anon-1",
      zone,
      (type, message) => {
        const m = message as never;
        switch (type) {
          case "track":
            return void rudder.track(m, done);
          case "identify":
            return void rudder.identify(m, done);
          case "page":
            return void rudder.page(m, done);
          case "screen":
            return void rudder.screen(m, done);
          case "group":
            return void rudder.group(m, done);
          case "alias":
            return void rudder.alias(m, done);
        }
      },
      async () => {
        await rudder.flush();
      },
    );
    expect(failures).toEqual([]);
    const sent = requests.slice(before);
    expect(sent.length).toBeGreaterThan(0);
    for (const r of sent) {
      expect(r).toMatchObject({ status: 200, encoding: "gzip" });
      expect(r.type).toMatch(/x-www-form-urlencoded/);
    }
    await expectLanded("rud-1", "rud-anon-1", zone);
    await expectSent("rud-1");
  });
});
