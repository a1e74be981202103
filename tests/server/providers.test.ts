import knexFactory, { type Knex } from "knex";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ProviderTestResult, ProviderView } from "../../server/api/providers.ts";
import { loadDeliveryConfig } from "../../server/delivery/config.ts";
import { providerRulesInEffect } from "../../server/delivery/provider-rules.ts";
import { type ProviderWatch, watchProviders } from "../../server/delivery/provider-watch.ts";
import { type DeliveryWorker, startDeliveryWorker } from "../../server/delivery/worker.ts";
import { createApiKey } from "../../server/keys/api-keys.ts";
import { createLogger } from "../../server/log.ts";
import { fieldCrypto } from "../../server/privacy/keys.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { type FakeAliyun, startFakeAliyun } from "../helpers/fake-aliyun.ts";
import { type FakeTwilio, startFakeTwilio } from "../helpers/fake-twilio.ts";
import { oneSend } from "../helpers/journeys.ts";
import { startSmtp } from "../runtime/delivery/email-fixtures.ts";
import { insertContact, insertMessage, waitFor } from "../runtime/delivery/fixtures.ts";

/**
 * Issue 19, "Everywhere": providers chosen per channel in Settings. Secrets sealed in the row and
 * never answered or audited; a running worker switches on a PUT and back on a DELETE (through
 * LISTEN on PostgreSQL, a second connection pool hearing the NOTIFY); the send test against the
 * fake Twilio, the fake Aliyun, a real SMTP server and a hanging provider; hostile bodies; 403
 * for non-admins; the publish-time warnings for template and free-text SMS.
 */

const silent = createLogger("silent");

/** What the routes answer, loosely: each test reads the fields its route sends. */
type Answer = Partial<ProviderView> &
  Partial<Omit<ProviderTestResult, "kind" | "channel">> & {
    providers: ProviderView[];
    error: { message: string };
    issues: { code: string; nodeId: string }[];
    provider: { sms: string };
  };
const TOKEN_B = "b-token-0123456789abcdef-SECRET";

