import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordOptOut } from "../../server/events/record.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { promoBlast } from "../helpers/journeys.ts";

const DAY = 86_400_000;

/**
 * Issue #16 item 5: the simulator with a real contact predicted SENT for a contact the ticker
 * then suppressed (an opt-out, a cooldown, sends already made today). Now the simulation reads
 * the contact's history with the ticker's own loader; each contact below is simulated, then
 * really run through ingest and the ticker, and the two must say the same thing.
 */
describe.each(databaseKinds)("simulating a real contact on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock("2026-03-02T02:00:00Z"); // 10:00 in Shanghai: not quiet hours
  let headers: Record<string, string>;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    headers = { authorization: `Bearer ${app.secretKey}`, "content-type": "application/json" };
    await createJourney(db.knex, promoBlast("parity"), null);
    await publishJourney(db.knex, "parity", null);
    // A frequency cap of 2 promotional SMS a day, suppressing past it.
    const current = (await (await fetch(`${app.url}/api/settings`, { headers })).json()) as {
      policy: Record<string, unknown>;
    };
    const put = await fetch(`${app.url}/api/settings`, {
      method: "PUT",
      headers,
      body: JSON.stringify({
        policy: {
          ...current.policy,
          caps: [
            {
              channel: "sms",
              category: "promotional",
              max: 2,
              window: "P1D",
              onExceed: "suppress",
            },
          ],
        },
      }),
    });
    expect(put.status, await put.text()).toBe(200);
    const consent = { sms: { promotional: { granted: true, source: "test" } } };
    for (const id of ["plain", "opted", "cooled", "capped"]) {
      await db.knex("contacts").insert({
        external_id: id,
        timezone: "Asia/Shanghai",
        attributes: {},
        consent: JSON.stringify(consent),
      });
    }
    const idOf = async (externalId: string) =>
      Number(
        (
          (await db.knex("contacts").where({ external_id: externalId }).first("id")) as {
            id: string;
          }
        ).id,
      );
    const now = clock.now();
    await recordOptOut(
      db.knex,
      {
        contactId: await idOf("opted"),
        channel: "sms",
        category: "*",
        reason: "keyword",
        source: "reply STOP",
      },
      now,
    );
    await db.knex("contact_cooldowns").insert({
      contact_id: await idOf("cooled"),
      scope: "promotional",
      until: new Date(now.getTime() + 7 * DAY),
      reason: "cooldown from another journey",
      journey_id: "other",
      node_id: "cool",
    });
    for (const hoursAgo of [1, 2]) {
      await db.knex("messages").insert({
        idempotency_key: `earlier-${hoursAgo}`,
        contact_id: await idOf("capped"),
        journey_id: "other",
        node_id: "sms",
        channel: "sms",
        category: "promotional",
        body: "an earlier promotion",
        status: "sent",
        created_at: new Date(now.getTime() - hoursAgo * 3_600_000),
        updated_at: now,
      });
    }
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  /** What the simulator says the send node does for this contact: sent, or a suppression reason. */
  async function simulated(contactId: string): Promise<string> {
    const res = await fetch(`${app.url}/api/simulate`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        journeyId: "parity",
        contactId,
        events: [{ at: clock.now().toISOString(), name: "promo_ready" }],
        until: new Date(clock.now().getTime() + DAY).toISOString(),
      }),
    });
    const body = (await res.json()) as {
      timeline: { nodeId: string; type: string; reason?: string }[];
    };
    expect(res.status, JSON.stringify(body)).toBe(200);
    const at = body.timeline.filter((t) => t.nodeId === "sms" && t.type !== "entered");
    const decided = at.find((t) => t.type === "sent" || t.type === "suppressed");
    return decided?.type === "suppressed" ? `suppressed:${decided.reason}` : String(decided?.type);
  }

  /** What the ticker did at the send node for this contact, read from the outbox and the log. */
  async function live(contactId: string): Promise<string> {
    const { id } = (await db.knex("contacts").where({ external_id: contactId }).first("id")) as {
      id: string;
    };
    const queued = await db
      .knex("messages")
      .where({ contact_id: Number(id), journey_id: "parity" })
      .count("* as n")
      .first();
    if (Number((queued as { n: string }).n) > 0) return "sent";
    const log = (await db
      .knex("enrollment_log")
      .where({ contact_id: Number(id), journey_id: "parity", node_id: "sms" })
      .whereIn("type", ["suppressed", "sent"])
      .first("type", "reason")) as { type: string; reason: string | null } | undefined;
    return log ? `${log.type}:${log.reason}` : "nothing";
  }

  it("predicts what the ticker then does, for an opt-out, a cooldown and a full cap", async () => {
    const contacts = ["plain", "opted", "cooled", "capped"];
    const predicted: Record<string, string> = {};
    for (const c of contacts) predicted[c] = await simulated(c);
    expect(predicted).toEqual({
      plain: "sent",
      opted: "suppressed:opted_out",
      cooled: "suppressed:cooldown",
      capped: "suppressed:frequency_cap",
    });

    for (const c of contacts) {
      const r = await app.ingest("/v1/track", { userId: c, event: "promo_ready" });
      expect(r.status).toBe(200);
    }
    for (let i = 0; i < 3; i++) await app.tick();
    const happened: Record<string, string> = {};
    for (const c of contacts) happened[c] = await live(c);
    expect(happened).toEqual(predicted);
  });

  it("picks the arm the ticker picks and prints {{ user.id }} as the contact's own id", async () => {
    const arms = ["a", "b", "c", "d"];
    await createJourney(
      db.knex,
      {
        format: "waymark/journey@1",
        id: "ids",
        name: "Ids",
        nodes: [
          { id: "start", type: "trigger", trigger: { kind: "event", event: "ids_ready" } },
          {
            id: "split",
            type: "split",
            split: { arms: arms.map((name) => ({ name, percent: 25 })) },
          },
          ...arms.map((arm) => ({
            id: `sms_${arm}`,
            type: "send",
            send: { channel: "sms", category: "transactional", template: `${arm}:{{ user.id }}` },
          })),
          { id: "done", type: "exit" },
        ],
        edges: [
          { from: "start", to: "split" },
          ...arms.flatMap((arm) => [
            { from: "split", to: `sms_${arm}`, path: arm },
            { from: `sms_${arm}`, to: "done" },
          ]),
        ],
      },
      null,
    );
    // Through the API, which refreshes ingest's cache of live journeys at once.
    const published = await fetch(`${app.url}/api/journeys/ids/publish`, {
      method: "POST",
      headers,
      body: "{}",
    });
    expect(published.status, await published.text()).toBe(200);
    // Row ids and external ids differ (the row ids are small numbers), so a simulator keyed on
    // the external id would hash other arms and print other ids.
    const people = Array.from({ length: 12 }, (_, i) => `member-${i}`);
    for (const id of people)
      await db.knex("contacts").insert({ external_id: id, attributes: {}, consent: "{}" });
    const predicted: Record<string, string> = {};
    for (const id of people) {
      const res = await fetch(`${app.url}/api/simulate`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          journeyId: "ids",
          contactId: id,
          events: [{ at: clock.now().toISOString(), name: "ids_ready" }],
          until: new Date(clock.now().getTime() + DAY).toISOString(),
        }),
      });
      const body = (await res.json()) as { timeline: { type: string; body?: string }[] };
      expect(res.status, JSON.stringify(body)).toBe(200);
      predicted[id] = String(body.timeline.find((t) => t.type === "sent")?.body);
    }
    for (const id of people) {
      const r = await app.ingest("/v1/track", { userId: id, event: "ids_ready" });
      expect(r.status).toBe(200);
    }
    for (let i = 0; i < 3; i++) await app.tick();
    const sent = (await db
      .knex("messages as m")
      .join("contacts as c", "c.id", "m.contact_id")
      .where("m.journey_id", "ids")
      .select("c.external_id", "m.body")) as { external_id: string; body: string }[];
    const happened = Object.fromEntries(sent.map((m) => [m.external_id, m.body]));
    expect(Object.keys(happened).sort()).toEqual([...people].sort());
    for (const id of people) expect(happened[id]).toMatch(new RegExp(`^[abcd]:${id}$`));
    expect(predicted).toEqual(happened);
    // Twelve contacts over four arms: more than one arm is taken, so the arms were compared.
    expect(new Set(Object.values(happened).map((b) => b[0])).size).toBeGreaterThan(1);
  });
});
