import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTwilioProvider } from "../../../server/delivery/providers/twilio.ts";
import { createWebhookProvider } from "../../../server/delivery/providers/webhook.ts";
import { verifyWebhookSignature } from "../../../server/delivery/signatures.ts";
import type { Provider, SendRequest } from "../../../server/delivery/types.ts";
import type { DeliveryWorkerOptions } from "../../../server/delivery/worker.ts";
import { databaseKinds } from "../../helpers/databases.ts";
import { type FakeTwilio, startFakeTwilio } from "../../helpers/fake-twilio.ts";
import {
  type DeliveryFixture,
  fixtureWorker,
  insertContact,
  insertMessage,
  message,
  openDeliveryFixture,
  type RoutesServer,
  startRoutes,
  waitFor,
} from "./fixtures.ts";

/**
 * Issue 12, item 4: a message whose outcome is unknown is reconciled before any resend, through
 * the provider's status callback or its lookup, and only resent when the provider does not
 * hold it. The providers here do not deduplicate: a resend of an accepted message would be a
 * second SMS to the person.
 */

const FROM = "+15005550006";

function twilioFor(fake: FakeTwilio, timeoutMs = 1000, publicUrl?: string): Provider {
  return createTwilioProvider({
    config: {
      accountSid: fake.accountSid,
      authToken: fake.authToken,
      from: FROM,
      baseUrl: fake.baseUrl,
    },
    publicUrl,
    timeoutMs,
    ratePerSecond: null,
  });
}

describe("the fake Twilio speaks Twilio's API, as the official client reads it", () => {
  it("creates through twilio.messages.create and lists newest first across pages", async () => {
    const fake = await startFakeTwilio({ dedupe: false });
    try {
      /** The official client, pointed at the fake instead of api.twilio.com. */
      class Local extends twilio.RequestClient {
        override request<T>(opts: Parameters<twilio.RequestClient["request"]>[0]) {
          return super.request<T>({
            ...opts,
            uri: opts.uri.replace("https://api.twilio.com", fake.baseUrl),
          } as Parameters<twilio.RequestClient["request"]>[0] & { data?: T });
        }
      }
      const client = twilio(fake.accountSid, fake.authToken, { httpClient: new Local() });
      const sids: string[] = [];
      for (const body of ["one", "two", "three"]) {
        sids.push((await client.messages.create({ to: "+12025550170", from: FROM, body })).sid);
      }
      await client.messages.create({ to: "+12025550171", from: FROM, body: "someone else" });
      const listed = await client.messages.list({ to: "+12025550170", pageSize: 2 });
      expect(listed.map((m) => m.sid)).toEqual([...sids].reverse());
      expect(listed.map((m) => m.body)).toEqual(["three", "two", "one"]);
      expect(listed[0]?.dateCreated).toBeInstanceOf(Date);
      expect(listed[0]?.direction).toBe("outbound-api");
    } finally {
      await fake.close();
    }
  });
});

describe("Twilio lookup", () => {
  let fake: FakeTwilio;
  beforeAll(async () => {
    fake = await startFakeTwilio({ dedupe: false });
  });
  afterAll(async () => fake?.close());

  const request = (body: string, to = "+12025550180"): SendRequest => ({
    idempotencyKey: crypto.randomUUID(),
    to,
    body,
    channel: "sms",
    messageId: 7,
  });

  it("finds a message Twilio accepted without answering, by number, text and time; nothing else", async () => {
    const provider = twilioFor(fake, 200);
    const since = new Date();
    const lost = request("Your order #1 shipped");
    fake.failNext(1, "hang");
    expect((await provider.send(lost)).kind).toBe("unknown");
    const sid = fake.deliveries.at(-1)?.sid;
    expect(await provider.lookup?.({ ...lost, since })).toEqual({
      kind: "accepted",
      providerMessageIds: [sid],
    });
    // Another text to the same number, the same text to another number, or a message from
    // before the call (beyond a minute of clock skew) is not it.
    for (const other of [request("Your order #2 shipped"), request(lost.body, "+12025550181")]) {
      expect(await provider.lookup?.({ ...other, since })).toEqual({ kind: "not_accepted" });
    }
    const later = new Date(since.getTime() + 120_000);
    expect(await provider.lookup?.({ ...lost, since: later })).toEqual({ kind: "not_accepted" });
  });

  it("says 'unavailable' when the list itself fails or does not answer", async () => {
    const flaky = await startFakeTwilio({ faultLists: true });
    try {
      const provider = twilioFor(flaky, 200);
      for (const fault of ["500", "drop"] as const) {
        flaky.failNext(1, fault);
        expect(await provider.lookup?.({ ...request("x"), since: new Date() })).toMatchObject({
          kind: "unavailable",
        });
      }
    } finally {
      await flaky.close();
    }
  });
});

