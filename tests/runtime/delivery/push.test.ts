import { afterAll, beforeAll, describe, expect, it } from "vitest";
import webpush from "web-push";
import { loadDeliveryConfig } from "../../../server/delivery/config.ts";
import { createProviders } from "../../../server/delivery/providers/index.ts";
import { type DeliveryWorker, startDeliveryWorker } from "../../../server/delivery/worker.ts";
import { createJourney, publishJourney } from "../../../server/journeys/store.ts";
import { manualClock, startTestApp, type TestApp } from "../../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../../helpers/databases.ts";
import { newSubscriber, PUSH_CA, startPushService, verifyVapid } from "../../helpers/fake-push.ts";
import { IPHONE } from "./email-fixtures.ts";

/**
 * Issue 19, web push end to end: a site registers its users' browser subscriptions with the
 * write key (hostile ones refused, naming the field); a published journey's push send goes
 * through the ticker and the delivery worker to a push service on a loopback HTTPS port, which
 * decrypts the payload with the subscriber's private key and auth secret and verifies the
 * VAPID JWT with the configured public key; 410 removes a subscription, 429 is retried, consent
 * is push's own, and the click URL is a tracked link whose click counts.
 */

const START = "2026-03-02T12:00:00Z";
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const VAPID = webpush.generateVAPIDKeys();
const SUBJECT = "mailto:ops@shop.example";

const journey = (id: string, event: string, category: string, push?: Record<string, unknown>) => ({
  format: "waymark/journey@1",
  id,
  name: id,
  settings: { testList: ["tess"] },
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event } },
    {
      id: "p1",
      type: "send",
      send: {
        channel: "push",
        category,
        template: "Order {{ event.order }} is on its way, {{ user.firstName }}",
        ...(push ? { push } : {}),
      },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "p1" },
    { from: "p1", to: "done" },
  ],
});

let service: Awaited<ReturnType<typeof startPushService>>;
beforeAll(async () => {
  service = await startPushService();
});
afterAll(async () => {
  await service?.close();
});

