import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../server/auth/passwords.ts";
import { loadDeliveryConfig } from "../../server/delivery/config.ts";
import { emailLinkToken } from "../../server/delivery/email-links.ts";
import { twilioSignature, webhookSignatureHeader } from "../../server/delivery/signatures.ts";
import type { RouteSpec } from "../../server/http/routes.ts";
import { createLogger } from "../../server/log.ts";
import { createMetrics } from "../../server/metrics.ts";
import { routeTable } from "../../server/routes/index.ts";
import { liveJourneyCache } from "../../server/runtime/live-journeys.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { apiJourney, cartReminder } from "../helpers/journeys.ts";
import { routeCaller } from "../helpers/route-answers.ts";

/**
 * Every answer the server gives is checked against the schema its route declares in the route
 * table (issue #15: the console's hand-kept copy of the responses had drifted). The scenario
 * calls every route on real HTTP over a real database, in a happy path and in a few refusals;
 * each answer must have a declared status (or one the table's machinery adds: 400, 401, 403,
 * 413, 415, 503), its body must parse, and parsing must lose nothing: a field the server sends
 * that the schema does not declare fails as surely as a missing one.
 */

/** Routes the scenario cannot reach in a happy path here, and why. None today. */
const NOT_COVERED: readonly string[] = [];

const PASSWORD = "correct horse battery";
/**
 * Twilio's credentials turn its webhooks on, the secret the email event webhook, Aliyun's
 * token its SmsReport/SmsUp callbacks.
 */
const TWILIO = {
  TWILIO_ACCOUNT_SID: "AC0123456789",
  TWILIO_AUTH_TOKEN: "twilio-auth-token",
  WAYMARK_EMAIL_WEBHOOK_SECRET: "email-hook-secret",
  ALIYUN_ACCESS_KEY_ID: "LTAI5tResponses",
  ALIYUN_ACCESS_KEY_SECRET: "aliyun-secret",
  ALIYUN_CALLBACK_TOKEN: "aliyun-callback-token-0123",
  // Web push on, so its public key route answers (a key pair made once for this test).
  WAYMARK_VAPID_PUBLIC_KEY:
    "BOdNtc-ATrxWDIYI_5aFnxe15OFEAxkwtDY2t1IarGsN7NxjUiadbq2esKXHv_O_DP-bqWi7b_OLIFchZmyA104",
  WAYMARK_VAPID_PRIVATE_KEY: "k-Uaw10kmA_JwUbNWsYVN2_Wx9RAM9x9nh_w6KwWIPE",
  WAYMARK_VAPID_SUBJECT: "mailto:ops@shop.example",
};

const messageIdOf = (body: unknown) => (body as { messageId: number }).messageId;

