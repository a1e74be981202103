import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTwilioProvider } from "../../../server/delivery/providers/twilio.ts";
import type { Provider } from "../../../server/delivery/types.ts";
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

  /**
   * Two workers in one process (they share the outbox exactly as two processes would) drain
   * MESSAGES messages through `provider` until every one is sent; returns the run's numbers.
   */
  async function drainAll(provider: (p: Provider) => Provider, label: string) {
    const keys = new Map<string, number>();
    for (let i = 0; i < MESSAGES; i++) {
      const contact = await insertContact(f);
      const msg = await insertMessage(f, contact.id, { body: `${label} ${i}` });
      keys.set(msg.providerKey, msg.id);
    }
    const twilio = routes.config.twilio;
    if (!twilio) throw new Error("twilio not configured");
    const workers = ["w1", "w2"].map((workerId) =>
      startDeliveryWorker({
        knex: f.knex,
        crypto: f.crypto,
        providers: {
          sms: provider(
            createTwilioProvider({
              config: twilio,
              publicUrl: routes.url,
              timeoutMs: 300,
              ratePerSecond: null,
            }),
          ),
        },
        log: f.log,
        workerId,
        batchSize: 10,
        concurrency: 8,
        pollMs: 10,
        retryBaseMs: 10,
        retryMaxMs: 100,
        // "late" accepts 600 ms after the request, 300 ms after we gave up: ask well after that.
        reconcileMs: 1500,
        maxAttempts: 25,
        timeoutMs: 300,
      }),
    );
    const started = performance.now();
    await waitFor(
      "all sent",
      async () => {
        const [row] = (await f
          .knex("messages")
          .whereIn("id", [...keys.values()])
          .whereNot({ status: "sent" })
          .count("id as n")) as { n: string }[];
        return Number(row?.n) === 0;
      },
      90_000,
    );
    const elapsed = performance.now() - started;
    await Promise.all(workers.map((w) => w.stop()));
    const mine = (r: { token: string | undefined }) => r.token !== undefined && keys.has(r.token);
    const outcomes = new Map<string, number>();
    for (const r of fake.requests.filter(mine)) {
      outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
    }
    const deliveries = fake.deliveries.filter(mine);
    const duplicates = deliveries.length - new Set(deliveries.map((d) => d.token)).size;
    console.log(
      `faults (${kind}, ${label}): ${MESSAGES} messages, ${fake.requests.filter(mine).length} requests ${JSON.stringify(Object.fromEntries(outcomes))}, ${fake.lists.length} lookups, all sent in ${elapsed.toFixed(0)} ms, ${duplicates} duplicates delivered to a person`,
    );
    return { keys, outcomes, deliveries, duplicates };
  }

  it("delivers every message exactly once to the person, against a provider that does not deduplicate, when 30% of requests (and lookups) get 500, 429, a timeout after acceptance, a late acceptance or no answer", async () => {
    await fake.close();
    fake = await startFakeTwilio({
      faultRate: 0.3,
      faultKinds: ["500", "429", "hang", "late", "drop"],
      lateMs: 600,
      faultLists: true,
      dedupe: false,
      seed: 7,
      retryAfterSeconds: 0,
    });
    await routes.close();
    routes = await startRoutes(f, fake);
    // Each kind at least once, whatever the seeded draw and the timing give the rest.
    for (const fault of ["hang", "late", "drop", "500", "429"] as const) fake.failNext(1, fault);
    const { keys, outcomes, deliveries, duplicates } = await drainAll((p) => p, "reconciled");
    // The faults really happened, each kind, lookups included…
    for (const fault of ["500", "429", "hang", "late", "drop"]) {
      expect(outcomes.get(fault) ?? 0, fault).toBeGreaterThan(0);
    }
    expect(fake.lists.some((l) => l.outcome !== "answered")).toBe(true);
    // …and yet each person got their message once: the lookup found what the provider had
    // accepted without telling us, and only what it had not was sent again.
    expect(duplicates).toBe(0);
    expect(deliveries).toHaveLength(MESSAGES);
    expect(new Set(deliveries.map((d) => d.token))).toEqual(new Set(keys.keys()));
    const rows = (await f
      .knex("messages")
      .whereIn("id", [...keys.values()])
      .select("provider_key", "provider_message_id", "attempts", "outcome_unknown_since")) as {
      provider_key: string;
      provider_message_id: string;
      attempts: number;
      outcome_unknown_since: Date | null;
    }[];
    const sidByKey = new Map(deliveries.map((d) => [d.token, d.sid]));
    for (const row of rows) {
      expect(row.provider_message_id).toBe(sidByKey.get(row.provider_key));
      expect(row.outcome_unknown_since).toBeNull();
      // Every request the provider saw was a counted attempt. Under CPU load an attempt can
      // time out (300 ms here) before its request reaches the fake, so attempts may exceed it.
      const requests = fake.requests.filter((r) => r.token === row.provider_key).length;
      expect(Number(row.attempts)).toBeGreaterThanOrEqual(requests);
      expect(requests).toBeGreaterThanOrEqual(1);
    }
  });

  it("without a lookup (console, a webhook without one) the same faults deliver some messages twice: the number the README states", async () => {
    fake.setFaults(0.3, ["500", "429", "hang", "late", "drop"]);
    fake.failNext(2, "hang");
    const blind = (p: Provider): Provider => ({
      name: p.name,
      ratePerSecond: p.ratePerSecond,
      send: (request) => p.send(request),
    });
    const { outcomes, duplicates } = await drainAll(blind, "blind");
    const unanswered = (outcomes.get("hang") ?? 0) + (outcomes.get("late") ?? 0);
    expect(unanswered).toBeGreaterThan(0);
    // Acceptances we never heard of were sent again and delivered again (more than the fake's
    // hangs under CPU load: an answer that arrives after our 300 ms timeout is one too).
    expect(duplicates).toBeGreaterThan(0);
    fake.setFaults(0);
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
    const sid = fake.deliveries.find((d) => d.token === msg.providerKey)?.sid ?? "";

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
