import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTwilioProvider } from "../../../server/delivery/providers/twilio.ts";
import { startDeliveryWorker } from "../../../server/delivery/worker.ts";
import { databaseKinds } from "../../helpers/databases.ts";
import { type FakeTwilio, startFakeTwilio } from "../../helpers/fake-twilio.ts";
import {
  type DeliveryFixture,
  insertContact,
  insertMessage,
  openDeliveryFixture,
  type RoutesServer,
  startRoutes,
  waitFor,
} from "./fixtures.ts";

const MESSAGES = 60;

describe.each(databaseKinds)("delivery under provider faults on %s", (kind) => {
  let f: DeliveryFixture;
  let fake: FakeTwilio;
  let routes: RoutesServer;

  beforeAll(async () => {
    f = await openDeliveryFixture(kind);
    fake = await startFakeTwilio({ faultRate: 0.3, seed: 7, retryAfterSeconds: 0 });
    routes = await startRoutes(f, fake);
  });
  afterAll(async () => {
    await routes?.close();
    await fake?.close();
    await f?.db.close();
  });

  it("delivers every message exactly once when 30% of requests get 500, 429 or a timeout", async () => {
    const keys = new Map<string, number>();
    for (let i = 0; i < MESSAGES; i++) {
      const contact = await insertContact(f);
      const msg = await insertMessage(f, contact.id, { body: `message ${i}` });
      keys.set(msg.key, msg.id);
    }
    const twilio = routes.config.twilio;
    if (!twilio) throw new Error("twilio not configured");
    // Two workers in one process share the outbox exactly as two processes would.
    const workers = ["w1", "w2"].map((workerId) =>
      startDeliveryWorker({
        knex: f.knex,
        crypto: f.crypto,
        providers: {
          sms: createTwilioProvider({
            config: twilio,
            publicUrl: routes.url,
            timeoutMs: 300,
            ratePerSecond: null,
          }),
        },
        log: f.log,
        workerId,
        batchSize: 10,
        concurrency: 8,
        pollMs: 10,
        retryBaseMs: 10,
        retryMaxMs: 100,
        maxAttempts: 25,
      }),
    );
    const started = performance.now();
    await waitFor(
      "all sent",
      async () => {
        const [row] = (await f.knex("messages").whereNot({ status: "sent" }).count("id as n")) as {
          n: string;
        }[];
        return Number(row?.n) === 0;
      },
      60_000,
    );
    const elapsed = performance.now() - started;
    await Promise.all(workers.map((w) => w.stop()));

    const outcomes = new Map<string, number>();
    for (const r of fake.requests) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
    console.log(
      `faults (${kind}): ${MESSAGES} messages, ${fake.requests.length} requests ${JSON.stringify(Object.fromEntries(outcomes))}, all sent in ${elapsed.toFixed(0)} ms`,
    );
    // The faults really happened, each kind…
    expect(outcomes.get("500") ?? 0).toBeGreaterThan(0);
    expect(outcomes.get("429") ?? 0).toBeGreaterThan(0);
    expect(outcomes.get("hang") ?? 0).toBeGreaterThan(0);
    // …and yet the provider accepted each idempotency key once, and only ours.
    expect(fake.deliveries).toHaveLength(MESSAGES);
    expect(new Set(fake.deliveries.map((d) => d.token))).toEqual(new Set(keys.keys()));
    const rows = (await f
      .knex("messages")
      .select("id", "idempotency_key", "provider_message_id", "attempts")) as {
      id: number;
      idempotency_key: string;
      provider_message_id: string;
      attempts: number;
    }[];
    const sidByKey = new Map(fake.deliveries.map((d) => [d.token, d.sid]));
    for (const row of rows) {
      expect(row.provider_message_id).toBe(sidByKey.get(row.idempotency_key));
      // Every request the provider saw was a counted attempt. Under CPU load an attempt can
      // time out (300 ms here) before its request reaches the fake, so attempts may exceed it.
      const requests = fake.requests.filter((r) => r.token === row.idempotency_key).length;
      expect(Number(row.attempts)).toBeGreaterThanOrEqual(requests);
      expect(requests).toBeGreaterThanOrEqual(1);
    }
  });

  it("never moves a status backwards: a late 'sent' or 'undelivered' after 'delivered' changes nothing", async () => {
    fake.setFaults(0);
    const contact = await insertContact(f);
    const msg = await insertMessage(f, contact.id);
    const twilio = routes.config.twilio;
    if (!twilio) throw new Error("twilio not configured");
    const w = startDeliveryWorker({
      knex: f.knex,
      crypto: f.crypto,
      providers: {
        sms: createTwilioProvider({
          config: twilio,
          publicUrl: routes.url,
          timeoutMs: 1000,
          ratePerSecond: null,
        }),
      },
      log: f.log,
      workerId: "w3",
      autoStart: false,
    });
    await w.drainOnce();
    await w.stop();
    const sid = fake.deliveries.find((d) => d.token === msg.key)?.sid ?? "";

    const statusOf = async () =>
      ((await f.knex("messages").where({ id: msg.id }).first("status")) as { status: string })
        .status;
    for (const [reported, expected] of [
      ["queued", "sent"],
      ["sent", "sent"],
      ["delivered", "delivered"],
      ["sent", "delivered"],
      ["undelivered", "delivered"],
      ["failed", "delivered"],
      ["delivered", "delivered"],
    ] as const) {
      const res = await fake.sendStatus(sid, reported);
      expect(res.status).toBe(204);
      expect(await statusOf()).toBe(expected);
    }
    const recorded = (await f
      .knex("events")
      .where({ contact_id: contact.id })
      .select("name", "message_id")) as {
      name: string;
      message_id: string;
    }[];
    expect(recorded).toEqual([{ name: "message.delivered", message_id: `delivered:${msg.id}` }]);
  });
});
