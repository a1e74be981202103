import { createServer, type IncomingHttpHeaders } from "node:http";
import { globalAgent } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import webpush from "web-push";
import type { ProviderTestResult } from "../../server/api/providers.ts";
import { verifyWebhookSignature } from "../../server/delivery/signatures.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { newSubscriber, PUSH_CA, startPushService, verifyVapid } from "../helpers/fake-push.ts";

/**
 * Settings → Providers "Send test" on the webhook and push channels, through the form unsaved
 * and through the saved provider: a webhook receiver on a loopback port checks the signature
 * with the form's secret; a push service on a loopback HTTPS port (tests/helpers/fake-push.ts)
 * decrypts the test notification with the subscriber's keys and verifies the VAPID JWT. A
 * receiver's 5xx or 4xx, or a contact without a browser, is an answer naming why, never a 500.
 */
const SECRET = "whsec-test-0123456789abcdef";
const SUBJECT = "mailto:ops@shop.example";
const TEST_BODY = "Waymark test message: your provider settings work.";

type Received = { method: string; headers: IncomingHttpHeaders; body: string };

/** A webhook receiver: records each request, answers the planned statuses, then 200 with an id. */
async function startReceiver() {
  const received: Received[] = [];
  const plan: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ method: req.method ?? "", headers: req.headers, body });
      const status = plan.shift() ?? 200;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(status === 200 ? `{"id":"rcv-${received.length}"}` : `{"reason":"status ${status}"}`);
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/waymark`,
    received,
    plan,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

describe.each(databaseKinds)(
  "provider test sends on the webhook and push channels on %s",
  (kind) => {
    let db: TestDatabase;
    let app: TestApp;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let push: Awaited<ReturnType<typeof startPushService>>;
    const previousCa = globalAgent.options.ca;
    const test = (channel: string, body: unknown) =>
      app.call<ProviderTestResult & { error: unknown }>(
        "POST",
        `/api/providers/${channel}/test`,
        body,
      );

    beforeAll(async () => {
      db = await openTestDatabase(kind);
      receiver = await startReceiver();
      push = await startPushService();
      // The route builds its push provider without a CA of its own: the fake service's
      // self-signed certificate is trusted through the default agent, for this file only.
      globalAgent.options.ca = PUSH_CA;
      app = await startTestApp(db, manualClock("2026-03-02T02:00:00Z"), {
        WAYMARK_WEBHOOK_ALLOW_HOSTS: "127.0.0.1",
        WAYMARK_PUSH_ALLOW_HOSTS: "127.0.0.1",
      });
    });
    afterAll(async () => {
      globalAgent.options.ca = previousCa;
      await app?.close();
      await receiver?.close();
      await push?.close();
      await db?.close();
    });

    const webhookForm = (secret?: string) => ({
      kind: "webhook",
      settings: { url: receiver.url },
      secrets: secret === undefined ? {} : { secret },
    });

    /** The one new request since `before`, its signature checked with `secret`. */
    function signedRequestSince(before: number, secret: string) {
      const fresh = receiver.received.slice(before);
      expect(fresh).toHaveLength(1);
      const [req] = fresh;
      if (!req) throw new Error("the receiver got nothing");
      expect(req.method).toBe("POST");
      const header = req.headers["x-waymark-signature"] as string | undefined;
      const nowSeconds = Math.floor(Date.now() / 1000);
      expect(verifyWebhookSignature(secret, header, req.body, nowSeconds)).toBe(true);
      // Another secret does not verify: the check above can fail.
      expect(verifyWebhookSignature(`${secret}-other`, header, req.body, nowSeconds)).toBe(false);
      return JSON.parse(req.body) as Record<string, unknown>;
    }

    it("webhook: the form unsaved and the saved provider each POST once, signed with the secret", async () => {
      const unsaved = await test("webhook", { to: "hook-probe-1", provider: webhookForm(SECRET) });
      expect(unsaved.status, unsaved.text).toBe(200);
      expect(unsaved.body).toMatchObject({
        channel: "webhook",
        kind: "webhook",
        result: "sent",
        providerMessageId: "rcv-1",
        error: null,
      });
      expect(signedRequestSince(0, SECRET)).toMatchObject({
        channel: "webhook",
        to: "hook-probe-1",
        body: TEST_BODY,
      });
      // The unsaved form stored nothing.
      expect((await app.call("GET", "/api/providers")).text).not.toContain(receiver.url);

      const savedSecret = `${SECRET}-saved`;
      const put = await app.call("PUT", "/api/providers/webhook", webhookForm(savedSecret));
      expect(put.status, put.text).toBe(200);
      const before = receiver.received.length;
      const saved = await test("webhook", { to: "hook-probe-2" });
      expect(saved.status, saved.text).toBe(200);
      expect(saved.body).toMatchObject({ result: "sent", kind: "webhook", error: null });
      expect(signedRequestSince(before, savedSecret)).toMatchObject({ to: "hook-probe-2" });
    });

    it("webhook: a receiver's 500 or 4xx is a non-sent answer naming the status, not a 500", async () => {
      for (const [status, result] of [
        [500, "retry"],
        [422, "failed"],
      ] as const) {
        receiver.plan.push(status);
        const before = receiver.received.length;
        const res = await test("webhook", { to: "hook-probe-3", provider: webhookForm(SECRET) });
        expect(res.status, res.text).toBe(200);
        expect(res.body).toMatchObject({ result, providerMessageId: null });
        expect(res.body.error).toMatch(new RegExp(`HTTP ${status}`));
        expect(receiver.received.length - before).toBe(1);
      }
    });

    describe("push", () => {
      const vapid = webpush.generateVAPIDKeys();
      const pushForm = (keys = vapid) => ({
        kind: "webpush",
        settings: { publicKey: keys.publicKey, subject: SUBJECT, allowHosts: ["127.0.0.1"] },
        secrets: { privateKey: keys.privateKey },
      });
      const pathOf = (name: string) => `/${kind}/test-send/${name}`;
      const requestsTo = (name: string) => push.received.filter((r) => r.path === pathOf(name));

      /** One notification to `name`, sent with `keys`, opening to the test title and body. */
      function checkNotification(
        name: string,
        subscriber: ReturnType<typeof newSubscriber>,
        keys: { publicKey: string },
      ) {
        const got = requestsTo(name);
        expect(got).toHaveLength(1);
        const [req] = got;
        if (!req) throw new Error(`${name} got nothing`);
        verifyVapid(
          req.headers.authorization,
          keys.publicKey,
          push.origin,
          Math.floor(Date.now() / 1000),
        );
        expect(subscriber.decrypt(req.body)).toMatchObject({
          title: "Waymark test",
          body: TEST_BODY,
        });
      }

      it("sends the test notification to the contact's browser, by the form and by the saved provider", async () => {
        const phone = newSubscriber(`${push.origin}${pathOf("tess-phone")}`);
        const registered = await app.ingest("/v1/push/subscriptions", {
          userId: "tess",
          subscription: phone.json,
        });
        expect(registered.status, JSON.stringify(registered.body)).toBeLessThan(300);

        const unsaved = await test("push", { to: "tess", provider: pushForm() });
        expect(unsaved.status, unsaved.text).toBe(200);
        expect(unsaved.body).toMatchObject({ channel: "push", kind: "webpush", result: "sent" });
        expect(unsaved.body.providerMessageId).toMatch(/^https:\/\/127\.0\.0\.1\/m\/\d+$/);
        checkNotification("tess-phone", phone, vapid);

        const savedKeys = webpush.generateVAPIDKeys();
        const put = await app.call("PUT", "/api/providers/push", pushForm(savedKeys));
        expect(put.status, put.text).toBe(200);
        const laptop = newSubscriber(`${push.origin}${pathOf("tess-laptop")}`);
        await app.ingest("/v1/push/subscriptions", { userId: "tess", subscription: laptop.json });
        const saved = await test("push", { to: "tess" });
        expect(saved.status, saved.text).toBe(200);
        expect(saved.body).toMatchObject({ result: "sent", kind: "webpush", error: null });
        // Each browser got the saved provider's notification; the phone its second one.
        checkNotification("tess-laptop", laptop, savedKeys);
        const second = requestsTo("tess-phone")[1];
        if (!second) throw new Error("the phone did not get the saved provider's test");
        expect(phone.decrypt(second.body)).toMatchObject({ title: "Waymark test" });
        // A test has no outbox row: nothing recorded as a delivery.
        const deliveries = (await db.knex("push_deliveries").count("* as n").first()) as {
          n: unknown;
        };
        expect(Number(deliveries.n)).toBe(0);
      });

      it("answers why nothing was pushed to a contact without browsers, not a 500", async () => {
        const before = push.received.length;
        for (const to of ["tess-without-browser", "no-such-contact"]) {
          if (to === "tess-without-browser") {
            const known = await app.ingest("/v1/identify", { userId: to, traits: {} });
            expect(known.status).toBe(200);
            expect(await db.knex("contacts").where({ external_id: to }).first()).toBeDefined();
          }
          const res = await test("push", { to, provider: pushForm() });
          expect(res.status, res.text).toBe(200);
          expect(res.body).toMatchObject({ result: "failed", providerMessageId: null });
          expect(res.body.error).toMatch(/no push subscription/);
        }
        expect(push.received.length).toBe(before);
      });
    });
  },
);
