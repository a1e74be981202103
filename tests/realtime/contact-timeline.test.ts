import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { manualClock } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { cartReminder } from "../helpers/journeys.ts";
import { closeClients, connect, eventually, record, signIn, subscribe } from "./clients.ts";
import { type RealtimeApp, startRealtimeApp } from "./harness.ts";

const START = "2026-03-02T02:00:00Z"; // 10:00 in Shanghai: inside the sending window
const HOUR = 3_600_000;

interface InspectorEntry {
  id: number;
  messageId?: number;
  messageStatus?: string;
  [key: string]: unknown;
}

describe.each(databaseKinds)("contact rooms get timeline entries on %s", (kind) => {
  let db: TestDatabase;
  let server: RealtimeApp;
  let cookie: string;
  const clock = manualClock(START);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    server = await startRealtimeApp(db, clock);
    await createJourney(db.knex, cartReminder(), null);
    await publishJourney(db.knex, "cart-test", null);
    // A body that quotes the contact's email and a phone number, as a careless template might.
    const quoting = cartReminder("quoting");
    const sms1 = quoting.nodes.find((n) => n.id === "sms1");
    if (sms1?.send)
      sms1.send.template = "Hi {{ user.firstName }}, re {{ user.email }}: call +14155550123";
    quoting.nodes[0] = {
      id: "start",
      type: "trigger",
      trigger: { kind: "event", event: "quote_me" },
    };
    await createJourney(db.knex, quoting, null);
    await publishJourney(db.knex, "quoting", null);
    cookie = await signIn(db.knex, server.app.url, "support");
  });
  afterAll(async () => {
    closeClients();
    await server?.close();
    await db?.close();
  });

  const identify = (userId: string) =>
    server.app.ingest("/v1/identify", {
      userId,
      traits: { firstName: "Li", phone: "+8613812345678", timezone: "Asia/Shanghai" },
      consent: { sms: { promotional: true } },
    });
  const contactId = async (userId: string) =>
    Number((await db.knex("contacts").where({ external_id: userId }).first("id")).id);

  it("pushes each entry as the ticker writes it, in order, shaped like the inspector's", async () => {
    await identify("u1");
    await identify("bystander");
    const id = await contactId("u1");
    const socket = await connect(server.app.url, { extraHeaders: { cookie } });
    const timeline = record(socket, "timeline");
    // Support sees masked data: its sockets follow the contact in the masked room.
    expect(await subscribe(socket, { contact: id })).toEqual({
      ok: true,
      room: `contact:${id}:masked`,
    });

    await server.app.ingest("/v1/track", {
      userId: "u1",
      event: "cart_abandoned",
      messageId: "m1",
    });
    await server.app.ingest("/v1/track", {
      userId: "bystander",
      event: "cart_abandoned",
      messageId: "m2",
    });
    await server.tick();
    const types = () => timeline.map((t) => `${t.entry.type}:${t.entry.nodeId}`);
    await eventually(() => expect(types()).toEqual(["entered:start", "waiting:wait1"]));

    clock.advance(HOUR);
    await server.tick();
    await eventually(() => expect(types()).toHaveLength(4));
    clock.advance(10 * 60_000);
    await server.app.ingest("/v1/track", {
      userId: "u1",
      event: "message.clicked",
      messageId: "c1",
      properties: { nodeId: "sms1" },
    });
    await server.tick();
    const expected = [
      "entered:start",
      "waiting:wait1",
      "sent:sms1",
      "waiting:clicked",
      "event:clicked",
      "branched:clicked",
      "exited:done",
    ];
    await eventually(() => expect(types()).toEqual(expected));
    // Only u1's room: the bystander moved in the same batches but is not pushed here.
    expect(new Set(timeline.map((t) => t.contactId))).toEqual(new Set([id]));

    const res = await fetch(`${server.app.url}/api/contacts/${id}/journeys`, {
      headers: { cookie },
    });
    const body = (await res.json()) as {
      enrollments: { id: number; journeyId: string; timeline: InspectorEntry[] }[];
    };
    const [enrollment] = body.enrollments;
    // The inspector adds what exists only after the commit: the log row id and message status.
    const inspector = enrollment?.timeline.map(
      ({ id: _id, messageId: _m, messageStatus: _s, ...entry }) => entry,
    );
    expect(timeline.map((t) => t.entry)).toEqual(inspector);
    for (const t of timeline) {
      expect(t).toMatchObject({
        contactId: id,
        enrollmentId: enrollment?.id,
        journeyId: "cart-test",
      });
    }
    const sent = timeline.find((t) => t.entry.type === "sent");
    expect(sent?.entry.body).toMatch(/^Hi Li, your cart is waiting/);
  });

  it("masks what a body quotes for support, in pushes and the inspector; a marketer sees it clear", async () => {
    await server.app.ingest("/v1/identify", {
      userId: "u3",
      traits: { firstName: "Li", email: "li.wei@example.cn", timezone: "Asia/Shanghai" },
      consent: { sms: { promotional: true } },
    });
    await db
      .knex("contacts")
      .where({ external_id: "u3" })
      .update({
        phone_encrypted: server.app.crypto.encrypt("+8613812345679"),
        phone_hash: server.app.crypto.blindIndex("+8613812345679"),
      });
    const id = await contactId("u3");
    const marketer = await signIn(db.knex, server.app.url, "marketer");
    const supportSocket = await connect(server.app.url, { extraHeaders: { cookie } });
    const marketerSocket = await connect(server.app.url, { extraHeaders: { cookie: marketer } });
    const masked = record(supportSocket, "timeline");
    const clear = record(marketerSocket, "timeline");
    await subscribe(supportSocket, { contact: id });
    expect(await subscribe(marketerSocket, { contact: id })).toEqual({
      ok: true,
      room: `contact:${id}`,
    });
    await server.app.ingest("/v1/track", { userId: "u3", event: "quote_me", messageId: "q1" });
    await server.tick();
    clock.advance(HOUR);
    await server.tick();
    const sentBody = (entries: typeof masked) =>
      String(entries.find((t) => t.entry.type === "sent")?.entry.body ?? "");
    await eventually(() => expect(sentBody(clear)).toContain("li.wei@example.cn"));
    await eventually(() => expect(sentBody(masked)).toContain("l***@example.cn"));
    expect(sentBody(clear)).toContain("+14155550123");
    expect(sentBody(masked)).not.toContain("li.wei@example.cn");
    expect(sentBody(masked)).not.toContain("+14155550123");

    const inspect = async (who: string) => {
      const res = await fetch(`${server.app.url}/api/contacts/${id}/journeys`, {
        headers: { cookie: who },
      });
      const body = (await res.json()) as { enrollments: { timeline: InspectorEntry[] }[] };
      return JSON.stringify(body.enrollments.flatMap((e) => e.timeline));
    };
    expect(await inspect(marketer)).toContain("li.wei@example.cn");
    const supportView = await inspect(cookie);
    expect(supportView).toContain("l***@example.cn");
    expect(supportView).not.toContain("li.wei@example.cn");
    expect(supportView).not.toContain("+14155550123");
  });

  it("stops pushing after unsubscribe", async () => {
    await identify("u2");
    const id = await contactId("u2");
    const socket = await connect(server.app.url, { extraHeaders: { cookie } });
    const timeline = record(socket, "timeline");
    await subscribe(socket, { contact: id });
    expect(await socket.timeout(5000).emitWithAck("unsubscribe", { contact: id })).toEqual({
      ok: true,
      room: `contact:${id}:masked`,
    });
    await server.app.ingest("/v1/track", {
      userId: "u2",
      event: "cart_abandoned",
      messageId: "m3",
    });
    await server.tick();
    server.realtime.publisher.flush();
    await new Promise((done) => setTimeout(done, 300));
    expect(timeline).toEqual([]);
  });
});
