import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { cartReminder } from "../helpers/journeys.ts";
import { providerTook } from "../helpers/provider-took.ts";

// 2026-03-02 10:00 in Shanghai: inside the 08:00–21:00 sending window.
const START = "2026-03-02T02:00:00Z";
const HOUR = 3_600_000;

describe.each(databaseKinds)("ingest → ticker → outbox on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock(START);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    await createJourney(db.knex, cartReminder(), null);
    await publishJourney(db.knex, "cart-test", null);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const identify = (userId: string, extra: Record<string, unknown> = {}) =>
    app.ingest("/v1/identify", {
      userId,
      traits: { firstName: "Li", phone: "+8613812345678", timezone: "Asia/Shanghai", ...extra },
      consent: { sms: { promotional: true } },
    });

  const timeline = async (userId: string) =>
    (await db
      .knex("enrollment_log as l")
      .join("contacts as c", "c.id", "l.contact_id")
      .where("c.external_id", userId)
      .orderBy("l.id")
      .select("l.type", "l.node_id", "l.reason", "l.detail", "l.data")) as {
      type: string;
      node_id: string;
      reason: string | null;
      detail: string;
      data: Record<string, unknown>;
    }[];

  it("runs the cart reminder: enter, wait, send with a tracked link, click → yes → exit", async () => {
    clock.set(START);
    expect((await identify("u1")).status).toBe(200);
    const tracked = await app.ingest("/v1/track", {
      userId: "u1",
      event: "cart_abandoned",
      messageId: "m-1",
      properties: { sku: "A1" },
    });
    expect(tracked).toEqual({
      status: 200,
      body: { success: true, accepted: 1, duplicates: 0, rejected: [], duplicate: false },
    });

    const first = await app.tick();
    expect(first.claimed).toBe(1);
    expect(first.messages).toBe(0);
    const wake = await db.knex("enrollment_wakeups").first("wake_at");
    expect(new Date(wake.wake_at).toISOString()).toBe(
      new Date(Date.parse(START) + HOUR).toISOString(),
    );

    // Nothing is due before the hour is up.
    clock.advance(HOUR - 1000);
    expect((await app.tick()).claimed).toBe(0);

    clock.advance(1000);
    // WAYMARK_LINK_TTL_DAYS reaches the links the ticker writes (it was read and ignored).
    const second = await app.tick({ linkTtlMs: 2 * 86_400_000 });
    expect(second.messages).toBe(1);
    const message = await db
      .knex("messages")
      .first("body", "status", "idempotency_key", "encoding", "parts", "id");
    expect(message.status).toBe("queued");
    expect(message.body).toMatch(
      /^Hi Li, your cart is waiting: http:\/\/127\.0\.0\.1:\d+\/l\/[\w-]{22}/,
    );
    expect(message.body).toMatch(/Reply STOP to opt out$/);
    const token = /\/l\/([\w-]+)/.exec(message.body)?.[1];
    const link = await db
      .knex("link_tokens")
      .where({ token })
      .first("url", "message_id", "expires_at");
    expect(link).toEqual({
      url: "https://shop.example/cart",
      message_id: message.id,
      expires_at: expect.anything(),
    });
    expect(new Date(link.expires_at).getTime()).toBe(clock.now().getTime() + 2 * 86_400_000);

    // The click arrives as an event (delivery's /l/ route records exactly this) and wakes it.
    clock.advance(10 * 60_000);
    await app.ingest("/v1/track", {
      userId: "u1",
      event: "message.clicked",
      messageId: "click-1",
      properties: { nodeId: "sms1" },
    });
    const wakeAfterClick = await db.knex("enrollment_wakeups").first("wake_at");
    expect(new Date(wakeAfterClick.wake_at).getTime()).toBe(clock.now().getTime());
    await app.tick();

    const enrollment = await db.knex("enrollments").first("status", "current_node", "exit_reason");
    expect(enrollment).toEqual({
      status: "completed",
      current_node: "done",
      exit_reason: "exit_node",
    });
    expect(await db.knex("enrollment_wakeups").count("* as n").first()).toEqual({
      n: kind === "pglite" ? 0 : "0",
    });
    const steps = (await timeline("u1")).map((e) => `${e.type}:${e.node_id}`);
    expect(steps).toEqual([
      "entered:start",
      "waiting:wait1",
      "sent:sms1",
      "waiting:clicked",
      "event:clicked",
      "branched:clicked",
      "exited:done",
    ]);
    const sent = (await timeline("u1")).find((e) => e.type === "sent");
    expect(sent?.data.idempotencyKey).toBe(message.idempotency_key);
  });

  /** A cart abandoned at START, and the reminder an hour later queued (not yet sent). */
  async function reminderQueued(userId: string) {
    clock.set(START);
    await identify(userId);
    await app.ingest("/v1/track", { userId, event: "cart_abandoned", messageId: `${userId}-1` });
    await app.tick();
    clock.advance(HOUR);
    expect((await app.tick()).messages).toBe(1);
  }

  it("credits no message the provider had not taken when the purchase came", async () => {
    await reminderQueued("u-early");
    // Still queued: the buyer never saw it.
    clock.advance(60_000);
    await app.ingest("/v1/track", { userId: "u-early", event: "purchased", messageId: "e-2" });
    await app.tick();
    const rows = await db
      .knex("messages as m")
      .join("contacts as c", "c.id", "m.contact_id")
      .where("c.external_id", "u-early")
      .select("m.status", "m.converted_at");
    expect(rows).toEqual([{ status: "queued", converted_at: null }]);
  });

  it("credits a purchase in the goal window to the last send before it (last touch)", async () => {
    await reminderQueued("u-goal");
    expect(await providerTook(db.knex, "cart-test", clock.now(), "u-goal")).toBe(1);
    clock.advance(30 * 60_000);
    const purchasedAt = clock.now();
    await app.ingest("/v1/track", { userId: "u-goal", event: "purchased", messageId: "g-2" });
    await app.tick();

    const credited = await db
      .knex("messages as m")
      .join("contacts as c", "c.id", "m.contact_id")
      .where("c.external_id", "u-goal")
      .select("m.node_id", "m.converted_at", "m.conversion_event");
    expect(credited).toEqual([
      { node_id: "sms1", converted_at: purchasedAt, conversion_event: "purchased" },
    ]);
    const converted = (await timeline("u-goal")).find((e) => e.type === "converted");
    expect(converted?.data).toMatchObject({ event: "purchased", sendNodeId: "sms1" });
    expect(converted?.detail).toBe("purchased within P7D of entering, after sms1");
    // Support sees the credit on the message in the outbox.
    const res = await fetch(`${app.url}/api/messages?journey=cart-test`, {
      headers: { authorization: `Bearer ${app.secretKey}` },
    });
    const { messages } = (await res.json()) as {
      messages: { contact: string; convertedAt: string | null; conversionEvent: string | null }[];
    };
    expect(messages.find((m) => m.contact === "u-goal")).toMatchObject({
      convertedAt: purchasedAt.toISOString(),
      conversionEvent: "purchased",
    });
    // And the journey's results count it as sms1's last-touch conversion.
    const credits = await db
      .knex("messages")
      .where({ journey_id: "cart-test", node_id: "sms1" })
      .whereNotNull("converted_at")
      .count("* as n")
      .first();
    const results = (await (
      await fetch(`${app.url}/api/journeys/cart-test/results`, {
        headers: { authorization: `Bearer ${app.secretKey}` },
      })
    ).json()) as { sends: { nodeId: string; attributed: { count: number } | null }[] };
    const sms1 = results.sends.find((x) => x.nodeId === "sms1");
    expect(sms1?.attributed?.count).toBe(Number(credits?.n));
    expect(sms1?.attributed?.count).toBeGreaterThan(0);
  });

  it("defers a send due at night to 08:00 local (quiet hours), then sends", async () => {
    clock.set("2026-03-02T13:30:00Z"); // 21:30 Shanghai
    await identify("u2");
    await app.ingest("/v1/track", { userId: "u2", event: "cart_abandoned", messageId: "m-u2" });
    await app.tick();
    clock.advance(HOUR); // 22:30 local
    await app.tick();
    const deferred = (await timeline("u2")).find((e) => e.type === "deferred");
    expect(deferred?.reason).toBe("quiet_hours");
    expect(deferred?.detail).toContain("08:00");
    expect(
      await db
        .knex("messages")
        .join("contacts as c", "c.id", "messages.contact_id")
        .where("c.external_id", "u2")
        .first(),
    ).toBeUndefined();
    const wake = await db
      .knex("enrollment_wakeups as w")
      .join("enrollments as e", "e.id", "w.enrollment_id")
      .join("contacts as c", "c.id", "e.contact_id")
      .where("c.external_id", "u2")
      .first("w.wake_at");
    expect(new Date(wake.wake_at).toISOString()).toBe("2026-03-03T00:00:00.000Z"); // 08:00 Shanghai
    clock.set("2026-03-03T00:00:00Z");
    expect((await app.tick()).messages).toBe(1);
  });

  it("deduplicates events by messageId and keeps one active enrollment per journey", async () => {
    clock.set(START);
    await identify("u3");
    const a = await app.ingest("/v1/track", {
      userId: "u3",
      event: "cart_abandoned",
      messageId: "dup-1",
    });
    const b = await app.ingest("/v1/track", {
      userId: "u3",
      event: "cart_abandoned",
      messageId: "dup-1",
    });
    expect(a.body.duplicate).toBe(false);
    expect(b.body.duplicate).toBe(true);
    await app.ingest("/v1/track", { userId: "u3", event: "cart_abandoned", messageId: "dup-2" });
    const rows = await db
      .knex("enrollments as e")
      .join("contacts as c", "c.id", "e.contact_id")
      .where("c.external_id", "u3")
      .select("e.id");
    expect(rows).toHaveLength(1);
    const events = await db
      .knex("events as e")
      .join("contacts as c", "c.id", "e.contact_id")
      .where("c.external_id", "u3")
      .select("e.id");
    expect(events).toHaveLength(2);
  });

  it("exits at once when the purchase arrives during the wait", async () => {
    clock.set(START);
    await identify("u4");
    await app.ingest("/v1/track", { userId: "u4", event: "cart_abandoned", messageId: "u4-cart" });
    await app.tick();
    clock.advance(20 * 60_000);
    await app.ingest("/v1/track", {
      userId: "u4",
      event: "purchased",
      messageId: "u4-buy",
      properties: { amount: 120 },
    });
    await app.tick();
    const steps = (await timeline("u4")).map((e) => `${e.type}:${e.reason ?? ""}`);
    expect(steps.at(-1)).toBe("exited:exit_on");
    expect(steps).toContain("converted:");
  });
});