describe.each(databaseKinds)("web push on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  let worker: DeliveryWorker;
  const clock = manualClock(START);
  const env = {
    WAYMARK_VAPID_PUBLIC_KEY: VAPID.publicKey,
    WAYMARK_VAPID_PRIVATE_KEY: VAPID.privateKey,
    WAYMARK_VAPID_SUBJECT: SUBJECT,
    WAYMARK_PUSH_ALLOW_HOSTS: "127.0.0.1",
    WAYMARK_DELIVERY_TIMEOUT_MS: "2000",
  };

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock, env);
    worker = startDeliveryWorker({
      knex: db.knex,
      crypto: app.crypto,
      providers: createProviders(loadDeliveryConfig(env), silent, undefined, {
        knex: db.knex,
        crypto: app.crypto,
        ca: PUSH_CA,
      }),
      log: silent,
      workerId: "push-test",
      autoStart: false,
      now: clock.now,
      retryBaseMs: 1000,
    });
    for (const j of [
      journey("shipped", "order_shipped", "transactional", {
        title: "{{ user.firstName }}, your order shipped",
        icon: "https://cdn.shop.example/i/{{ user.plan }}.png",
        url: "https://shop.example/orders/{{ event.order }}?u={{ user.id }}",
      }),
      journey("promo", "browsed", "promotional", { title: "20% off today" }),
    ]) {
      await createJourney(db.knex, j, null);
      await publishJourney(db.knex, j.id, null, clock.now());
    }
  });
  afterAll(async () => {
    await worker?.stop();
    await app?.close();
    await db?.close();
  });

  const subscribe = (userId: string, subscription: unknown) =>
    app.ingest("/v1/push/subscriptions", { userId, subscription });
  const endpoint = (name: string) => `${service.origin}/${kind}/${name}`;
  const pathOf = (name: string) => `/${kind}/${name}`;
  const requestsTo = (name: string) => service.received.filter((r) => r.path === pathOf(name));

  async function enter(userId: string, event: string, traits: Record<string, unknown> = {}) {
    expect((await app.ingest("/v1/identify", { userId, traits })).status).toBe(200);
    const tracked = await app.ingest("/v1/track", { userId, event, properties: { order: "A-7" } });
    expect(tracked.status).toBe(200);
    await app.tick();
  }

  async function messageOf(userId: string) {
    return (await db
      .knex("messages as m")
      .join("contacts as c", "c.id", "m.contact_id")
      .where({ "c.external_id": userId })
      .first(
        "m.id",
        "m.status",
        "m.attempts",
        "m.provider",
        "m.provider_key",
        "m.provider_message_id",
        "m.last_error",
        "m.payload",
        "m.clicked_at",
      )) as
      | {
          id: number;
          status: string;
          attempts: number;
          provider: string | null;
          provider_key: string;
          provider_message_id: string | null;
          last_error: string | null;
          payload: Record<string, unknown> | null;
          clicked_at: Date | null;
        }
      | undefined;
  }

  const subscriptionsOf = async (userId: string) =>
    (await db
      .knex("push_subscriptions as s")
      .join("contacts as c", "c.id", "s.contact_id")
      .where({ "c.external_id": userId })
      .select("s.id", "s.subscription_encrypted")) as {
      id: number;
      subscription_encrypted: string;
    }[];

  it("registers a browser's subscription by write key, encrypted at rest, several per contact, removable", async () => {
    const phone = newSubscriber(endpoint("reg-phone"));
    const laptop = newSubscriber(endpoint("reg-laptop"));
    expect((await subscribe("reg", phone.json)).status).toBe(200);
    expect((await subscribe("reg", laptop.json)).status).toBe(200);
    // Registering the same browser again refreshes it rather than adding a row.
    expect((await subscribe("reg", phone.json)).status).toBe(200);
    const rows = await subscriptionsOf("reg");
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.subscription_encrypted).not.toContain("127.0.0.1");
      expect(r.subscription_encrypted).not.toContain(phone.json.keys.p256dh);
      expect(JSON.parse(app.crypto.decrypt(r.subscription_encrypted))).toHaveProperty("endpoint");
    }
    // The same browser registered by another user (someone else signs in) moves to them.
    expect((await subscribe("reg-2", laptop.json)).status).toBe(200);
    expect(await subscriptionsOf("reg")).toHaveLength(1);
    expect(await subscriptionsOf("reg-2")).toHaveLength(1);

    const remove = (body: unknown) =>
      fetch(`${app.url}/v1/push/subscriptions`, {
        method: "DELETE",
        headers: {
          "content-type": "application/json",
          authorization: `Basic ${Buffer.from(`${app.writeKey}:`).toString("base64")}`,
        },
        body: JSON.stringify(body),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as Record<string, unknown>,
      }));
    expect(await remove({ endpoint: phone.json.endpoint })).toEqual({
      status: 200,
      body: { success: true, removed: true },
    });
    expect(await remove({ endpoint: phone.json.endpoint })).toMatchObject({
      body: { removed: false },
    });
    expect(await subscriptionsOf("reg")).toHaveLength(0);

    const key = await fetch(`${app.url}/v1/push/vapid-public-key`).then((r) => r.json());
    expect(key).toEqual({ publicKey: VAPID.publicKey });
  });

  it("refuses hostile subscriptions with a 4xx naming the field", async () => {
    const good = newSubscriber(endpoint("hostile")).json;
    const cases: [unknown, number, string][] = [
      [{ ...good, endpoint: "http://push.example/x" }, 400, "subscription.endpoint"],
      [{ ...good, endpoint: "https://user:pw@push.example/x" }, 400, "subscription.endpoint"],
      [{ ...good, endpoint: "not a url" }, 400, "subscription.endpoint"],
      [
        { ...good, keys: { ...good.keys, p256dh: Buffer.alloc(33, 4).toString("base64url") } },
        400,
        "subscription.keys.p256dh",
      ],
      [{ ...good, keys: { ...good.keys, p256dh: "!!!" } }, 400, "subscription.keys.p256dh"],
      [
        { ...good, keys: { ...good.keys, auth: Buffer.alloc(8).toString("base64url") } },
        400,
        "subscription.keys.auth",
      ],
      [{ endpoint: good.endpoint }, 400, "subscription.keys"],
      [
        { ...good, endpoint: `https://push.example/${"x".repeat(5000)}` },
        400,
        "subscription.endpoint",
      ],
    ];
    for (const [subscription, status, field] of cases) {
      const r = await subscribe("hostile", subscription);
      expect({ status: r.status, field }).toEqual({ status, field });
      expect(JSON.stringify(r.body)).toContain(field);
    }
    const nul = await subscribe("bad\u0000id", good);
    expect(nul.status).toBe(400);
    expect(JSON.stringify(nul.body)).toContain("userId");
    const huge = await subscribe("hostile", { ...good, pad: "x".repeat(20_000) });
    expect(huge.status).toBe(413);
    const anonymous = await fetch(`${app.url}/v1/push/subscriptions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId: "hostile", subscription: good }),
    });
    expect(anonymous.status).toBe(401);
    expect(await subscriptionsOf("hostile")).toHaveLength(0);
  });

  it("delivers a published journey's push to each browser: payload decrypts, VAPID verifies, click counts", async () => {
    const phone = newSubscriber(endpoint("pia-phone"));
    const laptop = newSubscriber(endpoint("pia-laptop"));
    await subscribe("pia", phone.json);
    await subscribe("pia", laptop.json);
    await enter("pia", "order_shipped", { firstName: "Pia", plan: "gold & co" });
    const queued = await messageOf("pia");
    expect(queued?.status).toBe("queued");
    expect(queued?.payload).toMatchObject({ title: "Pia, your order shipped" });
    await worker.drainOnce();
    const row = await messageOf("pia");
    expect(row).toMatchObject({ status: "sent", attempts: 1, provider: "web-push" });
    expect(row?.provider_message_id).toMatch(/^https:\/\/127\.0\.0\.1\/m\/\d+$/);

    const token = (await db.knex("link_tokens").where({ message_id: row?.id }).first()) as {
      token: string;
      url: string;
    };
    expect(token.url).toBe("https://shop.example/orders/A-7?u=pia");
    for (const [name, subscriber] of [
      ["pia-phone", phone],
      ["pia-laptop", laptop],
    ] as const) {
      const [req, ...more] = requestsTo(name);
      expect(more).toEqual([]);
      if (!req) throw new Error(`${name} got nothing`);
      expect(req.headers["content-encoding"]).toBe("aes128gcm");
      expect(req.headers.ttl).toBe("86400");
      expect(req.headers.urgency).toBe("high");
      expect(req.headers.topic).toBe(row?.provider_key.replace(/-/g, ""));
      const claims = verifyVapid(
        req.headers.authorization,
        VAPID.publicKey,
        service.origin,
        Math.floor(Date.now() / 1000),
      );
      expect(claims.sub).toBe(SUBJECT);
      expect(subscriber.decrypt(req.body)).toEqual({
        title: "Pia, your order shipped",
        body: "Order A-7 is on its way, Pia",
        icon: "https://cdn.shop.example/i/gold%20%26%20co.png",
        url: `${app.url}/l/${token.token}`,
        tag: row?.provider_key,
      });
      // The other browser's keys do not open it: the check above can fail.
      const other = subscriber === phone ? laptop : phone;
      expect(() => other.decrypt(req.body)).toThrow();
    }
    // A signature by another key does not verify.
    const [first] = requestsTo("pia-phone");
    expect(() =>
      verifyVapid(
        first?.headers.authorization,
        webpush.generateVAPIDKeys().publicKey,
        service.origin,
        Math.floor(Date.now() / 1000),
      ),
    ).toThrow();

    const click = await fetch(`${app.url}/l/${token.token}`, {
      redirect: "manual",
      headers: { "user-agent": IPHONE },
    });
    expect(click.status).toBe(302);
    expect(click.headers.get("location")).toBe("https://shop.example/orders/A-7?u=pia");
    expect((await messageOf("pia"))?.clicked_at).not.toBeNull();
  });

  it("removes a subscription the push service calls gone (410); a message with none left fails saying so", async () => {
    const old = newSubscriber(endpoint("gus-old"));
    const current = newSubscriber(endpoint("gus-new"));
    await subscribe("gus", old.json);
    await subscribe("gus", current.json);
    service.plans.set(pathOf("gus-old"), [410]);
    await enter("gus", "order_shipped", { firstName: "Gus" });
    await worker.drainOnce();
    expect(await messageOf("gus")).toMatchObject({ status: "sent" });
    expect(await subscriptionsOf("gus")).toHaveLength(1);

    const gone = newSubscriber(endpoint("ida-gone"));
    await subscribe("ida", gone.json);
    service.plans.set(pathOf("ida-gone"), [404]);
    await enter("ida", "order_shipped", { firstName: "Ida" });
    await worker.drainOnce();
    const failed = await messageOf("ida");
    expect(failed?.status).toBe("failed");
    expect(failed?.last_error).toMatch(/1 of 1 push subscription\(s\) gone \(HTTP 404/);
    expect(await subscriptionsOf("ida")).toHaveLength(0);

    // A contact without any subscription fails at once with that reason.
    await enter("nobody", "order_shipped", { firstName: "No" });
    await worker.drainOnce();
    expect(await messageOf("nobody")).toMatchObject({
      status: "failed",
      last_error: "contact has no push subscription",
    });
  });

  it("retries a 429 and a 503 with backoff, then delivers, pushing again only where still owed", async () => {
    const s = newSubscriber(endpoint("rae"));
    await subscribe("rae", s.json);
    await subscribe("rae", newSubscriber(endpoint("rae-tablet")).json);
    service.plans.set(pathOf("rae"), [429, 503]);
    await enter("rae", "order_shipped", { firstName: "Rae" });
    await worker.drainOnce();
    expect(await messageOf("rae")).toMatchObject({ status: "queued", attempts: 1 });
    expect((await messageOf("rae"))?.last_error).toContain("HTTP 429");
    for (let i = 0; i < 2; i++) {
      clock.advance(60_000);
      await worker.drainOnce();
    }
    const row = await messageOf("rae");
    expect(row).toMatchObject({ status: "sent", attempts: 3 });
    const sent = requestsTo("rae");
    expect(sent).toHaveLength(3);
    // The tablet's push service took it on the first attempt: it was not pushed again.
    expect(requestsTo("rae-tablet")).toHaveLength(1);
    expect(await db.knex("push_deliveries").where({ message_id: row?.id })).toHaveLength(2);
    // Every attempt names the same topic, and the payload the same tag: a resend replaces.
    expect(new Set(sent.map((r) => r.headers.topic)).size).toBe(1);
    expect(s.decrypt(sent[2]?.body ?? Buffer.alloc(0))).toMatchObject({ tag: row?.provider_key });
  });

  it("asks push's own consent: an SMS grant does not let a promotional push through", async () => {
    const s = newSubscriber(endpoint("cy"));
    await subscribe("cy", s.json);
    const consent = (channel: string) => ({
      context: { consent: { categoryPreferences: { [`${channel}.promotional`]: true } } },
    });
    await app.ingest("/v1/identify", { userId: "cy", traits: {}, ...consent("sms") });
    await enter("cy", "browsed");
    expect(await messageOf("cy")).toBeUndefined();
    const log = await db
      .knex("enrollment_log as l")
      .join("contacts as c", "c.id", "l.contact_id")
      .where({ "c.external_id": "cy", "l.type": "suppressed" })
      .first("l.detail");
    expect(log?.detail).toContain("push");

    await app.ingest("/v1/identify", { userId: "dee", traits: {}, ...consent("push") });
    await subscribe("dee", newSubscriber(endpoint("dee")).json);
    await enter("dee", "browsed");
    await worker.drainOnce();
    expect(await messageOf("dee")).toMatchObject({ status: "sent" });
    expect(requestsTo("dee")[0]?.headers.urgency).toBe("normal");
  });
  it("a test send pushes the node's notification to the tester's browsers, title marked [TEST]", async () => {
    const s = newSubscriber(endpoint("tess"));
    await subscribe("tess", s.json);
    await app.ingest("/v1/identify", { userId: "tess", traits: { firstName: "Tess", plan: "t" } });
    const res = await fetch(`${app.url}/api/journeys/shipped/test-send`, {
      method: "POST",
      headers: { authorization: `Bearer ${app.secretKey}`, "content-type": "application/json" },
      body: JSON.stringify({ nodeId: "p1", contactId: "tess" }),
    });
    expect(res.status).toBe(201);
    await worker.drainOnce();
    const [req, ...more] = requestsTo("tess");
    expect(more).toEqual([]);
    const got = s.decrypt(req?.body ?? Buffer.alloc(0)) as Record<string, string>;
    expect(got.title).toBe("[TEST] Tess, your order shipped");
    expect(got.body).toBe("[TEST] Order  is on its way, Tess");
    expect(got.url).toMatch(new RegExp(`^${app.url}/l/`));
  });
  it("refuses an endpoint on a loopback host WAYMARK_PUSH_ALLOW_HOSTS does not list", async () => {
    const guardedEnv = { ...env, WAYMARK_PUSH_ALLOW_HOSTS: "" };
    const guarded = startDeliveryWorker({
      knex: db.knex,
      crypto: app.crypto,
      providers: createProviders(loadDeliveryConfig(guardedEnv), silent, undefined, {
        knex: db.knex,
        crypto: app.crypto,
        ca: PUSH_CA,
      }),
      log: silent,
      workerId: "push-guarded",
      autoStart: false,
      now: clock.now,
    });
    await subscribe("lou", newSubscriber(endpoint("lou")).json);
    await enter("lou", "order_shipped", { firstName: "Lou" });
    await guarded.drainOnce();
    await guarded.stop();
    const row = await messageOf("lou");
    expect(row?.status).toBe("failed");
    expect(row?.last_error).toContain("list it in WAYMARK_PUSH_ALLOW_HOSTS");
    expect(requestsTo("lou")).toHaveLength(0);
    // Refused is not gone: the subscription stays for an operator to look at.
    expect(await subscriptionsOf("lou")).toHaveLength(1);
  });
  it("leaves a push whose service never answers outcome-unknown, then pushes it again with the same topic", async () => {
    const s = newSubscriber(endpoint("tim"));
    await subscribe("tim", s.json);
    service.plans.set(pathOf("tim"), [0]);
    await enter("tim", "order_shipped", { firstName: "Tim" });
    await worker.drainOnce();
    const first = (await db
      .knex("messages")
      .where({ id: (await messageOf("tim"))?.id })
      .first()) as {
      status: string;
      outcome_unknown_since: Date | null;
      last_error: string;
    };
    expect(first.status).toBe("queued");
    expect(first.outcome_unknown_since).not.toBeNull();
    expect(first.last_error).toContain("timed out");
    clock.advance(60_000);
    await worker.drainOnce();
    expect(await messageOf("tim")).toMatchObject({ status: "sent", attempts: 2 });
    const sent = requestsTo("tim");
    expect(sent).toHaveLength(2);
    expect(sent[0]?.headers.topic).toBe(sent[1]?.headers.topic);
  });
});