describe.each(databaseKinds)("reconciling unknown outcomes on %s", (kind) => {
  let f: DeliveryFixture;
  let fake: FakeTwilio;
  let routes: RoutesServer;

  beforeAll(async () => {
    f = await openDeliveryFixture(kind);
    fake = await startFakeTwilio({ dedupe: false });
    routes = await startRoutes(f, fake);
  });
  afterAll(async () => {
    await routes?.close();
    await fake?.close();
    await f?.db.close();
  });

  const worker = (provider: Provider, extra: Partial<DeliveryWorkerOptions> = {}) =>
    fixtureWorker(f, provider, { retryBaseMs: 1, retryMaxMs: 5, ...extra });

  it("does not adopt a sid another message owns: the same text to the same number is resent when this one never got through", async () => {
    const contact = await insertContact(f);
    const first = await insertMessage(f, contact.id, { body: "Flash sale today" });
    const w = worker(twilioFor(fake));
    expect(await w.drainOnce()).toBe(1);
    const owned = await message(f, first.id);
    expect(owned.status).toBe("sent");

    // A second message, same text, same person, whose worker died before its call went out.
    const second = await insertMessage(f, contact.id, { body: "Flash sale today" });
    await f
      .knex("messages")
      .where({ id: second.id })
      .update({
        status: "sending",
        attempts: 1,
        locked_by: "ghost",
        locked_until: new Date(Date.now() - 1000),
        outcome_unknown_since: new Date(Date.now() - 1000),
      });
    expect(await w.drainOnce()).toBe(1);
    await w.stop();
    const resent = await message(f, second.id);
    expect(resent.status).toBe("sent");
    expect(resent.provider_message_id).not.toBe(owned.provider_message_id);
    // The list showed the first message, which is not this one: two SMS, one each.
    expect(fake.lists.filter((l) => l.to === contact.phone)).toHaveLength(1);
    expect(fake.deliveries.filter((d) => d.to === contact.phone)).toHaveLength(2);
    expect(fake.duplicates()).toBe(0);
  });

  it("a status callback settles an unknown outcome before the lookup is due: never sent again", async () => {
    const contact = await insertContact(f);
    const msg = await insertMessage(f, contact.id);
    fake.failNext(1, "hang");
    const w = worker(twilioFor(fake, 200, routes.url), { reconcileMs: 60_000 });
    expect(await w.drainOnce()).toBe(1);
    const unknown = await message(f, msg.id);
    expect(unknown.status).toBe("queued");
    expect(unknown.outcome_unknown_since).not.toBeNull();
    expect(unknown.last_error).toMatch(/^outcome unknown: timed out/);
    expect(unknown.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 50_000);

    const delivery = fake.deliveries.find((d) => d.token === msg.providerKey);
    if (!delivery) throw new Error("the fake did not accept the message");
    expect((await fake.sendStatus(delivery.sid, "sent")).status).toBe(204);
    const settled = await message(f, msg.id);
    expect(settled).toMatchObject({
      status: "sent",
      provider_message_id: delivery.sid,
      outcome_unknown_since: null,
    });
    // Past the reconcile time a worker finds nothing to do.
    const later = worker(twilioFor(fake), { now: () => new Date(Date.now() + 120_000) });
    expect(await later.drainOnce()).toBe(0);
    await later.stop();
    await w.stop();
    expect(fake.requests.filter((r) => r.token === msg.providerKey)).toHaveLength(1);
  });

  describe("a webhook receiver that does not deduplicate", () => {
    const SECRET = "reconcile-secret-0123456789";
    let receiver: Server;
    let base = "";
    /** Messages the receiver accepted, per key; the first request of every key hangs. */
    const accepted = new Map<string, number>();
    const hung = new Set<string>();
    let badSignatures = 0;

    beforeAll(async () => {
      receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          const header = req.headers["x-waymark-signature"];
          if (
            !verifyWebhookSignature(
              SECRET,
              typeof header === "string" ? header : undefined,
              raw,
              Date.now() / 1000,
            )
          ) {
            badSignatures++;
            res.writeHead(401).end();
            return;
          }
          const { idempotencyKey } = JSON.parse(raw) as { idempotencyKey: string };
          if (req.url === "/lookup") {
            const held = accepted.has(idempotencyKey);
            res.writeHead(200, { "content-type": "application/json" });
            res.end(
              JSON.stringify(
                held ? { accepted: true, id: `hook-${idempotencyKey}` } : { accepted: false },
              ),
            );
            return;
          }
          accepted.set(idempotencyKey, (accepted.get(idempotencyKey) ?? 0) + 1);
          if (!hung.has(idempotencyKey)) {
            hung.add(idempotencyKey); // accepted, and the answer never comes
            return;
          }
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ id: `hook-${idempotencyKey}` }));
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
      base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    });

    async function drain(lookupUrl: string | undefined): Promise<string[]> {
      const keys: string[] = [];
      for (let i = 0; i < 8; i++) {
        const contact = await insertContact(f);
        keys.push((await insertMessage(f, contact.id, { body: `hook ${i}` })).providerKey);
      }
      const provider = createWebhookProvider({
        config: { url: `${base}/hook`, secret: SECRET, ...(lookupUrl ? { lookupUrl } : {}) },
        timeoutMs: 1000,
        ratePerSecond: null,
      });
      const w = worker(provider, {
        autoStart: true,
        pollMs: 10,
        reconcileMs: 300,
        timeoutMs: 1000,
      });
      await waitFor("all sent", async () => {
        const rows = (await f
          .knex("messages")
          .whereIn("provider_key", keys)
          .pluck("status")) as string[];
        return rows.every((s) => s === "sent");
      });
      await w.stop();
      return keys;
    }

    it("with its lookup URL: every message accepted once, though every first request hung", async () => {
      const keys = await drain(`${base}/lookup`);
      expect(keys.map((k) => accepted.get(k))).toEqual(keys.map(() => 1));
      const ids = (await f
        .knex("messages")
        .whereIn("provider_key", keys)
        .pluck("provider_message_id")) as string[];
      expect(new Set(ids)).toEqual(new Set(keys.map((k) => `hook-${k}`)));
      expect(badSignatures).toBe(0);
    });

    it("without one: each hung message is delivered again (the README's stated limit)", async () => {
      const keys = await drain(undefined);
      // Twice, or more when a loaded machine also misses the second answer's deadline.
      for (const k of keys) expect(accepted.get(k)).toBeGreaterThanOrEqual(2);
    });
  });
});
