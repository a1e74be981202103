import { describe, expect, it } from "vitest";
import webpush from "web-push";
import { loadDeliveryConfig } from "../../../server/delivery/config.ts";
import { startDeliveryWorker } from "../../../server/delivery/worker.ts";
import { databaseKinds } from "../../helpers/databases.ts";
import { newSubscriber, verifyVapid } from "../../helpers/fake-push.ts";
import { allThroughGate } from "../../helpers/gate-watch.ts";
import { silent } from "./channel-harness.ts";
import { IPHONE } from "./email-fixtures.ts";
import { PUSH_ENV, pushHarness, pushProviders, SUBJECT, VAPID } from "./push-fixtures.ts";

/**
 * Issue 19, web push end to end: a published journey's push send goes through the ticker and
 * the delivery worker to a push service on a loopback HTTPS port, which decrypts the payload
 * with the subscriber's private key and auth secret and verifies the VAPID JWT with the
 * configured public key; 410 removes a subscription, 429 is retried, consent is push's own, and
 * the click URL is a tracked link whose click counts. Subscriptions: push-subscriptions.test.ts.
 */

describe.each(databaseKinds)("web push on %s", (kind) => {
  const p = pushHarness(kind);
  const h = p.base;
  const { clock, enter, messageOf } = h;
  const { subscribe, endpoint, pathOf, requestsTo, subscriptionsOf } = p;

  it("delivers a published journey's push to each browser: payload decrypts, VAPID verifies, click counts", async () => {
    const phone = newSubscriber(endpoint("pia-phone"));
    const laptop = newSubscriber(endpoint("pia-laptop"));
    await subscribe("pia", phone.json);
    await subscribe("pia", laptop.json);
    await enter("pia", "order_shipped", { firstName: "Pia", plan: "gold & co" });
    const queued = await messageOf("pia");
    expect(queued?.status).toBe("queued");
    expect(queued?.payload).toMatchObject({ title: "Pia, your order shipped" });
    await h.worker.drainOnce();
    const row = await messageOf("pia");
    expect(row).toMatchObject({ status: "sent", attempts: 1, provider: "web-push" });
    expect(row?.provider_message_id).toMatch(/^https:\/\/127\.0\.0\.1\/m\/\d+$/);

    const token = (await h.db.knex("link_tokens").where({ message_id: row?.id }).first()) as {
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
        p.service.origin,
        Math.floor(Date.now() / 1000),
      );
      expect(claims.sub).toBe(SUBJECT);
      expect(subscriber.decrypt(req.body)).toEqual({
        title: "Pia, your order shipped",
        body: "Order A-7 is on its way, Pia",
        icon: "https://cdn.shop.example/i/gold%20%26%20co.png",
        url: `${h.app.url}/l/${token.token}`,
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
        p.service.origin,
        Math.floor(Date.now() / 1000),
      ),
    ).toThrow();

    const click = await fetch(`${h.app.url}/l/${token.token}`, {
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
    p.service.plans.set(pathOf("gus-old"), [410]);
    await enter("gus", "order_shipped", { firstName: "Gus" });
    await h.worker.drainOnce();
    expect(await messageOf("gus")).toMatchObject({ status: "sent" });
    expect(await subscriptionsOf("gus")).toHaveLength(1);

    const gone = newSubscriber(endpoint("ida-gone"));
    await subscribe("ida", gone.json);
    p.service.plans.set(pathOf("ida-gone"), [404]);
    await enter("ida", "order_shipped", { firstName: "Ida" });
    await h.worker.drainOnce();
    const failed = await messageOf("ida");
    expect(failed?.status).toBe("failed");
    expect(failed?.last_error).toMatch(/1 of 1 push subscription\(s\) gone \(HTTP 404/);
    expect(await subscriptionsOf("ida")).toHaveLength(0);

    // A contact without any subscription fails at once with that reason.
    await enter("nobody", "order_shipped", { firstName: "No" });
    await h.worker.drainOnce();
    expect(await messageOf("nobody")).toMatchObject({
      status: "failed",
      last_error: "contact has no push subscription",
    });
  });

  it("retries a 429 and a 503 with backoff, then delivers, pushing again only where still owed", async () => {
    const s = newSubscriber(endpoint("rae"));
    await subscribe("rae", s.json);
    await subscribe("rae", newSubscriber(endpoint("rae-tablet")).json);
    p.service.plans.set(pathOf("rae"), [429, 503]);
    await enter("rae", "order_shipped", { firstName: "Rae" });
    await h.worker.drainOnce();
    expect(await messageOf("rae")).toMatchObject({ status: "queued", attempts: 1 });
    expect((await messageOf("rae"))?.last_error).toContain("HTTP 429");
    for (let i = 0; i < 2; i++) {
      clock.advance(60_000);
      await h.worker.drainOnce();
    }
    const row = await messageOf("rae");
    expect(row).toMatchObject({ status: "sent", attempts: 3 });
    const sent = requestsTo("rae");
    expect(sent).toHaveLength(3);
    // The tablet's push service took it on the first attempt: it was not pushed again.
    expect(requestsTo("rae-tablet")).toHaveLength(1);
    expect(await h.db.knex("push_deliveries").where({ message_id: row?.id })).toHaveLength(2);
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
    await h.app.ingest("/v1/identify", { userId: "cy", traits: {}, ...consent("sms") });
    await enter("cy", "browsed");
    expect(await messageOf("cy")).toBeUndefined();
    const log = await h.db
      .knex("enrollment_log as l")
      .join("contacts as c", "c.id", "l.contact_id")
      .where({ "c.external_id": "cy", "l.type": "suppressed" })
      .first("l.detail");
    expect(log?.detail).toContain("push");

    await h.app.ingest("/v1/identify", { userId: "dee", traits: {}, ...consent("push") });
    await subscribe("dee", newSubscriber(endpoint("dee")).json);
    await enter("dee", "browsed");
    await h.worker.drainOnce();
    expect(await messageOf("dee")).toMatchObject({ status: "sent" });
    expect(requestsTo("dee")[0]?.headers.urgency).toBe("normal");
  });

  it("a test send pushes the node's notification to the tester's browsers, title marked [TEST]", async () => {
    const s = newSubscriber(endpoint("tess"));
    await subscribe("tess", s.json);
    await h.app.ingest("/v1/identify", {
      userId: "tess",
      traits: { firstName: "Tess", plan: "t" },
    });
    const res = await fetch(`${h.app.url}/api/journeys/shipped/test-send`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.app.secretKey}`, "content-type": "application/json" },
      body: JSON.stringify({ nodeId: "p1", contactId: "tess" }),
    });
    expect(res.status).toBe(201);
    await h.worker.drainOnce();
    const [req, ...more] = requestsTo("tess");
    expect(more).toEqual([]);
    const got = s.decrypt(req?.body ?? Buffer.alloc(0)) as Record<string, string>;
    expect(got.title).toBe("[TEST] Tess, your order shipped");
    expect(got.body).toBe("[TEST] Order  is on its way, Tess");
    expect(got.url).toMatch(new RegExp(`^${h.app.url}/l/`));
  });

  it("refuses an endpoint on a loopback host WAYMARK_PUSH_ALLOW_HOSTS does not list", async () => {
    const guardedEnv = { ...PUSH_ENV, WAYMARK_PUSH_ALLOW_HOSTS: "" };
    const guarded = startDeliveryWorker({
      knex: h.db.knex,
      crypto: h.app.crypto,
      providers: pushProviders(loadDeliveryConfig(guardedEnv), h),
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
    p.service.plans.set(pathOf("tim"), [0]);
    await enter("tim", "order_shipped", { firstName: "Tim" });
    await h.worker.drainOnce();
    const first = (await h.db
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
    await h.worker.drainOnce();
    expect(await messageOf("tim")).toMatchObject({ status: "sent", attempts: 2 });
    const sent = requestsTo("tim");
    expect(sent).toHaveLength(2);
    expect(sent[0]?.headers.topic).toBe(sent[1]?.headers.topic);
  });

  it("runs every statement of a push delivery in the worker's gate (PGlite's lane)", async () => {
    const kept = newSubscriber(endpoint("gia-kept"));
    await subscribe("gia", kept.json);
    await subscribe("gia", newSubscriber(endpoint("gia-gone")).json);
    p.service.plans.set(pathOf("gia-gone"), [410]);
    await enter("gia", "order_shipped", { firstName: "Gia" });
    // The subscriptions read, the acceptance recorded, the gone one removed, and the worker's
    // own claim and `sent` set: each in a turn of the gate, none outside it.
    await allThroughGate(h.db.knex, async (gate) => {
      const gated = startDeliveryWorker({
        knex: h.db.knex,
        crypto: h.app.crypto,
        providers: pushProviders(loadDeliveryConfig(PUSH_ENV), h, gate),
        log: silent,
        workerId: "push-gated",
        autoStart: false,
        now: clock.now,
        gate,
      });
      await gated.drainOnce();
      await gated.stop();
    });
    expect(await messageOf("gia")).toMatchObject({ status: "sent", attempts: 1 });
    expect(requestsTo("gia-kept")).toHaveLength(1);
    expect(await subscriptionsOf("gia")).toHaveLength(1);
    const accepted = (await h.db
      .knex("push_deliveries")
      .where({ message_id: (await messageOf("gia"))?.id })
      .count("* as n")
      .first()) as { n: string | number };
    expect(Number(accepted.n)).toBe(1);
  });
});
