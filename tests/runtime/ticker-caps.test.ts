import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileFresh } from "../../engine/compile/compile.ts";
import type { Journey } from "../../engine/format/journey.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { cartReminder, promoBlast } from "../helpers/journeys.ts";

// 2026-03-02 10:00 in Shanghai: inside the sending window.
const START = "2026-03-02T02:00:00Z";

/** Enters on `tidy_up`, waits a minute and exits: nothing it does can ever send. */
const silentJourney = {
  format: "waymark/journey@1",
  id: "silent",
  name: "Silent",
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "tidy_up" } },
    { id: "pause", type: "wait", wait: { kind: "duration", duration: "PT1M" } },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "pause" },
    { from: "pause", to: "done" },
  ],
};

describe("which nodes can still send", () => {
  it("marks every node with a path to a send, and no other", () => {
    const cart = compileFresh({ versionId: "t1", journey: cartReminder() as unknown as Journey });
    expect([...cart.canStillSend].sort()).toEqual(["clicked", "sms1", "sms2", "start", "wait1"]);
    const silent = compileFresh({ versionId: "t2", journey: silentJourney as unknown as Journey });
    expect(silent.canStillSend.size).toBe(0);
  });
});

/**
 * Two journeys sending to one contact at the same moment must not both pass a frequency cap.
 * The ticker's answer is a per-contact row lock taken before the send history is read
 * (server/runtime/sql/contact-state.ts); these tests pin that down.
 */
describe.each(databaseKinds)("frequency caps across journeys on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock(START);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    // One promotional SMS per day, over cap → suppressed.
    await db.knex("settings").insert({
      key: "policy",
      value: JSON.stringify({
        caps: [
          { channel: "sms", category: "promotional", max: 1, window: "P1D", onExceed: "suppress" },
        ],
      }),
    });
    for (const j of [promoBlast("promo-a"), promoBlast("promo-b"), silentJourney]) {
      await createJourney(db.knex, j, null);
      await publishJourney(db.knex, j.id, null);
    }
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const enter = async (userId: string, event: string) => {
    const identified = await app.ingest("/v1/identify", {
      userId,
      traits: { phone: "+8613812345678", timezone: "Asia/Shanghai" },
      consent: { sms: { promotional: true } },
    });
    expect(identified.status).toBe(200);
    const tracked = await app.ingest("/v1/track", {
      userId,
      event,
      messageId: `${userId}-${event}`,
    });
    expect(tracked.status).toBe(200);
    const row = (await db.knex("contacts").where({ external_id: userId }).first("id")) as {
      id: string | number;
    };
    return Number(row.id);
  };

  const outcome = async (contactId: number) => {
    const sent = (await db.knex("messages").where({ contact_id: contactId }).select("journey_id"))
      .length;
    const capped = (
      await db
        .knex("enrollment_log")
        .where({ contact_id: contactId, type: "suppressed" })
        .select("reason")
    ).map((r: { reason: string }) => r.reason);
    return { sent, capped };
  };

  it("sends once when both journeys step the contact in one batch", async () => {
    clock.set(START);
    const id = await enter("same-batch", "promo_ready");
    const stats = await app.tick();
    expect(stats.claimed).toBe(2);
    expect(await outcome(id)).toEqual({ sent: 1, capped: ["frequency_cap"] });
  });

  it.runIf(kind === "postgres")(
    "serializes two workers on the contact lock, so the second sees the first one's send",
    async () => {
      clock.set(START);
      const id = await enter("two-workers", "promo_ready");
      // Hold the contact's lock ourselves: both workers must queue behind it, which proves they
      // take it; when we let go they pass it one at a time.
      const holder = await db.knex.transaction();
      await holder.raw("select 1 from contacts where id = ? for no key update", [id]);
      let finished = 0;
      const workers = [app.tick({ batchSize: 1 }), app.tick({ batchSize: 1 })].map((p) =>
        p.then((s) => {
          finished++;
          return s;
        }),
      );
      await new Promise((done) => setTimeout(done, 400));
      expect(finished).toBe(0);
      await holder.commit();
      const stats = await Promise.all(workers);
      expect(stats.map((s) => s.claimed)).toEqual([1, 1]);
      expect(await outcome(id)).toEqual({ sent: 1, capped: ["frequency_cap"] });
    },
  );

  it.runIf(kind === "postgres")(
    "does not lock a contact whose enrollments can no longer send",
    async () => {
      clock.set(START);
      const id = await enter("silent-one", "tidy_up");
      const holder = await db.knex.transaction();
      try {
        await holder.raw("select 1 from contacts where id = ? for no key update", [id]);
        // Entry and the minute's wait both complete while we hold the lock.
        expect((await app.tick()).claimed).toBe(1);
        clock.advance(61_000);
        expect((await app.tick()).claimed).toBe(1);
      } finally {
        await holder.commit();
      }
      const row = (await db.knex("enrollments").where({ contact_id: id }).first("status")) as {
        status: string;
      };
      expect(row.status).toBe("completed");
    },
  );

  it.runIf(kind === "postgres")(
    "an exclusive ticker (PGlite's one connection) decides without the contact lock",
    async () => {
      clock.set(START);
      const id = await enter("exclusive", "promo_ready");
      // Another transaction holds a lock that only the ticker's contact lock conflicts with
      // (not the foreign-key checks of its inserts): a locking ticker waits for it (the test
      // above), an exclusive one decides straight through, caps still applied in its batch.
      const holder = await db.knex.transaction();
      try {
        await holder.raw("select 1 from contacts where id = ? for share", [id]);
        expect((await app.tick({ exclusive: true })).claimed).toBe(2);
      } finally {
        await holder.rollback();
      }
      expect(await outcome(id)).toEqual({ sent: 1, capped: ["frequency_cap"] });
    },
  );
});
