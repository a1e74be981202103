import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { Listening } from "../../../server/db/listen.ts";
import { migrateLatest } from "../../../server/db/migrate.ts";
import { type DeliveryWorker, startDeliveryWorker } from "../../../server/delivery/worker.ts";
import { createJourney, publishJourney } from "../../../server/journeys/store.ts";
import { fieldCrypto } from "../../../server/privacy/keys.ts";
import { listenForWork } from "../../../server/runtime/due-channel.ts";
import { policyCache } from "../../../server/runtime/policy.ts";
import { type RunningTicker, startTicker } from "../../../server/runtime/ticker.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../../helpers/databases.ts";
import { type FakeTwilio, startFakeTwilio } from "../../helpers/fake-twilio.ts";
import { fakeTwilioProvider } from "../../helpers/fake-twilio-provider.ts";
import { middayZone, readUntil } from "../../helpers/time.ts";

/**
 * Issue 12, item 8: outbox rows used to wait for the delivery poll (500 ms) although the ticker
 * had just written them. Here both loops poll once a minute: a message that reaches the
 * provider within seconds was woken by the ticker's commit — in-process through onMessages,
 * across processes through NOTIFY waymark_outbox and a LISTEN connection.
 */

const crypto = fieldCrypto("w".repeat(32));
const JOURNEY = {
  format: "waymark/journey@1",
  id: "wake",
  name: "Wake",
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "api" } },
    {
      id: "sms1",
      type: "send",
      send: { channel: "sms", category: "transactional", template: "Your code is ready" },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "sms1" },
    { from: "sms1", to: "done" },
  ],
};

describe.each(databaseKinds)("delivery wakes on the ticker's commit on %s", (kind) => {
  let db: TestDatabase | undefined;
  let fake: FakeTwilio | undefined;
  let ticker: RunningTicker | undefined;
  let delivery: DeliveryWorker | undefined;
  let listener: Listening | undefined;
  afterEach(async () => {
    await listener?.close();
    await ticker?.stop();
    await delivery?.stop();
    await fake?.close();
    await db?.close();
    listener = undefined;
  });

  /** A migrated database with the journey, a fake provider, and delivery idle on a 60 s poll. */
  async function setup() {
    db = await openTestDatabase(kind);
    const { knex } = db;
    await migrateLatest(knex);
    await createJourney(knex, JOURNEY, null);
    const { versionId } = await publishJourney(knex, "wake", null);
    fake = await startFakeTwilio();
    delivery = startDeliveryWorker({
      knex,
      crypto,
      providers: {
        sms: fakeTwilioProvider(fake),
      },
      log: { debug() {}, info() {}, warn() {}, error() {} },
      workerId: "wake",
      pollMs: 60_000,
    });
    // The worker's first claim (and a listener's catch-up wake) find nothing; then it sleeps.
    await sleep(300);
    const phone = "+12025550190";
    const [contact] = (await knex("contacts")
      .insert({
        external_id: "waker",
        timezone: middayZone(),
        phone_encrypted: crypto.encrypt(phone),
        phone_hash: crypto.blindIndex(phone),
        phone_country: "US",
      })
      .returning("id")) as { id: string }[];
    const [enrollment] = (await knex("enrollments")
      .insert({
        contact_id: contact?.id,
        journey_id: "wake",
        version_id: versionId,
        current_node: "start",
        entry_event: JSON.stringify({ name: "api.enroll", at: Date.now() }),
      })
      .returning("id")) as { id: string }[];
    await knex("enrollment_wakeups").insert({
      enrollment_id: enrollment?.id,
      contact_id: contact?.id,
      wake_at: new Date(),
    });
    return knex;
  }

  const tick = (knex: TestDatabase["knex"], extra: Partial<Parameters<typeof startTicker>[0]>) =>
    startTicker({
      knex,
      crypto,
      policy: policyCache(knex, "UTC", 0),
      linkBase: "https://wm.example",
      pollMs: 60_000,
      ...extra,
    });

  const arrived = () => Promise.resolve(fake?.deliveries.length ?? 0);

  it("in-process: the commit wakes delivery, the message is at the provider within seconds", async () => {
    const knex = await setup();
    const started = performance.now();
    ticker = tick(knex, { onMessages: () => delivery?.wake() });
    expect(await readUntil(arrived, 1, 3_000)).toBe(1);
    console.log(
      `wake (${kind}, in-process): at the provider ${(performance.now() - started).toFixed(0)} ms after the ticker started`,
    );
  });

  it("without the wake nothing is sent before the 60 s poll", async () => {
    const knex = await setup();
    ticker = tick(knex, {});
    await readUntil(
      async () => Number(((await knex("messages").count("* as n").first()) as { n: string }).n),
      1,
      3_000,
    );
    expect(await readUntil(arrived, 1, 1_500)).toBe(0);
  });

  it.runIf(kind === "postgres")(
    "across processes: NOTIFY waymark_outbox at commit reaches a delivery worker's LISTEN connection",
    async () => {
      const knex = await setup();
      const url = db?.url;
      if (!url) throw new Error("no url");
      listener = listenForWork(url, { outbox: () => delivery?.wake() }, { minRetryMs: 100 });
      await sleep(300);
      const started = performance.now();
      // No in-process wake: only the notification links the ticker to delivery.
      ticker = tick(knex, { notifyOutbox: true });
      expect(await readUntil(arrived, 1, 3_000)).toBe(1);
      console.log(
        `wake (${kind}, NOTIFY): at the provider ${(performance.now() - started).toFixed(0)} ms after the ticker started`,
      );
    },
  );
});
