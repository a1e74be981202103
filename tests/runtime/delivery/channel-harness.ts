import { afterAll, beforeAll, expect } from "vitest";
import type { DatabaseKind } from "../../../server/db/connect.ts";
import { type DeliveryConfig, loadDeliveryConfig } from "../../../server/delivery/config.ts";
import type { ProviderSet } from "../../../server/delivery/types.ts";
import { type DeliveryWorker, startDeliveryWorker } from "../../../server/delivery/worker.ts";
import { createJourney, publishJourney } from "../../../server/journeys/store.ts";
import { manualClock, startTestApp, type TestApp } from "../../helpers/app.ts";
import { openTestDatabase, type TestDatabase } from "../../helpers/databases.ts";

/**
 * The push and webhook delivery tests' set-up, registered on the calling `describe`: a
 * database, the app with the channel's env, a delivery worker driven by hand over the providers
 * the test builds, and its journeys published. `env` and `journeys` are read when the set-up
 * runs, so they may name a receiver the file started in its own beforeAll.
 */

export const START = "2026-03-02T12:00:00Z";
export const silent = { debug() {}, info() {}, warn() {}, error() {} };

export interface ChannelMessage {
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

export interface ChannelHarness {
  readonly db: TestDatabase;
  readonly app: TestApp;
  readonly worker: DeliveryWorker;
  readonly clock: ReturnType<typeof manualClock>;
  /** Identifies the contact with `traits`, tracks `event` (order A-7), and ticks. */
  enter(userId: string, event: string, traits?: Record<string, unknown>): Promise<void>;
  /** The contact's (first) message. */
  messageOf(userId: string): Promise<ChannelMessage | undefined>;
}

export function channelHarness(
  kind: DatabaseKind,
  options: {
    workerId: string;
    env: () => Record<string, string>;
    providers: (config: DeliveryConfig, ctx: { db: TestDatabase; app: TestApp }) => ProviderSet;
    journeys: () => { id: string }[];
  },
): ChannelHarness {
  let db: TestDatabase | undefined;
  let app: TestApp | undefined;
  let worker: DeliveryWorker | undefined;
  const clock = manualClock(START);
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the channel harness is not set up yet");
    return value;
  };

  beforeAll(async () => {
    const env = options.env();
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock, env);
    worker = startDeliveryWorker({
      knex: db.knex,
      crypto: app.crypto,
      providers: options.providers(loadDeliveryConfig(env), { db, app }),
      log: silent,
      workerId: options.workerId,
      autoStart: false,
      now: clock.now,
      retryBaseMs: 1000,
    });
    for (const j of options.journeys()) {
      await createJourney(db.knex, j, null);
      await publishJourney(db.knex, j.id, null, clock.now());
    }
  });
  afterAll(async () => {
    await worker?.stop();
    await app?.close();
    await db?.close();
  });

  return {
    get db() {
      return ready(db);
    },
    get app() {
      return ready(app);
    },
    get worker() {
      return ready(worker);
    },
    clock,
    async enter(userId, event, traits = {}) {
      const a = ready(app);
      expect((await a.ingest("/v1/identify", { userId, traits })).status).toBe(200);
      const tracked = await a.ingest("/v1/track", { userId, event, properties: { order: "A-7" } });
      expect(tracked.status).toBe(200);
      await a.tick();
    },
    async messageOf(userId) {
      return (await ready(db)
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
        )) as ChannelMessage | undefined;
    },
  };
}