describe.each(databaseKinds)("providers in Settings on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  let envTwilio: FakeTwilio;
  let storedTwilio: FakeTwilio;
  let aliyun: FakeAliyun;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let marketerKey: string;
  /** The worker's own database handle: on PostgreSQL a second pool, so only NOTIFY reaches it. */
  let workerKnex: Knex;
  let watch: ProviderWatch;
  let worker: DeliveryWorker;
  const clock = manualClock("2026-03-02T02:00:00Z");

  const api = (method: string, path: string, body?: unknown, key = app.secretKey) =>
    app.call<Answer>(method, path, body, {
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
    });

  const twilioForm = (fake: FakeTwilio, token?: string) => ({
    kind: "twilio",
    settings: { accountSid: fake.accountSid, from: "+15005550006", baseUrl: fake.baseUrl },
    secrets: token === undefined ? {} : { authToken: token },
  });

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    envTwilio = await startFakeTwilio();
    storedTwilio = await startFakeTwilio({ authToken: TOKEN_B });
    aliyun = await startFakeAliyun();
    smtp = await startSmtp();
    const env = {
      WAYMARK_SMS_PROVIDER: "twilio",
      TWILIO_ACCOUNT_SID: envTwilio.accountSid,
      TWILIO_AUTH_TOKEN: envTwilio.authToken,
      TWILIO_FROM: "+15005550006",
      TWILIO_BASE_URL: envTwilio.baseUrl,
      WAYMARK_WEBHOOK_ALLOW_HOSTS: "127.0.0.1",
      // Short enough for the hanging test, long enough for a loaded machine's first SMTP greeting.
      WAYMARK_DELIVERY_TIMEOUT_MS: "1500",
    };
    app = await startTestApp(db, clock, env);
    const { key } = await createApiKey(db.knex, "secret", "m", null, "marketer");
    marketerKey = key;
    workerKnex = db.url
      ? knexFactory({ client: "pg", connection: db.url, pool: { min: 0, max: 2 } })
      : db.knex;
    const delivery = loadDeliveryConfig(env);
    watch = await watchProviders({
      knex: workerKnex,
      crypto: app.crypto,
      env: delivery,
      deps: { config: delivery, log: silent },
      databaseUrl: db.url,
      log: silent,
      onSwap: (channel, provider) => worker.useProvider(channel, provider),
    });
    worker = startDeliveryWorker({
      knex: workerKnex,
      crypto: app.crypto,
      providers: watch.current(),
      log: silent,
      workerId: "providers-test",
      autoStart: false,
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await watch?.stop();
    if (workerKnex && workerKnex !== db.knex) await workerKnex.destroy();
    await app?.close();
    await Promise.all([envTwilio?.close(), storedTwilio?.close(), aliyun?.close(), smtp?.close()]);
    await db?.close();
  });

  // Each test starts from the environment's providers, whatever the last one left stored.
  afterEach(async () => {
    await db.knex("delivery_providers").delete();
    await watch.refresh();
  });

  const fixture = () => ({ db, knex: db.knex, crypto: app.crypto, log: silent, logLines: [] });

  /** Queues one SMS, drains once, and answers which fake took it. */
  async function sendOne(body: string): Promise<"env" | "stored"> {
    const contact = await insertContact(fixture());
    await insertMessage(fixture(), contact.id, { body });
    await worker.drainOnce();
    if (envTwilio.deliveries.some((d) => d.body.startsWith(body))) return "env";
    if (storedTwilio.deliveries.some((d) => d.body.startsWith(body))) return "stored";
    throw new Error(`no fake got "${body}"`);
  }

  it("lists every channel from the environment before anything is stored", async () => {
    const list = await api("GET", "/api/providers");
    expect(list.status).toBe(200);
    expect(
      list.body.providers.map((p: { channel: string; source: string; kind: string }) => [
        p.channel,
        p.source,
        p.kind,
      ]),
    ).toEqual([
      ["sms", "environment", "twilio"],
      ["email", "environment", "console"],
      ["push", "environment", "console"],
      ["webhook", "environment", "console"],
    ]);
    expect(list.text).not.toContain(envTwilio.authToken);
  });

  it("stores the secret sealed, answers only set/not set, keeps it when omitted, and audits without it", async () => {
    const put = await api("PUT", "/api/providers/sms", twilioForm(storedTwilio, TOKEN_B));
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({
      channel: "sms",
      source: "settings",
      kind: "twilio",
      secrets: { authToken: "set" },
      settings: { accountSid: storedTwilio.accountSid },
    });
    expect(put.text).not.toContain(TOKEN_B);
    const row = await db.knex("delivery_providers").where({ channel: "sms" }).first();
    expect(JSON.stringify(row)).not.toContain(TOKEN_B);
    expect(row.secrets_encrypted).toMatch(/^v1\./);
    // The contact-field key does not open it: provider secrets have a key of their own.
    expect(() => app.crypto.decrypt(row.secrets_encrypted)).toThrow();
    expect(app.crypto.openSecret(row.secrets_encrypted)).toContain(TOKEN_B);

    // Omitting the secret keeps it; the form changed only the sender.
    const kept = await api("PUT", "/api/providers/sms", {
      ...twilioForm(storedTwilio),
      settings: { ...twilioForm(storedTwilio).settings, from: "+15005550007" },
    });
    expect(kept.status, kept.text).toBe(200);
    expect(kept.body.secrets).toEqual({ authToken: "set" });
    expect(kept.body.settings?.from).toBe("+15005550007");
    // Clearing a required secret is refused by name.
    const cleared = await api("PUT", "/api/providers/sms", {
      ...twilioForm(storedTwilio),
      secrets: { authToken: null },
    });
    expect(cleared.status).toBe(400);
    expect(cleared.body.error.message).toMatch(/^secrets\.authToken:/);

    const list = await api("GET", "/api/providers");
    expect(list.text).not.toContain(TOKEN_B);
    expect(list.body.providers[0]).toMatchObject({ source: "settings", updatedBy: "test" });
    const audit = await db.knex("audit_log").where("action", "like", "provider.%");
    expect(audit.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(audit)).not.toContain(TOKEN_B);
    expect(audit[0].details).toMatchObject({ channel: "sms", kind: "twilio" });
    await api("PUT", "/api/providers/sms", twilioForm(storedTwilio));
    expect((await api("GET", "/api/settings")).body.provider.sms).toBe("twilio");
  });

  it("switches a running worker to the stored provider after a PUT, and back to env after DELETE", async () => {
    await api("DELETE", "/api/providers/sms");
    await waitFor(
      "the worker back on env",
      async () => (await sendOne(`m-${Date.now()}`)) === "env",
    );
    const put = await api("PUT", "/api/providers/sms", twilioForm(storedTwilio, TOKEN_B));
    expect(put.status).toBe(200);
    // On PostgreSQL the worker's pool hears the NOTIFY; give it time to arrive and reload.
    await waitFor("the worker to pick up the PUT", async () => {
      await watch.refresh();
      return (await sendOne(`n-${Date.now()}`)) === "stored";
    });
    expect(await sendOne("after-put")).toBe("stored");
    expect(storedTwilio.requests.at(-1)?.token).toBeDefined();

    const del = await api("DELETE", "/api/providers/sms");
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ source: "environment", kind: "twilio", secrets: {} });
    await waitFor("the worker to go back to env", async () => {
      return (await sendOne(`o-${Date.now()}`)) === "env";
    });
    expect(await sendOne("after-delete")).toBe("env");
    expect((await api("DELETE", "/api/providers/sms")).status).toBe(404);
  });

  it("falls back to the environment when stored secrets cannot be opened (another WAYMARK_SECRET)", async () => {
    const other = fieldCrypto("another-secret-another-secret-another!");
    await db.knex("delivery_providers").insert({
      channel: "sms",
      kind: "twilio",
      settings: JSON.stringify(twilioForm(storedTwilio).settings),
      secrets_encrypted: other.sealSecret(JSON.stringify({ authToken: TOKEN_B })),
      updated_by: "elsewhere",
    });
    await watch.refresh();
    expect(await sendOne("unopenable")).toBe("env");
    const list = await api("GET", "/api/providers");
    expect(list.body.providers[0]).toMatchObject({
      source: "settings",
      secrets: { authToken: "not set" },
    });
    expect((await api("GET", "/api/settings")).body.provider.sms).toBe("twilio");
  });

  it("sends a test through the saved provider, the unsaved form, Aliyun, SMTP, and a hanging one", async () => {
    await api("PUT", "/api/providers/sms", twilioForm(storedTwilio, TOKEN_B));
    const saved = await api("POST", "/api/providers/sms/test", { to: "+8613800138000" });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body).toMatchObject({ result: "sent", kind: "twilio", error: null });
    expect(saved.body.providerMessageId).toMatch(/^SM/);
    expect(storedTwilio.deliveries.at(-1)?.to).toBe("+8613800138000");

    // The form before saving, with a wrong token: the provider's refusal, as text.
    const wrong = await api("POST", "/api/providers/sms/test", {
      to: "+8613800138000",
      provider: twilioForm(envTwilio, "not-the-token"),
    });
    expect(wrong.status).toBe(200);
    expect(wrong.body.result).not.toBe("sent");
    expect(wrong.body.error).toMatch(/\S/);

    const aliyunForm = {
      kind: "aliyun",
      settings: { accessKeyId: aliyun.accessKeyId, endpoint: aliyun.endpoint },
      secrets: { accessKeySecret: aliyun.accessKeySecret },
    };
    const template = {
      code: "SMS_154950909",
      signName: "阿里云",
      params: [{ name: "code", value: "1234" }],
    };
    const ali = await api("POST", "/api/providers/sms/test", {
      to: "+8613800138000",
      provider: aliyunForm,
      smsTemplate: template,
    });
    expect(ali.body, ali.text).toMatchObject({ result: "sent", kind: "aliyun" });
    expect(aliyun.sent.at(-1)).toMatchObject({ templateCode: "SMS_154950909", signName: "阿里云" });
    expect(aliyun.calls.every((c) => c.ok)).toBe(true);
    const freeText = await api("POST", "/api/providers/sms/test", {
      to: "+8613800138000",
      provider: aliyunForm,
    });
    expect(freeText.body).toMatchObject({ result: "failed" });
    expect(freeText.body.error).toMatch(/template/);

    const mail = await api("POST", "/api/providers/email/test", {
      to: "ops@shop.example",
      provider: {
        kind: "smtp",
        settings: { from: "Shop <news@shop.example>" },
        secrets: { smtpUrl: smtp.url },
      },
    });
    expect(mail.body, mail.text).toMatchObject({ result: "sent", kind: "smtp" });
    expect(smtp.accepted.at(-1)?.subject).toBe("Waymark test message");

    // Accepted, answer never sent: bounded by the providers' timeout, reported, not a 500.
    storedTwilio.failNext(1, "hang");
    const started = Date.now();
    const hung = await api("POST", "/api/providers/sms/test", { to: "+8613800138001" });
    expect(hung.status).toBe(200);
    expect(["unknown", "timeout"]).toContain(hung.body.result);
    expect(hung.body.error).toMatch(/time|abort/i);
    expect(Date.now() - started).toBeLessThan(1500 + 2000 + 1000);
    await api("DELETE", "/api/providers/sms");
  });

  it("authenticates callbacks with the stored provider's credentials as well as the environment's", async () => {
    const status = `${app.url}/v1/providers/twilio/status`;
    const params = { MessageSid: "SMnothing", MessageStatus: "delivered" };
    // Only the environment's Twilio: the stored account's signature is refused.
    expect((await storedTwilio.postSigned(status, params)).status).toBe(403);
    await api("PUT", "/api/providers/sms", twilioForm(storedTwilio, TOKEN_B));
    expect((await storedTwilio.postSigned(status, params)).status).toBe(204);
    // Messages sent before the switch still get their receipts.
    expect((await envTwilio.postSigned(status, params)).status).toBe(204);
    expect((await storedTwilio.postSigned(status, params, "forged")).status).toBe(403);

    const token = "callback-token-0123456789";
    await api("PUT", "/api/providers/sms", {
      kind: "aliyun",
      settings: { accessKeyId: aliyun.accessKeyId, endpoint: aliyun.endpoint },
      secrets: { accessKeySecret: aliyun.accessKeySecret, callbackToken: token },
    });
    const report = (t: string) =>
      fetch(`${app.url}/v1/providers/aliyun/${t}/report`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "[]",
      });
    expect((await report(token)).status).toBe(200);
    expect((await report("wrong-token-0123456789abc")).status).toBe(404);
    // Clearing the optional token turns the callbacks off again.
    const cleared = await api("PUT", "/api/providers/sms", {
      kind: "aliyun",
      settings: { accessKeyId: aliyun.accessKeyId, endpoint: aliyun.endpoint },
      secrets: { callbackToken: null },
    });
    expect(cleared.body.secrets).toEqual({ accessKeySecret: "set", callbackToken: "not set" });
    expect((await report(token)).status).toBe(404);
    await api("DELETE", "/api/providers/sms");
  });

  it("answers 403 to a non-admin on every provider route", async () => {
    const calls: [string, string, unknown][] = [
      ["GET", "/api/providers", undefined],
      ["PUT", "/api/providers/sms", { kind: "console" }],
      ["DELETE", "/api/providers/sms", undefined],
      ["POST", "/api/providers/sms/test", { to: "+8613800138000" }],
    ];
    for (const [method, path, body] of calls) {
      expect([method, path, (await api(method, path, body, marketerKey)).status]).toEqual([
        method,
        path,
        403,
      ]);
    }
    expect(storedTwilio.deliveries.filter((d) => d.to === "+8613800138000").length).toBe(1);
  });

  it("warns on validate and publish of a free-text SMS while Aliyun is in effect, and the reverse", async () => {
    const freeText = oneSend("free-text", {
      channel: "sms",
      category: "promotional",
      template: "Your order shipped",
    });
    const templated = oneSend("templated", {
      channel: "sms",
      category: "transactional",
      template: `您的验证码\${code}`,
      smsTemplate: {
        code: "SMS_1",
        signName: "阿里云",
        params: [{ name: "code", value: "{{ event.code }}" }],
      },
    });
    for (const doc of [freeText, templated])
      expect((await api("POST", "/api/journeys", doc)).status).toBe(201);
    const policy = policyCache(db.knex, "UTC", 0, () =>
      providerRulesInEffect(db.knex, app.crypto, loadDeliveryConfig({})),
    );
    expect((await policy()).providerRules).toBeNull();
    const codes = async (id: string) =>
      (
        (await api("POST", `/api/journeys/${id}/validate`)).body.issues as {
          code: string;
          nodeId: string;
        }[]
      )
        .filter((i) => i.code.endsWith("_provider"))
        .map((i) => `${i.code}@${i.nodeId}`);
    // Twilio (the environment's) sends free text: the template send is the odd one.
    expect(await codes("free-text")).toEqual([]);
    expect(await codes("templated")).toEqual(["sms_template_free_text_provider@send1"]);

    const saved = await api("PUT", "/api/providers/sms", {
      kind: "aliyun",
      settings: { accessKeyId: aliyun.accessKeyId, endpoint: aliyun.endpoint },
      secrets: { accessKeySecret: aliyun.accessKeySecret },
    });
    expect(saved.status, saved.text).toBe(200);
    // The ticker's policy follows: Aliyun's window and daily limit now apply.
    expect((await policy()).providerRules).toMatchObject({ provider: "aliyun", dailyLimit: 10 });
    expect(await codes("free-text")).toEqual(["sms_free_text_template_provider@send1"]);
    expect(await codes("templated")).toEqual([]);
    const published = await api("POST", "/api/journeys/free-text/publish", {});
    expect(published.status, published.text).toBe(200);
    expect(published.body.issues.map((i: { code: string }) => i.code)).toContain(
      "sms_free_text_template_provider",
    );
    expect((await api("GET", "/api/settings")).body.provider.sms).toBe("aliyun");
    await api("DELETE", "/api/providers/sms");
    expect(await codes("free-text")).toEqual([]);
    expect((await policy()).providerRules).toBeNull();
  });
});
