import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

/**
 * Issue 20: a send with a zh-CN variant, published through the API and run by the real ticker:
 * each contact gets its language, the Chinese one with the Chinese opt-out line, and the outbox,
 * the timeline, the simulator, the preview and the test send all name the variant.
 */

// 2026-03-02 10:00 in Shanghai: inside the sending window.
const START = "2026-03-02T02:00:00Z";
const ZH = "{{ user.firstName }}，您的购物车还在等您，今天全场八折";
const EN = "Hi {{ user.firstName }}, your cart is waiting: 20% off today";

const JOURNEY = {
  format: "waymark/journey@1",
  id: "variants-test",
  name: "Localized cart reminder",
  settings: { testList: ["u-zh", "u-en"] },
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "cart_abandoned" } },
    {
      id: "sms1",
      type: "send",
      send: {
        channel: "sms",
        category: "promotional",
        template: EN,
        variants: [{ locale: "zh-CN", template: ZH }],
      },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "sms1" },
    { from: "sms1", to: "done" },
  ],
};

const ZH_BODY = "丽丽，您的购物车还在等您，今天全场八折 回TD退订";
const EN_BODY = "Hi Sam, your cart is waiting: 20% off today\nReply STOP to opt out";

describe.each(databaseKinds)("send variants through the API and the ticker on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock(START);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const api = (method: string, path: string, body?: unknown) => app.call(method, path, body);

  const identify = (userId: string, firstName: string, locale: string, phone: string) =>
    app.ingest("/v1/identify", {
      userId,
      traits: { firstName, phone, timezone: "Asia/Shanghai", locale },
      consent: { sms: { promotional: true } },
    });

  it("publishes, then sends each contact its language and records the variant", async () => {
    expect((await api("POST", "/api/journeys", JOURNEY)).status).toBe(201);
    expect((await api("POST", "/api/journeys/variants-test/publish")).status).toBe(200);
    expect((await identify("u-zh", "丽丽", "zh-CN", "+8613812345678")).status).toBe(200);
    expect((await identify("u-en", "Sam", "en-US", "+12025550123")).status).toBe(200);
    for (const userId of ["u-zh", "u-en"]) {
      const r = await app.ingest("/v1/track", { userId, event: "cart_abandoned" });
      expect(r.status).toBe(200);
    }
    expect((await app.tick()).messages).toBe(2);

    const list = await api("GET", "/api/messages?journey=variants-test");
    expect(list.status).toBe(200);
    const byContact = new Map(
      (
        list.body.messages as {
          contact: string;
          body: string;
          variant: string | null;
          encoding: string;
        }[]
      ).map((m) => [m.contact, m]),
    );
    expect(byContact.get("u-zh")).toMatchObject({
      body: ZH_BODY,
      variant: "zh-CN",
      encoding: "UCS-2",
    });
    expect(byContact.get("u-en")).toMatchObject({
      body: EN_BODY,
      variant: "default",
      encoding: "GSM-7",
    });

    const sent = (await db
      .knex("enrollment_log as l")
      .join("contacts as c", "c.id", "l.contact_id")
      .where("l.type", "sent")
      .select("c.external_id as contact", "l.data", "l.detail")) as {
      contact: string;
      data: Record<string, unknown>;
      detail: string;
    }[];
    const zhSent = sent.find((s) => s.contact === "u-zh");
    expect(zhSent?.data.variant).toBe("zh-CN");
    expect(zhSent?.detail).toContain("(zh-CN variant)");
    expect(sent.find((s) => s.contact === "u-en")?.data.variant).toBe("default");

    // The contact's timeline as the inspector reads it carries the variant too.
    const contacts = await api("GET", "/api/contacts?q=u-zh");
    const id = (contacts.body.contacts as { id: number }[])[0]?.id;
    const journeys = await api("GET", `/api/contacts/${id}/journeys`);
    expect(JSON.stringify(journeys.body)).toContain('"variant":"zh-CN"');
  });

  it("counts each variant in the results and the CSV, adding up to the send", async () => {
    // A second Chinese reader (zh-Hans-CN reads the zh-CN variant), and one click on zh-CN.
    expect((await identify("u-zh2", "小明", "zh-Hans-CN", "+8613812345679")).status).toBe(200);
    expect(
      (await app.ingest("/v1/track", { userId: "u-zh2", event: "cart_abandoned" })).status,
    ).toBe(200);
    expect((await app.tick()).messages).toBe(1);
    const zh = (await db
      .knex("messages")
      .where({ journey_id: "variants-test", variant: "zh-CN" })
      .orderBy("id")
      .first("id")) as { id: number | string };
    await db
      .knex("messages")
      .where({ id: zh.id })
      .update({ clicked_at: new Date(START) });

    const results = await api("GET", "/api/journeys/variants-test/results");
    expect(results.status, results.text).toBe(200);
    const [send] = results.body.sends as {
      nodeId: string;
      recipients: number;
      clicked: { count: number };
      variants: { variant: string; recipients: number; clicked: { count: number; rate: number } }[];
    }[];
    expect(send).toMatchObject({ nodeId: "sms1", recipients: 3, clicked: { count: 1 } });
    expect(send?.variants).toEqual([
      expect.objectContaining({
        variant: "zh-CN",
        recipients: 2,
        clicked: { count: 1, rate: 0.5 },
      }),
      expect.objectContaining({
        variant: "default",
        recipients: 1,
        clicked: { count: 0, rate: 0 },
      }),
    ]);

    const csv = await api("GET", "/api/journeys/variants-test/results.csv");
    const lines = csv.text.trim().split("\r\n");
    const header = lines[0]?.split(",") ?? [];
    const rows = lines.slice(1).map((l) => l.split(","));
    const col = (name: string) => header.indexOf(name);
    expect(
      rows.map((r) => [r[col("kind")], r[col("variant")], r[col("recipients")], r[col("clicked")]]),
    ).toEqual([
      ["send", "", "3", "1"],
      ["variant", "zh-CN", "2", "1"],
      ["variant", "default", "1", "0"],
    ]);
  });

  it("simulates the same message for the same contact", async () => {
    for (const [contactId, body, variant] of [
      ["u-zh", ZH_BODY, "zh-CN"],
      ["u-en", EN_BODY, "default"],
    ] as const) {
      const r = await api("POST", "/api/simulate", {
        journeyId: "variants-test",
        contactId,
        events: [{ name: "cart_abandoned", at: START }],
      });
      expect(r.status).toBe(200);
      const step = (r.body.timeline as { type: string; body?: string; variant?: string }[]).find(
        (s) => s.type === "sent",
      );
      expect(step).toMatchObject({ body, variant });
    }
  });

  it("previews and test-sends a named variant, or the one the contact's locale picks", async () => {
    const preview = (extra: Record<string, unknown>) =>
      api("POST", "/api/journeys/variants-test/preview", { nodeId: "sms1", ...extra });
    const zh = await preview({ variant: "zh-CN", contact: { attributes: { firstName: "丽丽" } } });
    expect(zh.body).toMatchObject({ text: ZH_BODY, optOutLine: "回TD退订", variant: "zh-CN" });
    const picked = await preview({ contactId: "u-zh" });
    expect(picked.body).toMatchObject({ text: ZH_BODY, variant: "zh-CN" });
    const fallback = await preview({ contactId: "u-en" });
    expect(fallback.body).toMatchObject({ text: EN_BODY, variant: "default" });
    const unknown = await preview({ variant: "fr" });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain("variant");
    expect(unknown.body.error).toMatchObject({ code: "unknown_variant" });

    const long = await preview({ variant: "x".repeat(36) });
    expect(long.status).toBe(400);
    expect(long.text).toContain("variant");
    const wrongTest = await api("POST", "/api/journeys/variants-test/test-send", {
      nodeId: "sms1",
      contactId: "u-zh",
      variant: "ja",
    });
    expect(wrongTest.status).toBe(400);
    expect(wrongTest.body.error).toMatchObject({ code: "unknown_variant" });

    const test = await api("POST", "/api/journeys/variants-test/test-send", {
      nodeId: "sms1",
      contactId: "u-en",
      variant: "zh-CN",
    });
    expect(test.status).toBe(201);
    expect(test.body).toMatchObject({ variant: "zh-CN" });
    // Sam's name in the Chinese text, with the Chinese line: the variant's, not Sam's locale's.
    expect(test.body.text).toBe("[TEST] Sam，您的购物车还在等您，今天全场八折 回TD退订");
    const row = await db.knex("messages").where({ id: test.body.messageId }).first("variant");
    expect(row.variant).toBe("zh-CN");
  });

  it("keeps variants through export and import", async () => {
    const exported = await api("GET", "/api/journeys/variants-test/export");
    expect(exported.status).toBe(200);
    const imported = await api(
      "POST",
      "/api/journeys/import?mode=new&newId=variants-copy",
      JSON.parse(exported.text),
    );
    expect(imported.status).toBe(201);
    const again = await api("GET", "/api/journeys/variants-copy/export");
    expect(again.text.replace("variants-copy", "variants-test")).toBe(exported.text);
    const send = (again.body.nodes as { id: string; send?: { variants?: unknown } }[]).find(
      (n) => n.id === "sms1",
    )?.send;
    expect(send?.variants).toEqual([{ locale: "zh-CN", template: ZH }]);
  });

  it("refuses to publish a variant with a bad tag, naming its path", async () => {
    const doc = structuredClone(JOURNEY);
    doc.id = "variants-bad";
    const send = doc.nodes[1]?.send;
    if (send) send.variants = [{ locale: "zh_CN", template: ZH }];
    expect((await api("POST", "/api/journeys", doc)).status).toBe(201);
    const r = await api("POST", "/api/journeys/variants-bad/publish");
    expect(r.status).toBe(422);
    expect(r.text).toContain("variant_bad_locale");
    expect(r.text).toContain('["nodes",1,"send","variants",0,"locale"]');
  });
});
