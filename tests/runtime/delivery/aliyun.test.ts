import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DeliveryConfig, loadDeliveryConfig } from "../../../server/delivery/config.ts";
import { providerRulesFor } from "../../../server/delivery/provider-rules.ts";
import { createAliyunProvider } from "../../../server/delivery/providers/aliyun.ts";
import type { Provider } from "../../../server/delivery/types.ts";
import { startDeliveryWorker } from "../../../server/delivery/worker.ts";
import { createJourney, publishJourney } from "../../../server/journeys/store.ts";
import { createLogger } from "../../../server/log.ts";
import { policyCache } from "../../../server/runtime/policy.ts";
import { manualClock, startTestApp, type TestApp } from "../../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../../helpers/databases.ts";
import { type FakeAliyun, startFakeAliyun } from "../../helpers/fake-aliyun.ts";
import { contactLog, contactMessages, templateJourney } from "./aliyun-fixtures.ts";

/**
 * Issue 19, China template SMS, end to end: a journey's template send goes through the real
 * Aliyun SDK to a fake Aliyun API that checks the SDK's signature; receipts and replies come
 * back through the callbacks; the provider's window and per-phone limit hold sends back. The
 * fake does not deduplicate, like Aliyun: a resend would be a second SMS.
 */

// 2026-03-02 10:00 in Shanghai.
const START = "2026-03-02T02:00:00Z";
const TOKEN = "cb-token-0123456789abcdef";
describe.each(databaseKinds)("Aliyun template SMS on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  let fake: FakeAliyun;
  let config: DeliveryConfig;
  const clock = manualClock(START);
  let phoneSeq = 0;

  const provider = (secret = fake.accessKeySecret, timeoutMs = 400): Provider =>
    createAliyunProvider({
      config: {
        ...(config.aliyun as NonNullable<DeliveryConfig["aliyun"]>),
        accessKeySecret: secret,
      },
      timeoutMs,
      ratePerSecond: null,
    });
  const worker = (p: Provider) =>
    startDeliveryWorker({
      knex: db.knex,
      crypto: app.crypto,
      providers: { sms: p },
      log: createLogger("silent"),
      workerId: "w-aliyun",
      autoStart: false,
      retryBaseMs: 1,
      retryMaxMs: 5,
      reconcileMs: 0,
    });
  const tick = async () =>
    app.tick({ policy: policyCache(db.knex, "UTC", 0, providerRulesFor(config)) });

  async function enter(journey: string, zone = "Asia/Shanghai") {
    phoneSeq += 1;
    const national = `1380000${String(1000 + phoneSeq)}`;
    const userId = `${journey}-u${phoneSeq}`;
    await app.ingest("/v1/identify", {
      userId,
      traits: { phone: `+86${national}`, timezone: zone },
      consent: { sms: { promotional: true } },
    });
    const tracked = await app.ingest("/v1/track", {
      userId,
      event: journey,
      properties: { orderId: `A${phoneSeq}` },
    });
    expect(tracked.status).toBe(200);
    return { userId, national, orderId: `A${phoneSeq}` };
  }

  const messagesOf = (userId: string) => contactMessages(db.knex, userId);
  const logOf = (userId: string) => contactLog(db.knex, userId);

  const post = (path: string, body: unknown) =>
    fetch(`${app.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    fake = await startFakeAliyun();
    const env = {
      WAYMARK_SMS_PROVIDER: "aliyun",
      ALIYUN_ACCESS_KEY_ID: fake.accessKeyId,
      ALIYUN_ACCESS_KEY_SECRET: fake.accessKeySecret,
      ALIYUN_SMS_ENDPOINT: fake.endpoint,
      ALIYUN_CALLBACK_TOKEN: TOKEN,
      ALIYUN_SMS_DAILY_LIMIT: "2",
    };
    config = loadDeliveryConfig(env);
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock, env);
    for (const doc of [
      templateJourney("promo", [{ id: "notice", category: "promotional" }]),
      templateJourney("promo2", [{ id: "notice", category: "promotional" }]),
      templateJourney("burst", [
        { id: "s1", category: "transactional" },
        { id: "s2", category: "transactional" },
        { id: "s3", category: "transactional" },
      ]),
    ]) {
      await createJourney(db.knex, doc, null);
      await publishJourney(db.knex, doc.id, null, clock.now());
    }
  });
  afterAll(async () => {
    await app?.close();
    await fake?.close();
    await db?.close();
  });

  it("the real SDK's signature is checked: a wrong secret is refused and the message fails, nothing sent", async () => {
    clock.set(START);
    const u = await enter("promo");
    await tick();
    const w = worker(provider("not-the-secret-at-all"));
    await w.drainOnce();
    await w.stop();
    const [m] = await messagesOf(u.userId);
    expect(m?.status).toBe("failed");
    expect(m?.last_error).toContain("SignatureDoesNotMatch");
    expect(fake.calls.filter((c) => c.outId === m?.provider_key)).toEqual([
      { action: "SendSms", ok: false, outId: m?.provider_key },
    ]);
    expect(fake.sent.filter((s) => s.outId === m?.provider_key)).toEqual([]);
  });

  it("sends the template (code, sign name, TemplateParam, OutId) and a SmsReport marks it delivered", async () => {
    clock.set(START);
    const u = await enter("promo");
    await tick();
    const w = worker(provider());
    await w.drainOnce();
    await w.stop();
    const [m] = await messagesOf(u.userId);
    expect(m?.body).toBe(`【阿里云】您的订单${u.orderId}已发货，拒收请回复R`);
    expect(m?.status).toBe("sent");
    const sms = fake.sent.filter((s) => s.outId === m?.provider_key);
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatchObject({
      phone: u.national,
      signName: "阿里云",
      templateCode: "SMS_154950909",
      params: { order: u.orderId },
    });
    expect(m?.provider_message_id).toBe(sms[0]?.bizId);

    const report = [
      {
        phone_number: u.national,
        send_time: "2026-03-02 10:00:01",
        report_time: "2026-03-02 10:00:08",
        success: true,
        err_code: "DELIVERED",
        err_msg: "用户接收成功",
        sms_size: "1",
        biz_id: sms[0]?.bizId,
        out_id: m?.provider_key,
      },
    ];
    const forged = await post("/v1/providers/aliyun/wrong-token-0123456789/report", report);
    expect(forged.status).toBe(404);
    expect((await messagesOf(u.userId))[0]?.status).toBe("sent");
    const res = await post(`/v1/providers/aliyun/${TOKEN}/report`, report);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ code: 0, msg: "成功" });
    expect((await messagesOf(u.userId))[0]?.status).toBe("delivered");
    const bad = await post(`/v1/providers/aliyun/${TOKEN}/report`, [{ success: "yes" }]);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("success");
  });

  it("a timeout is reconciled with QuerySendDetails: found by OutId, so no second SendSms", async () => {
    clock.set(START);
    const u = await enter("promo");
    await tick();
    fake.hang(1, { record: true }); // Aliyun took it; the answer never came
    const w = worker(provider());
    await w.drainOnce();
    let [m] = await messagesOf(u.userId);
    expect(m?.outcome_unknown_since).not.toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    await w.drainOnce();
    await w.stop();
    [m] = await messagesOf(u.userId);
    expect(m?.status).toBe("sent");
    expect(m?.provider_message_id).toBe(m?.provider_key);
    const mine = fake.calls.filter((c) => c.action === "SendSms" && c.outId === m?.provider_key);
    expect(mine).toHaveLength(1);
    expect(fake.calls.some((c) => c.action === "QuerySendDetails")).toBe(true);
    expect(fake.sent.filter((s) => s.outId === m?.provider_key)).toHaveLength(1);
  });

  it("a timeout that Aliyun never took is not found by QuerySendDetails and is sent once more", async () => {
    clock.set(START);
    const u = await enter("promo");
    await tick();
    fake.hang(1, { record: false });
    const w = worker(provider());
    await w.drainOnce();
    await new Promise((r) => setTimeout(r, 20));
    await w.drainOnce();
    await w.stop();
    const [m] = await messagesOf(u.userId);
    expect(m?.status).toBe("sent");
    const mine = fake.calls.filter((c) => c.action === "SendSms" && c.outId === m?.provider_key);
    expect(mine).toHaveLength(2);
    expect(fake.sent.filter((s) => s.outId === m?.provider_key)).toHaveLength(1);
  });

  it("a SmsUp reply 退订 opts the contact out: the next promotional send is suppressed (opted_out)", async () => {
    clock.set(START);
    const u = await enter("promo");
    await tick();
    const up = [
      {
        phone_number: u.national,
        content: " 退订 ",
        sign_name: "阿里云",
        send_time: "2026-03-02 10:01:00",
        dest_code: "1234",
        sequence_id: 9_000_000 + phoneSeq,
      },
    ];
    const res = await post(`/v1/providers/aliyun/${TOKEN}/up`, up);
    expect(res.status).toBe(200);
    // The queued promotional message is canceled at once, and the suppression says why.
    expect((await messagesOf(u.userId))[0]?.status).toBe("canceled");
    // A later promotional send, from another journey.
    const again = await app.ingest("/v1/track", {
      userId: u.userId,
      event: "promo2",
      properties: { orderId: "B1" },
    });
    expect(again.status).toBe(200);
    clock.advance(60_000);
    await tick();
    const suppressed = (await logOf(u.userId)).filter((l) => l.type === "suppressed");
    expect(suppressed.at(-1)?.data).toMatchObject({ reason: "opted_out" });
    expect(await messagesOf(u.userId)).toHaveLength(1);
  });

  it("a lower-case td and an N opt out too; free text does not", async () => {
    for (const [content, out] of [
      ["td", true],
      ["N", true],
      ["不要发了谢谢", false],
    ] as const) {
      clock.set(START);
      const u = await enter("promo");
      const res = await post(`/v1/providers/aliyun/${TOKEN}/up`, [
        { phone_number: u.national, content, sign_name: "阿里云", sequence_id: `s-${u.userId}` },
      ]);
      expect(res.status).toBe(200);
      const rows = await db
        .knex("suppressions as s")
        .join("contacts as c", "c.id", "s.contact_id")
        .where("c.external_id", u.userId)
        .select("s.channel", "s.category", "s.reason");
      expect(rows).toEqual(
        out ? [{ channel: "sms", category: "promotional", reason: "keyword" }] : [],
      );
    }
  });

  it("a promotional send due at 23:00 China time waits for 08:00 (provider window), then goes", async () => {
    clock.set("2026-03-02T15:00:00Z"); // 23:00 in Shanghai
    const u = await enter("promo");
    await tick();
    expect(await messagesOf(u.userId)).toEqual([]);
    const deferred = (await logOf(u.userId)).filter((l) => l.type === "deferred");
    expect(deferred.at(-1)?.data).toMatchObject({
      reason: "provider_window",
      until: Date.parse("2026-03-03T00:00:00Z"),
    });
    expect(deferred.at(-1)?.detail).toContain("aliyun");
    clock.set("2026-03-03T00:00:00Z");
    await tick();
    expect(await messagesOf(u.userId)).toHaveLength(1);
  });

  it("the window holds in China time even for a contact whose own day it is (London 15:00)", async () => {
    clock.set("2026-03-02T15:00:00Z");
    const u = await enter("promo", "Europe/London");
    await tick();
    expect(await messagesOf(u.userId)).toEqual([]);
    const deferred = (await logOf(u.userId)).filter((l) => l.type === "deferred");
    // 08:00 Shanghai is midnight in London: quiet hours there push it on to 08:00 London.
    expect(deferred.at(-1)?.data).toMatchObject({
      reason: "provider_window",
      until: Date.parse("2026-03-03T08:00:00Z"),
    });
  });

  it("the per-phone daily limit (2 here) defers the third SMS of the day to the next China day", async () => {
    clock.set(START);
    const u = await enter("burst");
    await tick();
    for (let i = 0; i < 2; i++) {
      clock.advance(61_000);
      await tick();
    }
    expect(await messagesOf(u.userId)).toHaveLength(2);
    const deferred = (await logOf(u.userId)).filter((l) => l.type === "deferred");
    expect(deferred.at(-1)).toMatchObject({ node_id: "s3" });
    expect(deferred.at(-1)?.data).toMatchObject({
      reason: "provider_limit",
      until: Date.parse("2026-03-02T16:00:00Z"), // midnight in Shanghai
    });
    clock.set("2026-03-02T16:00:00Z");
    await tick();
    expect(await messagesOf(u.userId)).toHaveLength(3);
  });
});
