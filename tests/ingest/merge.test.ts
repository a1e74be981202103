import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { until } from "../helpers/time.ts";

/**
 * Anonymous profiles and their merge into a user: an anonymous profile is stored but never
 * enrolled or sent to; identify (or any call) with both ids, or alias, moves its events and
 * traits to the user's contact, where they trigger journeys and answer waiting branches as the
 * engine's rules say.
 */

// 10:00 in Shanghai, inside the sending window.
const START = "2026-03-02T02:00:00.000Z";
const MINUTE = 60_000;

const BROWSE = {
  format: "waymark/journey@1",
  id: "browse",
  name: "Browse follow-up",
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "viewed_product" } },
    {
      id: "sms1",
      type: "send",
      send: { channel: "sms", category: "promotional", template: "Hi {{ user.firstName }}" },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "sms1" },
    { from: "sms1", to: "done" },
  ],
};

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
      send: { channel: "sms", category: "transactional", template: "Thanks!" },
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

describe.each(databaseKinds)("anonymous profiles and merges on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock(START);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    for (const j of [BROWSE, THANKS]) {
      await createJourney(db.knex, j, null);
      await publishJourney(db.knex, j.id, null);
    }
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const batch = async (items: unknown[]) => {
    const r = await app.ingest("/v1/batch", { batch: items });
    expect(r.status).toBe(200);
    return r.body as {
      accepted: number;
      duplicates: number;
      rejected: { index: number; field: string; message: string }[];
    };
  };
  const contact = (externalId: string) =>
    db.knex("contacts").where({ external_id: externalId }).first();
  const eventNames = async (externalId: string) =>
    (
      (await db
        .knex("events as e")
        .join("contacts as c", "c.id", "e.contact_id")
        .where("c.external_id", externalId)
        .orderBy("e.id")
        .select("e.name", "e.message_id")) as { name: string; message_id: string }[]
    ).map((e) => `${e.name}:${e.message_id}`);
  const at = (ms: number) => new Date(Date.parse(START) + ms).toISOString();
  const profile = {
    firstName: "Real",
    phone: "+8613812345678",
    timezone: "Asia/Shanghai",
  };

  it("stores an anonymous profile without a contact, an enrollment or a send, then merges it on identify", async () => {
    clock.set(START);
    const anon = await batch([
      { type: "track", anonymousId: "a-1", event: "viewed_product", messageId: "a1-e1" },
      { type: "page", anonymousId: "a-1", name: "Shoes", messageId: "a1-e2" },
      {
        type: "identify",
        anonymousId: "a-1",
        traits: { firstName: "Anon", email: "anon@example.com", favourite: "shoes" },
        context: { consent: { categoryPreferences: { "sms.promotional": true } } },
      },
    ]);
    expect(anon).toMatchObject({ accepted: 3, rejected: [] });
    expect(await db.knex("contacts").count("* as n").first()).toEqual({
      n: kind === "pglite" ? 0 : "0",
    });
    expect(
      await db.knex("anonymous_events").where({ anonymous_id: "a-1" }).count("* as n").first(),
    ).toEqual({
      n: kind === "pglite" ? 2 : "2",
    });
    // The anonymous view matches the browse trigger, yet nothing enrolls and nothing sends.
    await app.tick();
    expect(await db.knex("enrollments").count("* as n").first()).toEqual({
      n: kind === "pglite" ? 0 : "0",
    });
    expect(await db.knex("messages").count("* as n").first()).toEqual({
      n: kind === "pglite" ? 0 : "0",
    });

    clock.advance(10 * MINUTE);
    const merged = await batch([
      { type: "identify", userId: "u-1", anonymousId: "a-1", traits: profile, messageId: "u1-id" },
      { type: "track", userId: "u-1", event: "signed_in", messageId: "u1-e3" },
    ]);
    expect(merged).toMatchObject({ accepted: 2, rejected: [] });
    const c = await contact("u-1");
    // The user's own traits win; the anonymous ones fill the gaps; the consent comes along.
    expect(c).toMatchObject({ email: "anon@example.com", timezone: "Asia/Shanghai" });
    expect(c.attributes).toMatchObject({ firstName: "Real", favourite: "shoes" });
    expect(c.consent.sms.promotional).toMatchObject({ granted: true, at: START });
    // Events before and after the merge are one contact's, in the order they happened.
    expect(await eventNames("u-1")).toEqual([
      "viewed_product:a1-e1",
      "page:a1-e2",
      "signed_in:u1-e3",
    ]);
    expect(await db.knex("anonymous_events").where({ anonymous_id: "a-1" })).toEqual([]);
    expect(
      Number((await db.knex("anonymous_ids").where({ anonymous_id: "a-1" }).first()).contact_id),
    ).toBe(Number(c.id));
    // Now identified, the earlier view enrolls the user, and the send goes out.
    await app.tick();
    const messages = await db
      .knex("messages")
      .where({ contact_id: c.id })
      .select("journey_id", "body");
    expect(messages).toEqual([{ journey_id: "browse", body: expect.stringMatching(/^Hi Real/) }]);

    // Later calls with only the anonymous id land on the user directly — in this process
    // (which remembers the merge) and in another one (which reads it under the row lock).
    await batch([
      { type: "track", anonymousId: "a-1", event: "viewed_product", messageId: "a1-e4" },
    ]);
    expect((await eventNames("u-1")).at(-1)).toBe("viewed_product:a1-e4");
    const second = await startTestApp(db, clock);
    try {
      const r = await second.ingest("/v1/batch", {
        batch: [{ type: "track", anonymousId: "a-1", event: "viewed_product", messageId: "a1-e5" }],
      });
      expect(r.body).toMatchObject({ accepted: 1 });
    } finally {
      await second.close();
    }
    expect((await eventNames("u-1")).at(-1)).toBe("viewed_product:a1-e5");
    // A second user on the same device does not take the first one's history.
    const other = await batch([
      { type: "identify", userId: "u-other", anonymousId: "a-1", traits: { firstName: "O" } },
    ]);
    expect(other).toMatchObject({ accepted: 1, rejected: [] });
    expect(await eventNames("u-other")).toEqual([]);
    expect(
      Number((await db.knex("anonymous_ids").where({ anonymous_id: "a-1" }).first()).contact_id),
    ).toBe(Number(c.id));
  });

  it("a journey waiting on the user sees the pre-merge events it should, and not the older ones", async () => {
    clock.set(START);
    await batch([
      { type: "identify", userId: "w-1", traits: profile },
      { type: "identify", userId: "w-2", traits: profile },
      { type: "track", userId: "w-1", event: "visited", messageId: "w1-v" },
      { type: "track", userId: "w-2", event: "visited", messageId: "w2-v" },
    ]);
    await app.tick();
    const waiting = async (userId: string) =>
      (await db
        .knex("enrollments as e")
        .join("contacts as c", "c.id", "e.contact_id")
        .where({ "c.external_id": userId, "e.journey_id": "thanks" })
        .first("e.current_node", "e.status")) as { current_node: string; status: string };
    expect(await waiting("w-1")).toEqual({ current_node: "bought", status: "active" });

    // On another device, before signing in: w-1 buys after entering the branch; w-2's purchase
    // is dated before its entry (an old one), which the branch must not count.
    clock.advance(5 * MINUTE);
    await batch([
      {
        type: "track",
        anonymousId: "dev-1",
        event: "purchased",
        messageId: "d1-p",
        timestamp: at(3 * MINUTE),
      },
      {
        type: "track",
        anonymousId: "dev-2",
        event: "purchased",
        messageId: "d2-p",
        timestamp: at(-60 * MINUTE),
      },
    ]);
    await app.tick();
    expect(await waiting("w-1")).toEqual({ current_node: "bought", status: "active" });

    clock.advance(5 * MINUTE);
    // Merges: by alias for one, by a call carrying both ids for the other.
    const r = await batch([
      { type: "alias", userId: "w-1", previousId: "dev-1" },
      {
        type: "track",
        userId: "w-2",
        anonymousId: "dev-2",
        event: "app_opened",
        messageId: "w2-o",
      },
    ]);
    expect(r).toMatchObject({ accepted: 2, rejected: [] });
    await app.tick();
    expect(await waiting("w-1")).toEqual({ current_node: "done", status: "completed" });
    const thanked = await db
      .knex("messages as m")
      .join("contacts as c", "c.id", "m.contact_id")
      .where("m.journey_id", "thanks")
      .pluck("c.external_id");
    expect(thanked).toEqual(["w-1"]);
    // w-2's old purchase moved to the contact but does not answer a question asked after it.
    expect(await eventNames("w-2")).toContain("purchased:d2-p");
    expect(await waiting("w-2")).toEqual({ current_node: "bought", status: "active" });
  });

  it("rejects an alias whose previousId is an identified user or already another user's", async () => {
    clock.set(START);
    await batch([
      { type: "identify", userId: "x-1", traits: { firstName: "X" } },
      { type: "identify", userId: "x-2", traits: { firstName: "Y" } },
      { type: "track", anonymousId: "x-anon", event: "viewed", messageId: "xa-1" },
      { type: "alias", userId: "x-1", previousId: "x-anon" },
    ]);
    const r = await batch([
      { type: "alias", userId: "x-1", previousId: "x-2" },
      { type: "alias", userId: "x-2", previousId: "x-anon" },
      { type: "alias", userId: "x-1", previousId: "x-anon" },
    ]);
    expect(r.accepted).toBe(1);
    expect(r.rejected.map((x) => [x.index, x.field])).toEqual([
      [0, "previousId"],
      [1, "previousId"],
    ]);
    expect(r.rejected[0]?.message).toMatch(/identified user/);
    expect(r.rejected[1]?.message).toMatch(/another user/);
    expect(await eventNames("x-1")).toEqual(["viewed:xa-1"]);
  });

  it("drops anonymous profiles never merged 30 days after they were last seen, keeping merged ones", async () => {
    const day = 86_400_000;
    clock.set(new Date(Date.parse(START) + 40 * day).toISOString());
    const old = new Date(Date.parse(START) + 5 * day);
    const recent = new Date(Date.parse(START) + 39 * day);
    await db.knex("anonymous_ids").insert([
      { anonymous_id: "stale", created_at: old, seen_at: old },
      { anonymous_id: "fresh", created_at: recent, seen_at: recent },
    ]);
    await db.knex("anonymous_events").insert({
      anonymous_id: "stale",
      message_id: "s-1",
      name: "viewed",
      occurred_at: old,
      received_at: old,
    });
    // a-1 was merged on START, more than 30 days ago: it stays, so a-1 keeps landing on u-1.
    // Ingest purges at most hourly, after a write.
    await batch([{ type: "track", userId: "purge-trigger", event: "e" }]);
    const left = await until("the purge", async () => {
      const ids = (await db
        .knex("anonymous_ids")
        .orderBy("anonymous_id")
        .pluck("anonymous_id")) as string[];
      return ids.includes("stale") ? null : ids;
    });
    expect(left).toEqual(expect.arrayContaining(["a-1", "fresh"]));
    expect(await db.knex("anonymous_events").where({ anonymous_id: "stale" })).toEqual([]);
  });
});