describe.each(databaseKinds)("ingest validation on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, manualClock(START));
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("refuses a missing or wrong write key", async () => {
    const none = await fetch(`${app.url}/v1/track`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(none.status).toBe(401);
    const wrong = await fetch(`${app.url}/v1/track`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Basic ${Buffer.from("wk_nope:").toString("base64")}`,
      },
      body: JSON.stringify({ userId: "x", event: "e" }),
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe("invalid_key");
  });

  it("stores the valid items of a batch and names each bad one (item-level outcomes)", async () => {
    const r = await app.ingest("/v1/batch", {
      batch: [
        { type: "identify", userId: "ok-1", traits: { phone: "+8613812345678" } },
        { type: "identify", userId: "bad-1", traits: { phone: "12" } },
        { type: "identify", userId: "bad-2", traits: { timezone: "Mars/Olympus" } },
        { type: "track", userId: "ok-2", event: "viewed" },
      ],
    });
    // A 200: both SDKs drop a batch answered 400 for good, valid calls included.
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(
      (r.body.rejected as { index: number; field: string }[]).map((d) => [d.index, d.field]),
    ).toEqual([
      [1, "traits.phone"],
      [2, "traits.timezone"],
    ]);
    const stored = await db
      .knex("contacts")
      .whereIn("external_id", ["ok-1", "ok-2", "bad-1", "bad-2"])
      .orderBy("external_id")
      .pluck("external_id");
    expect(stored).toEqual(["ok-1", "ok-2"]);
  });

  it("rejects malformed JSON, missing fields and oversized batches with 4xx JSON", async () => {
    const malformed = await fetch(`${app.url}/v1/track`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Basic ${Buffer.from(`${app.writeKey}:`).toString("base64")}`,
      },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    const missing = await app.ingest("/v1/track", { userId: "x" });
    expect(missing.status).toBe(400);
    expect((missing.body.error as { message: string }).message).toMatch(/^event:/);
    // The limit is the body's size, not a count: 501 small calls are one ordinary batch.
    const many = await app.ingest("/v1/batch", {
      batch: Array.from({ length: 501 }, (_, i) => ({
        type: "track",
        userId: `u${i}`,
        event: "e",
      })),
    });
    expect(many.body).toMatchObject({ accepted: 501, rejected: [] });
    const noBatch = await app.ingest("/v1/batch", { items: [] });
    expect(noBatch.status).toBe(400);
    const huge = await app.ingest("/v1/track", {
      userId: "x",
      event: "e",
      properties: { blob: "x".repeat(600_000) },
    });
    expect(huge.status).toBe(413);
  });

  it("stores phone numbers encrypted and finds them by blind index", async () => {
    await app.ingest("/v1/identify", { userId: "p1", traits: { phone: "+86 138 1234 5678" } });
    const row = await db
      .knex("contacts")
      .where({ external_id: "p1" })
      .first("phone_encrypted", "phone_hash", "phone_country");
    expect(row.phone_encrypted).not.toContain("13812345678");
    expect(app.crypto.decrypt(row.phone_encrypted)).toBe("+8613812345678");
    expect(row.phone_hash).toBe(app.crypto.blindIndex("+8613812345678"));
    expect(row.phone_country).toBe("CN");
  });
});