describe.each(databaseKinds)("every route's answers match its declared schemas on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  let table: RouteSpec[];
  const clock = manualClock("2026-03-02T02:00:00Z");
  let key: Record<string, string>;
  let cookie: Record<string, string>;
  /** The email test send's message, for the email routes. */
  let emailId = 0;

  const { call, seen, problems } = routeCaller(() => ({
    url: app.url,
    table,
    headers: key,
  }));

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    // Twilio's credentials turn its webhooks on; SMS still go to the console provider.
    app = await startTestApp(db, clock, TWILIO, { metrics: true });
    table = routeTable({
      knex: db.knex,
      crypto: app.crypto,
      live: liveJourneyCache(db.knex),
      policy: policyCache(db.knex, "UTC"),
      delivery: loadDeliveryConfig(TWILIO),
      now: clock.now,
      metrics: createMetrics(db.knex),
      databaseKind: db.kind,
      secureCookies: false,
      log: createLogger("silent"),
      ingest: {},
    });
    key = { authorization: `Bearer ${app.secretKey}` };
    await db.knex("operators").insert({
      email: "admin@example.com",
      role: "admin",
      name: "Ada",
      password_hash: await hashPassword(PASSWORD),
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("signs in, answers health and the OpenAPI document without credentials", async () => {
    expect((await call("get", "/healthz", { as: {} })).status).toBe(200);
    expect((await call("get", "/api/openapi.json", { as: {} })).status).toBe(200);
    expect((await call("get", "/api/journeys", { as: {} })).status).toBe(401);
    const wrong = { email: "admin@example.com", password: "wrong password!" };
    expect((await call("post", "/api/session", { body: wrong, as: {} })).status).toBe(401);
    const login = await fetch(`${app.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@example.com", password: PASSWORD }),
    });
    cookie = { cookie: (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "" };
    const again = { email: "admin@example.com", password: PASSWORD };
    expect((await call("post", "/api/session", { body: again, as: {} })).status).toBe(201);
    expect((await call("get", "/api/me", { as: cookie })).status).toBe(200);
    expect((await call("get", "/api/me")).status).toBe(200);
    const zh = { body: { locale: "zh-CN" }, as: cookie };
    expect((await call("patch", "/api/me", zh)).status).toBe(200);
    expect((await call("patch", "/api/me", { body: { locale: "zh-CN" } })).status).toBe(409);
    const klingon = { body: { locale: "tlh" }, as: cookie };
    expect((await call("patch", "/api/me", klingon)).status).toBe(400);
    expect(problems).toEqual([]);
  });

  it("journeys, versions, tools and results", async () => {
    const j = { params: { id: "cart-test" } };
    expect((await call("post", "/api/journeys", { body: cartReminder() })).status).toBe(201);
    expect((await call("post", "/api/journeys", { body: cartReminder() })).status).toBe(409);
    expect((await call("get", "/api/journeys")).status).toBe(200);
    const filtered = { query: "?q=cart&status=draft" };
    expect((await call("get", "/api/journeys", filtered)).status).toBe(200);
    expect((await call("get", "/api/journeys/:id", j)).status).toBe(200);
    expect((await call("get", "/api/journeys/:id", { params: { id: "nope" } })).status).toBe(404);
    const halfTyped = {
      ...cartReminder(),
      nodes: [...cartReminder().nodes, { id: "w2", type: "wait", wait: {} }],
    };
    expect((await call("put", "/api/journeys/:id", { ...j, body: halfTyped })).status).toBe(200);
    expect((await call("get", "/api/journeys/:id", j)).status).toBe(200);
    expect((await call("put", "/api/journeys/:id", { ...j, body: cartReminder() })).status).toBe(
      200,
    );
    expect((await call("post", "/api/journeys/:id/validate", j)).status).toBe(200);
    const preview = { ...j, body: { nodeId: "sms1" } };
    expect((await call("post", "/api/journeys/:id/preview", preview)).status).toBe(200);
    const dry = { ...j, body: { dryRun: true } };
    expect((await call("post", "/api/journeys/:id/publish", dry)).status).toBe(200);
    expect((await call("post", "/api/journeys/:id/publish", j)).status).toBe(200);

    // A contact in the journey, a message sent, a click: stats and results have numbers.
    await app.ingest("/v1/identify", {
      userId: "u-1",
      traits: { phone: "+13105550101", email: "u1@example.com", firstName: "Uma" },
    });
    await app.ingest("/v1/track", { userId: "u-1", event: "cart_abandoned" });
    await app.tick();
    clock.advance(2 * 3_600_000);
    await app.tick();

    const renamed = { ...cartReminder(), name: "Cart reminder v2" };
    expect((await call("put", "/api/journeys/:id", { ...j, body: renamed })).status).toBe(200);
    expect((await call("post", "/api/journeys/:id/publish", j)).status).toBe(200);
    expect((await call("get", "/api/journeys/:id/versions", j)).status).toBe(200);
    const v1 = { params: { id: "cart-test", version: 1 } };
    expect((await call("get", "/api/journeys/:id/versions/:version", v1)).status).toBe(200);
    expect((await call("get", "/api/journeys/:id/versions/:version/counts", v1)).status).toBe(200);
    const diff = { ...j, query: "?from=1&to=2" };
    expect((await call("get", "/api/journeys/:id/diff", diff)).status).toBe(200);
    expect((await call("get", "/api/journeys/:id/stats", j)).status).toBe(200);
    expect((await call("get", "/api/journeys/:id/results", j)).status).toBe(200);
    expect((await call("get", "/api/journeys/:id/results.csv", j)).status).toBe(200);
    expect((await call("get", "/api/journeys/:id/today", j)).status).toBe(200);
    const nope = { params: { id: "nope" } };
    expect((await call("get", "/api/journeys/:id/today", nope)).status).toBe(404);
    expect((await call("get", "/api/journeys/:id/export", j)).status).toBe(200);
    const wait = { ...j, body: { entries: "wait" } };
    expect((await call("post", "/api/journeys/:id/pause", wait)).status).toBe(200);
    expect((await call("post", "/api/journeys/:id/resume", j)).status).toBe(200);
    expect((await call("post", "/api/journeys/:id/resume", j)).status).toBe(409);
    const revert = { ...j, body: { version: 1 } };
    expect((await call("post", "/api/journeys/:id/revert", revert)).status).toBe(200);
    expect((await call("post", "/api/journeys/:id/discard-draft", j)).status).toBe(200);
    expect((await call("get", "/api/journeys/:id/audit", j)).status).toBe(200);
    const copy = { ...j, body: { id: "cart-copy" } };
    expect((await call("post", "/api/journeys/:id/duplicate", copy)).status).toBe(201);
    const events = [{ at: "2026-03-02T03:00:00Z", name: "cart_abandoned" }];
    const sim = { body: { journeyId: "cart-test", contactId: "u-1", events } };
    expect((await call("post", "/api/simulate", sim)).status).toBe(200);
    const copyId = { params: { id: "cart-copy" } };
    expect((await call("delete", "/api/journeys/:id", copyId)).status).toBe(200);
    const archived = { query: "?status=archived" };
    expect((await call("get", "/api/journeys", archived)).status).toBe(200);
    expect((await call("post", "/api/journeys/:id/unarchive", copyId)).status).toBe(200);
    expect((await call("post", "/api/journeys/:id/unarchive", copyId)).status).toBe(409);

    const api = { params: { id: "api-welcome" } };
    const imported = { body: apiJourney("api-welcome") };
    expect((await call("post", "/api/journeys/import", imported)).status).toBe(201);
    expect((await call("post", "/api/journeys/import", imported)).status).toBe(409);
    const replace = { ...imported, query: "?mode=replace_draft" };
    expect((await call("post", "/api/journeys/import", replace)).status).toBe(200);
    expect((await call("post", "/api/journeys/:id/publish", api)).status).toBe(200);
    const enroll = { ...api, body: { userId: "u-2" } };
    expect((await call("post", "/api/journeys/:id/enroll", enroll)).status).toBe(201);
    expect((await call("post", "/api/journeys/:id/enroll", enroll)).status).toBe(409);
    const testSend = { ...api, body: { nodeId: "sms1", contactId: "u-1" } };
    expect((await call("get", "/api/journeys/:id/test-list", api)).status).toBe(200);
    const sentTest = await call("post", "/api/journeys/:id/test-send", testSend);
    expect(sentTest.status).toBe(201);
    const testMessage = { params: { id: "api-welcome", messageId: messageIdOf(sentTest.body) } };
    expect((await call("get", "/api/journeys/:id/test-send/:messageId", testMessage)).status).toBe(
      200,
    );
    const unknown = { params: { id: "api-welcome", messageId: 999999 } };
    expect((await call("get", "/api/journeys/:id/test-send/:messageId", unknown)).status).toBe(404);
    const testEmail = { ...api, body: { nodeId: "mail1", contactId: "u-1" } };
    const sentEmail = await call("post", "/api/journeys/:id/test-send", testEmail);
    expect(sentEmail.status).toBe(201);
    emailId = messageIdOf(sentEmail.body);
    await app.tick();
    expect(problems).toEqual([]);
  });

  it("contacts, the outbox, settings and audiences", async () => {
    const u1 = { params: { id: "u-1" } };
    const names = { query: "?event=cart_abandoned" };
    expect((await call("get", "/api/template-names", names)).status).toBe(200);
    expect((await call("get", "/api/contacts")).status).toBe(200);
    expect((await call("get", "/api/contacts", { query: "?q=%2B13105550101" })).status).toBe(200);
    expect((await call("get", "/api/contacts/:id", u1)).status).toBe(200);
    expect((await call("get", "/api/contacts/:id/journeys", u1)).status).toBe(200);
    const why = "the customer asked on the phone";
    const out = { ...u1, body: { channel: "sms", category: "promotional", reason: why } };
    expect((await call("post", "/api/contacts/:id/opt-out", out)).status).toBe(201);
    expect((await call("post", "/api/contacts/:id/opt-in", out)).status).toBe(200);
    const consent = { ...u1, body: { ...out.body, granted: true } };
    expect((await call("put", "/api/contacts/:id/consent", consent)).status).toBe(200);
    const nobody = { params: { id: "nobody" }, body: out.body };
    expect((await call("post", "/api/contacts/:id/opt-out", nobody)).status).toBe(404);
    // The acts are the inspector's support timeline now.
    expect((await call("get", "/api/contacts/:id/journeys", u1)).status).toBe(200);
    expect((await call("get", "/api/messages")).status).toBe(200);
    const settings = await call("get", "/api/settings");
    expect(settings.status).toBe(200);
    const policy = { body: { policy: (settings.body as { policy: unknown }).policy } };
    expect((await call("put", "/api/settings", policy)).status).toBe(200);
    // Settings → Providers: console needs no network; its test send is logged and accepted.
    const sms = { params: { channel: "sms" } };
    expect((await call("get", "/api/providers")).status).toBe(200);
    expect(
      (await call("put", "/api/providers/:channel", { ...sms, body: { kind: "console" } })).status,
    ).toBe(200);
    const testSms = { ...sms, body: { to: "+13105550101" } };
    expect((await call("post", "/api/providers/:channel/test", testSms)).status).toBe(200);
    expect((await call("delete", "/api/providers/:channel", sms)).status).toBe(200);
    expect((await call("delete", "/api/providers/:channel", sms)).status).toBe(404);

    const definition = { attribute: "firstName", op: "exists" };
    const audience = { body: { name: "Named", definition } };
    expect((await call("post", "/api/audiences", audience)).status).toBe(201);
    const named = { params: { id: "named" } };
    expect((await call("get", "/api/audiences")).status).toBe(200);
    expect((await call("get", "/api/audiences/:id", named)).status).toBe(200);
    const update = { ...named, body: { name: "Named people", definition } };
    expect((await call("put", "/api/audiences/:id", update)).status).toBe(200);
    expect((await call("post", "/api/audiences/estimate", { body: definition })).status).toBe(200);
    expect((await call("post", "/api/audiences/preview", { body: definition })).status).toBe(200);
    expect((await call("get", "/api/audiences/:id/preview", named)).status).toBe(200);
    expect((await call("delete", "/api/audiences/:id", named)).status).toBe(200);
    const bad = { body: { name: "Bad", definition: { attribute: 3 } } };
    expect((await call("post", "/api/audiences", bad)).status).toBe(422);
    expect((await call("get", "/api/rfm")).status).toBe(200);
    expect(problems).toEqual([]);
  });

  it("keys, operators, the audit logs, metrics, password and sign-out", async () => {
    expect((await call("get", "/api/keys", { as: cookie })).status).toBe(200);
    const newKey = { body: { kind: "secret", name: "ci", role: "support" }, as: cookie };
    const created = await call("post", "/api/keys", newKey);
    expect(created.status).toBe(201);
    const keyId = { params: { id: (created.body as { id: number }).id }, as: cookie };
    expect((await call("delete", "/api/keys/:id", keyId)).status).toBe(200);
    expect((await call("delete", "/api/keys/:id", keyId)).status).toBe(404);
    expect((await call("get", "/api/operators", { as: cookie })).status).toBe(200);
    const op = { body: { email: "sam@example.com", role: "support" }, as: cookie };
    const made = await call("post", "/api/operators", op);
    expect(made.status).toBe(201);
    expect((await call("post", "/api/operators", op)).status).toBe(409);
    const sam = { params: { id: (made.body as { id: number }).id }, as: cookie };
    const role = { ...sam, body: { role: "marketer" } };
    expect((await call("put", "/api/operators/:id/role", role)).status).toBe(200);
    expect((await call("put", "/api/operators/:id/role", role)).status).toBe(200);
    expect((await call("delete", "/api/operators/:id", sam)).status).toBe(200);
    expect((await call("get", "/api/audit/lookups", { as: cookie })).status).toBe(200);
    expect((await call("get", "/api/audit", { as: cookie })).status).toBe(200);
    expect((await call("get", "/metrics")).status).toBe(200);
    const change = { body: { current: PASSWORD, next: "a much longer passphrase" }, as: cookie };
    expect((await call("put", "/api/me/password", change)).status).toBe(200);
    expect((await call("put", "/api/me/password", change)).status).toBe(403);
    expect((await call("delete", "/api/session", { as: cookie })).status).toBe(204);
    expect(problems).toEqual([]);
  });

  it("ingest, Twilio's webhooks and tracked links", async () => {
    const write = { authorization: `Basic ${Buffer.from(`${app.writeKey}:`).toString("base64")}` };
    const as = { as: write };
    const batch = {
      batch: [
        { type: "identify", userId: "u-3", traits: { firstName: "Ivo" } },
        { type: "track", userId: "u-3", event: "viewed", messageId: "m-1" },
        { type: "track", event: "no user" },
      ],
    };
    expect((await call("post", "/v1/batch", { ...as, body: batch })).status).toBe(200);
    expect((await call("post", "/v1/import", { ...as, body: batch })).status).toBe(200);
    const user = { userId: "u-3" };
    expect((await call("post", "/v1/identify", { ...as, body: user })).status).toBe(200);
    const track = { ...as, body: { ...user, event: "viewed", messageId: "m-2" } };
    expect((await call("post", "/v1/track", track)).status).toBe(200);
    expect((await call("post", "/v1/track", { ...as, body: user })).status).toBe(400);
    const page = { ...as, body: { ...user, name: "Home" } };
    expect((await call("post", "/v1/page", page)).status).toBe(200);
    expect((await call("post", "/v1/screen", page)).status).toBe(200);
    const group = { ...as, body: { ...user, groupId: "acme" } };
    expect((await call("post", "/v1/group", group)).status).toBe(200);
    const alias = { ...as, body: { userId: "u-3", previousId: "anon-3" } };
    expect((await call("post", "/v1/alias", alias)).status).toBe(200);
    expect((await call("post", "/v1/track", { body: track.body, as: {} })).status).toBe(401);

    const endpoint = "https://push.example/send/abc";
    const subscription = {
      endpoint,
      keys: {
        p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString("base64url"),
        auth: Buffer.alloc(16, 1).toString("base64url"),
      },
    };
    const push = "/v1/push/subscriptions";
    expect((await call("get", "/v1/push/vapid-public-key")).status).toBe(200);
    expect(
      (await call("post", push, { ...as, body: { userId: "u-3", subscription } })).status,
    ).toBe(200);
    const bad = { userId: "u-3", subscription: { ...subscription, endpoint: "http://x.example" } };
    expect((await call("post", push, { ...as, body: bad })).status).toBe(400);
    expect((await call("delete", push, { ...as, body: { endpoint } })).status).toBe(200);
    expect((await call("delete", push, { body: { endpoint }, as: {} })).status).toBe(401);

    const sent = (await call("get", "/api/messages")).body as {
      messages: { body: string }[];
    };
    const token = sent.messages.map((m) => /\/l\/([\w-]+)/.exec(m.body)?.[1]).find(Boolean);
    expect(token).toBeDefined();
    expect((await call("get", "/l/:token", { params: { token: token ?? "" } })).status).toBe(302);
    expect((await call("get", "/l/:token", { params: { token: "nope" } })).status).toBe(404);

    const signed = (path: string, form: Record<string, string>) => ({
      form,
      as: {
        "x-twilio-signature": twilioSignature(TWILIO.TWILIO_AUTH_TOKEN, app.url + path, form),
      },
    });
    const status = { MessageSid: "SM1", MessageStatus: "delivered" };
    const statusPath = "/v1/providers/twilio/status";
    expect((await call("post", statusPath, signed(statusPath, status))).status).toBe(204);
    expect((await call("post", statusPath, { form: status, as: {} })).status).toBe(403);
    const inbound = { MessageSid: "SM2", From: "+13105550101", Body: "STOP" };
    const inboundPath = "/v1/providers/twilio/inbound";
    expect((await call("post", inboundPath, signed(inboundPath, inbound))).status).toBe(200);

    const aliyun = (token: string, body: unknown) => ({ params: { token }, body, as: {} });
    const reportPath = "/v1/providers/aliyun/:token/report";
    const report = [
      { success: true, biz_id: "1^2", out_id: "00000000-0000-4000-8000-000000000000" },
    ];
    const good = TWILIO.ALIYUN_CALLBACK_TOKEN;
    expect((await call("post", reportPath, aliyun(good, report))).status).toBe(200);
    expect((await call("post", reportPath, aliyun("wrong-token", report))).status).toBe(404);
    expect((await call("post", reportPath, aliyun(good, [{ success: 1 }]))).status).toBe(400);
    const upPath = "/v1/providers/aliyun/:token/up";
    const up = [{ phone_number: "13800138000", content: "退订", sequence_id: 1 }];
    expect((await call("post", upPath, aliyun(good, up))).status).toBe(200);
    expect(problems).toEqual([]);
  });

  it("an email's unsubscribe page, open pixel and bounce webhook", async () => {
    const unsubscribe = { params: { token: emailLinkToken(app.crypto, "unsubscribe", emailId) } };
    expect((await call("get", "/u/:token", { ...unsubscribe, as: {} })).status).toBe(200);
    const oneClick = { ...unsubscribe, form: { "List-Unsubscribe": "One-Click" }, as: {} };
    expect((await call("post", "/u/:token", oneClick)).status).toBe(200);
    expect((await call("get", "/u/:token", { params: { token: "x.y" }, as: {} })).status).toBe(404);
    const pixel = { params: { file: `${emailLinkToken(app.crypto, "open", emailId)}.gif` } };
    expect((await call("get", "/o/:file", { ...pixel, as: {} })).status).toBe(200);

    // Sent by SMTP with the relay's Message-ID, as the SMTP provider stores it at send (no
    // SMTP server here: tests/runtime/delivery/email-smtp.test.ts sends through one).
    await db.knex("messages").where({ id: emailId }).update({
      status: "sent",
      provider: "smtp",
      provider_message_id: "<m1@shop.example>",
    });
    const path = "/v1/email/events";
    const hook = (event: unknown, secret = TWILIO.WAYMARK_EMAIL_WEBHOOK_SECRET) => {
      const raw = JSON.stringify(event);
      const t = Math.floor(clock.now().getTime() / 1000);
      return { raw, as: { "x-waymark-signature": webhookSignatureHeader(secret, raw, t) } };
    };
    const bounce = { type: "bounce", bounce: "hard", messageId: "<m1@shop.example>" };
    expect((await call("post", path, hook(bounce))).status).toBe(204);
    expect((await call("post", path, hook(bounce, "wrong secret"))).status).toBe(401);
    const unknownMail = { type: "complaint", messageId: "<nope@shop.example>" };
    expect((await call("post", path, hook(unknownMail))).status).toBe(404);
    expect((await call("post", path, hook({ type: "bounce" }))).status).toBe(400);
    expect(problems).toEqual([]);
  });

  it("called every route in the table with a success", () => {
    const missing = table
      .map((r) => `${r.method} ${r.path}`)
      .filter((r) => ![...(seen.get(r) ?? [])].some((s) => s < 400))
      .filter((r) => !NOT_COVERED.includes(r));
    expect(missing).toEqual([]);
    expect(table.length).toBeGreaterThanOrEqual(84);
  });
});
