import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isEmail } from "../../server/ingest/checks.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

/**
 * Item-level outcomes and hostile input: a batch is checked item by item, the valid items are
 * stored and each bad one is named; only a request malformed as a whole is a 4xx; nothing is a
 * 500, and nothing takes long.
 */

const NOW = "2026-03-02T02:00:00.000Z";
const HOUR = 3_600_000;

interface Answer {
  status: number;
  body: {
    accepted?: number;
    duplicates?: number;
    rejected?: { index: number; field: string; message: string }[];
    error?: { code: string; message: string; details: unknown };
  };
  ms: number;
}

describe.each(databaseKinds)("ingest items on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock(NOW);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const auth = () => `Basic ${Buffer.from(`${app.writeKey}:`).toString("base64")}`;
  async function post(
    path: string,
    body: string | Buffer,
    headers: Record<string, string> = { "content-type": "application/json" },
  ): Promise<Answer> {
    const t = performance.now();
    const res = await fetch(`${app.url}${path}`, {
      method: "POST",
      headers: { authorization: auth(), ...headers },
      body: typeof body === "string" ? body : new Uint8Array(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: JSON.parse(text) as Answer["body"],
      ms: performance.now() - t,
    };
  }
  const batch = (items: unknown[], extra: Record<string, unknown> = {}) =>
    post("/v1/batch", JSON.stringify({ batch: items, ...extra }));
  const eventsOf = async (externalId: string) =>
    (await db
      .knex("events as e")
      .join("contacts as c", "c.id", "e.contact_id")
      .where("c.external_id", externalId)
      .orderBy("e.id")
      .select("e.name", "e.message_id", "e.properties", "e.occurred_at")) as {
      name: string;
      message_id: string;
      properties: Record<string, unknown>;
      occurred_at: Date;
    }[];

  it("stores the valid items of a mixed batch and names the bad one", async () => {
    const r = await batch([
      { type: "identify", userId: "mix-1", traits: { email: "mix@example.com" } },
      { type: "identify", userId: "mix-2", traits: { email: "not-an-email" } },
      { type: "track", userId: "mix-1", event: "viewed", messageId: "mix-e1" },
      { type: "page", userId: "mix-1", name: "Home" },
      { type: "nonsense", userId: "mix-1" },
      { type: "track", event: "orphan" },
      { type: "track", anonymousId: "mix-anon", event: "viewed", messageId: "mix-e2" },
    ]);
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(4);
    expect(r.body.rejected?.map((x) => [x.index, x.field])).toEqual([
      [1, "traits.email"],
      [4, "type"],
      [5, "userId"],
    ]);
    expect(await db.knex("contacts").where({ external_id: "mix-2" }).first()).toBeUndefined();
    expect((await eventsOf("mix-1")).map((e) => e.name)).toEqual(["viewed", "page"]);
    const anon = await db.knex("anonymous_events").where({ anonymous_id: "mix-anon" });
    expect(anon.map((e: { message_id: string }) => e.message_id)).toEqual(["mix-e2"]);
    // The same batch again: the events are duplicates, nothing is stored twice.
    const again = await batch([
      { type: "track", userId: "mix-1", event: "viewed", messageId: "mix-e1" },
      { type: "track", anonymousId: "mix-anon", event: "viewed", messageId: "mix-e2" },
    ]);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 2, rejected: [] });
  });

  it("rejects NUL, lone surrogates, 5,000-deep JSON and year-0 dates by field, never a 500", async () => {
    const deep = `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`;
    const body = `{"batch":[
      {"type":"identify","userId":"hyg-1","traits":{"name":"a\\u0000b"}},
      {"type":"track","userId":"hyg-1","event":"e","properties":{"k\\u0000":1}},
      {"type":"track","userId":"hyg\\u0000x","event":"e"},
      {"type":"track","userId":"hyg-1","event":"e","properties":{"s":"x\\ud800y"}},
      {"type":"track","userId":"hyg-1","event":"e\\udc00"},
      {"type":"track","userId":"hyg-1","event":"e","properties":${deep}},
      {"type":"track","userId":"hyg-1","event":"e","timestamp":"0000-01-01T00:00:00Z"},
      {"type":"track","userId":"hyg-1","event":"e","originalTimestamp":"0000-01-01T00:00:00Z"},
      {"type":"track","userId":"hyg-1","event":"e","timestamp":"2999-01-01T00:00:00Z"},
      {"type":"track","userId":"hyg-1","event":"ok","messageId":"hyg-ok","properties":{"emoji":"\\ud83d\\ude00"}}
    ]}`;
    const r = await post("/v1/batch", body);
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(1);
    const rejected = r.body.rejected ?? [];
    expect(rejected.map((x) => [x.index, x.field])).toEqual([
      [0, "traits.name"],
      [1, "properties.k\uFFFD"],
      [2, "userId"],
      [3, "properties.s"],
      [4, "event"],
      [5, `properties${".a".repeat(32)}`],
      [6, "timestamp"],
      [7, "originalTimestamp"],
      [8, "timestamp"],
    ]);
    expect(rejected[0]?.message).toMatch(/NUL/);
    expect(rejected[3]?.message).toMatch(/surrogate/);
    expect(rejected[5]?.message).toMatch(/deeper than 32/);
    expect(rejected[6]?.message).toMatch(/1970/);
    expect(rejected[8]?.message).toMatch(/future/);
    // A valid surrogate pair is text like any other.
    expect((await eventsOf("hyg-1")).map((e) => e.properties)).toEqual([{ emoji: "😀" }]);

    // A single call is the whole request: the same problems are a 400 naming the field.
    const single = await post("/v1/track", `{"userId":"hyg-2","event":"e","properties":${deep}}`);
    expect(single.status).toBe(400);
    expect(single.body.error?.message).toMatch(/^properties\.a\.a.*deeper than 32/);
    // A body nested deeply as a whole is parsed (iteratively) and refused as a whole.
    const wholeDeep = await post(
      "/v1/batch",
      `{"batch":${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
    );
    expect(wholeDeep.status).toBe(200);
    expect(wholeDeep.body.rejected?.[0]).toMatchObject({ index: 0, field: "" });
  });

  it("answers a 150 KB email in well under a second (linear check, bounded length)", async () => {
    const evil = `${"a".repeat(150_000)}@`;
    const t = performance.now();
    expect(isEmail(`${"a.".repeat(250_000)}@x`)).toBe(false);
    expect(isEmail(evil)).toBe(false);
    expect(performance.now() - t).toBeLessThan(100);
    const r = await batch([
      { type: "identify", userId: "redos", traits: { email: evil } },
      // Under the 32 KB item limit, so the email check itself refuses it.
      { type: "identify", userId: "redos-2", traits: { email: `${"a".repeat(30_000)}@` } },
    ]);
    expect(r.status).toBe(200);
    expect(r.body.rejected?.map((x) => [x.field, x.message])).toEqual([
      ["traits.email", "makes the item larger than 32 KB"],
      ["traits.email", "is not an email address"],
    ]);
    expect(r.ms).toBeLessThan(2000);
    const single = await post(
      "/v1/identify",
      JSON.stringify({ userId: "redos", traits: { email: evil } }),
    );
    expect(single.status).toBe(400);
    expect(single.ms).toBeLessThan(2000);
  });

  it("fills timezone and locale from context where the traits name none; traits win", async () => {
    const r = await batch([
      {
        type: "identify",
        userId: "ctx-1",
        traits: { firstName: "C" },
        context: { timezone: "Asia/Tokyo", locale: "en_US", ip: "203.0.113.9" },
      },
      {
        type: "identify",
        userId: "ctx-2",
        traits: { timezone: "Europe/Paris", locale: "fr-FR" },
        context: { timezone: "Asia/Tokyo", locale: "en-US" },
      },
      // A zone the device misreports is ignored, not a reason to lose the identify.
      {
        type: "identify",
        userId: "ctx-3",
        traits: { firstName: "D" },
        context: { timezone: "Mars/Base" },
      },
    ]);
    expect(r.body).toMatchObject({ accepted: 3, rejected: [] });
    const rows = await db
      .knex("contacts")
      .whereIn("external_id", ["ctx-1", "ctx-2", "ctx-3"])
      .orderBy("external_id")
      .select("timezone", "locale", "attributes");
    expect(rows.map((c: { timezone: string; locale: string }) => [c.timezone, c.locale])).toEqual([
      ["Asia/Tokyo", "en-US"],
      ["Europe/Paris", "fr-FR"],
      [null, null],
    ]);
    // The IP is not kept anywhere.
    expect(JSON.stringify(rows)).not.toContain("203.0.113.9");
  });

  it("keeps __proto__ and constructor as plain keys", async () => {
    const r = await post(
      "/v1/batch",
      `{"batch":[{"type":"identify","userId":"proto-1","traits":{"__proto__":{"polluted":true},"constructor":"c","toString":"t"}},
                 {"type":"track","userId":"proto-1","event":"e","messageId":"proto-e","properties":{"__proto__":{"x":1}}},
                 {"type":"group","userId":"proto-1","groupId":"__proto__","traits":{"__proto__":{"y":2}}}]}`,
    );
    expect(r.body).toMatchObject({ accepted: 3, rejected: [] });
    const c = await db.knex("contacts").where({ external_id: "proto-1" }).first();
    expect(c.attributes.constructor).toBe("c");
    expect(Object.hasOwn(c.attributes, "__proto__")).toBe(true);
    expect(c.attributes.groupIds).toEqual(["__proto__"]);
    const [e] = await eventsOf("proto-1");
    expect(Object.hasOwn(e?.properties ?? {}, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("dates events by Segment's rules, correcting the device clock with sentAt", async () => {
    const received = Date.parse(NOW);
    const iso = (ms: number) => new Date(ms).toISOString();
    // The device's clock runs an hour slow; the event happened 5 minutes before it was sent.
    const r = await batch(
      [
        {
          type: "track",
          userId: "ts-1",
          event: "skewed",
          originalTimestamp: iso(received - HOUR - 300_000),
        },
        {
          type: "track",
          userId: "ts-1",
          event: "own-sentAt",
          originalTimestamp: iso(received + 2 * HOUR - 60_000),
          sentAt: iso(received + 2 * HOUR),
        },
        {
          type: "track",
          userId: "ts-1",
          event: "explicit",
          timestamp: iso(received - 10 * HOUR),
          originalTimestamp: iso(0),
        },
        { type: "track", userId: "ts-1", event: "received" },
      ],
      { sentAt: iso(received - HOUR) },
    );
    expect(r.body).toMatchObject({ accepted: 4, rejected: [] });
    const at = new Map(
      (await eventsOf("ts-1")).map((e) => [e.name, new Date(e.occurred_at).getTime()]),
    );
    expect(at.get("skewed")).toBe(received - 300_000);
    expect(at.get("own-sentAt")).toBe(received - 60_000);
    expect(at.get("explicit")).toBe(received - 10 * HOUR);
    expect(at.get("received")).toBe(received);
    // originalTimestamp alone (no sentAt anywhere) is taken as is.
    await batch([
      { type: "track", userId: "ts-2", event: "plain", originalTimestamp: iso(received - HOUR) },
    ]);
    expect(new Date((await eventsOf("ts-2"))[0]?.occurred_at ?? 0).getTime()).toBe(received - HOUR);
  });

  it("reads gzip bodies of any content type, and refuses a zip bomb with 413 after 512 KB", async () => {
    const payload = JSON.stringify({
      batch: [{ type: "track", userId: "gz-1", event: "zipped", messageId: "gz-e" }],
    });
    for (const type of ["application/x-www-form-urlencoded", "text/plain", "application/json"]) {
      const r = await post("/v1/batch", gzipSync(payload), {
        "content-type": type,
        "content-encoding": "gzip",
      });
      expect(r.status).toBe(200);
    }
    expect((await eventsOf("gz-1")).map((e) => e.name)).toEqual(["zipped"]);
    // 64 MB of JSON squeezed into ~64 KB.
    const bomb = gzipSync(
      Buffer.concat([
        Buffer.from('{"batch":[{"type":"track","userId":"bomb","event":"e","properties":{"x":"'),
        Buffer.alloc(64 * 1024 * 1024, 0x61),
        Buffer.from('"}}]}'),
      ]),
    );
    expect(bomb.length).toBeLessThan(200_000);
    const r = await post("/v1/batch", bomb, {
      "content-type": "application/json",
      "content-encoding": "gzip",
    });
    expect(r.status).toBe(413);
    expect(r.body.error?.code).toBe("payload_too_large");
    expect(await db.knex("contacts").where({ external_id: "bomb" }).first()).toBeUndefined();
  });

  it("is a 4xx only for a request malformed as a whole", async () => {
    expect((await post("/v1/batch", "{not json")).status).toBe(400);
    expect((await post("/v1/batch", '{"items":[]}')).body.error?.message).toMatch(/^batch:/);
    expect((await post("/v1/batch", `"${"x".repeat(10)}"`)).status).toBe(400);
    const big = JSON.stringify({
      batch: [{ type: "track", userId: "big", event: "e", properties: { s: "x".repeat(600_000) } }],
    });
    expect((await post("/v1/batch", big)).status).toBe(413);
    // An item over Segment's 32 KB is one rejection, not a failed batch.
    const fat = await batch([
      { type: "track", userId: "fat", event: "e", properties: { s: "x".repeat(40_000) } },
      { type: "track", userId: "fat", event: "thin" },
    ]);
    expect(fat.body.rejected).toEqual([
      { index: 0, field: "properties.s", message: "makes the item larger than 32 KB" },
    ]);
    expect(fat.body.accepted).toBe(1);
  });

  it("records consent from context.consent, refusing a key that names no category of ours", async () => {
    clock.set(NOW);
    const r = await batch([
      {
        type: "track",
        userId: "consent-1",
        event: "signed_up",
        messageId: "c-1",
        timestamp: new Date(Date.parse(NOW) - HOUR).toISOString(),
        context: {
          consent: {
            categoryPreferences: {
              "sms.promotional": true,
              "email.promotional": false,
              C0004: true,
            },
          },
        },
      },
      {
        type: "track",
        userId: "consent-2",
        event: "signed_up",
        context: { consent: { categoryPreferences: { "sms.promtional": true } } },
      },
    ]);
    expect(r.body.rejected?.map((x) => [x.index, x.field])).toEqual([
      [1, "context.consent.categoryPreferences.sms.promtional"],
    ]);
    const c = await db.knex("contacts").where({ external_id: "consent-1" }).first();
    expect(c.consent).toEqual({
      sms: {
        promotional: { granted: true, source: "ingest:track:c-1", at: "2026-03-02T01:00:00.000Z" },
      },
      email: {
        promotional: { granted: false, source: "ingest:track:c-1", at: "2026-03-02T01:00:00.000Z" },
      },
    });
    // A withdrawal dated before the grant (a retried old batch) does not override it; a later one does.
    await batch([
      {
        type: "identify",
        userId: "consent-1",
        timestamp: new Date(Date.parse(NOW) - 2 * HOUR).toISOString(),
        context: { consent: { categoryPreferences: { "sms.promotional": false } } },
      },
    ]);
    expect(
      (await db.knex("contacts").where({ external_id: "consent-1" }).first()).consent.sms
        .promotional.granted,
    ).toBe(true);
    await batch([
      {
        type: "identify",
        userId: "consent-1",
        messageId: "c-3",
        context: { consent: { categoryPreferences: { "sms.promotional": false } } },
      },
    ]);
    expect(
      (await db.knex("contacts").where({ external_id: "consent-1" }).first()).consent.sms
        .promotional,
    ).toEqual({
      granted: false,
      source: "ingest:identify:c-3",
      at: NOW,
    });
  });
});
