import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

/**
 * Issue #16, item 2: the parts counter is what will be sent. The same send node is rendered
 * both ways for the same contact — the preview API (what the editor and the node's form show)
 * and the message row the ticker writes — and both must cost the same: length, encoding,
 * parts. Before the shared computation (engine/sms/compose.ts) the preview counted a
 * placeholder link of another length and rendered `event.*` from another shape.
 */
function oneSend(id: string, event: string, template: string) {
  return {
    format: "waymark/journey@1",
    id,
    name: id,
    nodes: [
      { id: "start", type: "trigger", trigger: { kind: "event", event } },
      { id: "sms", type: "send", send: { channel: "sms", category: "promotional", template } },
      { id: "done", type: "exit" },
    ],
    edges: [
      { from: "start", to: "sms" },
      { from: "sms", to: "done" },
    ],
  };
}

const CASES = [
  {
    name: "English with a tracked link and an event property",
    journey: "cost-en",
    event: "promo_en",
    // 9 + 97 + 1 + 47-character link + "\nReply STOP to opt out": 177 GSM-7 characters, two
    // parts; counted with a 23-character placeholder it was one.
    template: `Hi {{ user.firstName }}! {{ event.sku }} ${"x".repeat(90)} {{ "https://shop.example.com/sale" | track }}`,
    user: { userId: "cost-en-1", traits: { firstName: "Alex", locale: "en" } },
    properties: { sku: "SKU-42" },
    expected: { encoding: "GSM-7", parts: 2 },
  },
  {
    name: "Chinese (UCS-2) with a tracked link",
    journey: "cost-zh",
    event: "promo_zh",
    template:
      "{{ user.firstName }}，双十二满200减50，仅限48小时：{{ 'https://shop.example.com/coupon' | track }}",
    user: { userId: "cost-zh-1", traits: { firstName: "小美", locale: "zh-CN" } },
    properties: {},
    expected: { encoding: "UCS-2", parts: 2 },
  },
] as const;

/** The text with each tracked link's token masked: only the token's letters may differ. */
const masked = (text: string) =>
  text.replace(/\/l\/[A-Za-z0-9_-]{22}(?![A-Za-z0-9_-])/g, "/l/TOKEN");

describe.each(databaseKinds)("the SMS counter is what the ticker sends, on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock("2026-03-02T02:00:00Z");
  const call = (method: string, path: string, body?: unknown) => app.call(method, path, body);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("settings tell the editor the links this server mints", async () => {
    const s = await call("GET", "/api/settings");
    expect(s.body.links).toEqual({ base: app.url, tokenLength: 22 });
  });

  for (const c of CASES) {
    it(`${c.name}: preview and sent message have equal length, encoding and parts`, async () => {
      expect(
        (await call("POST", "/api/journeys", oneSend(c.journey, c.event, c.template))).status,
      ).toBe(201);
      expect((await call("POST", `/api/journeys/${c.journey}/publish`)).status).toBe(200);
      const identified = await app.ingest("/v1/identify", {
        ...c.user,
        traits: { ...c.user.traits, phone: "+12025550100", timezone: "Asia/Shanghai" },
        consent: { sms: { promotional: true } },
      });
      expect(identified.status).toBe(200);
      const tracked = await app.ingest("/v1/track", {
        userId: c.user.userId,
        event: c.event,
        messageId: `${c.journey}-1`,
        properties: c.properties,
      });
      expect(tracked.status).toBe(200);
      await app.tick();

      const sent = (await db
        .knex("messages as m")
        .join("contacts as c", "c.id", "m.contact_id")
        .where({ "c.external_id": c.user.userId, "m.journey_id": c.journey })
        .first("m.body", "m.encoding", "m.parts")) as
        | { body: string; encoding: string; parts: number }
        | undefined;
      expect(sent).toBeDefined();
      if (!sent) return;

      const preview = await call("POST", `/api/journeys/${c.journey}/preview`, {
        nodeId: "sms",
        contactId: c.user.userId,
        event: { name: c.event, properties: c.properties },
      });
      expect(preview.status).toBe(200);
      const text = String(preview.body.text);
      expect(masked(text)).toBe(masked(sent.body));
      expect(text.length).toBe(sent.body.length);
      expect({ encoding: preview.body.encoding, parts: preview.body.parts }).toEqual({
        encoding: sent.encoding,
        parts: Number(sent.parts),
      });
      expect({ encoding: sent.encoding, parts: Number(sent.parts) }).toEqual(c.expected);
      // The link really is the server's: base URL, /l/, a 22-character token.
      expect(sent.body).toContain(`${app.url}/l/`);
    });
  }
});
