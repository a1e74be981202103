import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

const START = "2026-03-02T10:00:00Z";

/**
 * A win-back that counts its attempts: +1 on `winback_attempts`, then a condition branch on
 * it: the second attempt (count ≥ 2) gets the last-chance SMS, a first one the gentle one.
 */
const winback = {
  format: "waymark/journey@1",
  id: "winback-count",
  name: "Win-back with a counter",
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "lapsed" } },
    {
      id: "count",
      type: "update",
      update: { kind: "increment", attribute: "winback_attempts", by: 1 },
    },
    {
      id: "again",
      type: "branch",
      branch: {
        kind: "condition",
        conditions: [{ field: "winback_attempts", op: "gte", value: 2 }],
      },
    },
    {
      id: "last",
      type: "send",
      send: {
        channel: "sms",
        category: "promotional",
        template: "Attempt {{ user.winback_attempts }}: 30% off, last chance",
      },
    },
    {
      id: "gentle",
      type: "send",
      send: { channel: "sms", category: "promotional", template: "We miss you" },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "count" },
    { from: "count", to: "again" },
    { from: "again", to: "last", path: "yes" },
    { from: "again", to: "gentle", path: "no" },
    { from: "last", to: "done" },
    { from: "gentle", to: "done" },
  ],
};

/** Counts `hits` on the event `both`: two of these give every contact two enrollments. */
const counting = (id: string) => ({
  format: "waymark/journey@1",
  id,
  name: id,
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "both" } },
    { id: "hit", type: "update", update: { kind: "increment", attribute: "hits", by: 1 } },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "hit" },
    { from: "hit", to: "done" },
  ],
});

describe.each(databaseKinds)("an update node in the ticker on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock(START);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    await createJourney(db.knex, winback, null);
    await publishJourney(db.knex, winback.id, null);
    for (const doc of [counting("hits-a"), counting("hits-b")]) {
      await createJourney(db.knex, doc, null);
      await publishJourney(db.knex, doc.id, null);
    }
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const identify = async (userId: string, traits: Record<string, unknown>) => {
    const r = await app.ingest("/v1/identify", {
      userId,
      traits: { phone: "+14155550123", timezone: "UTC", ...traits },
      consent: { sms: { promotional: true } },
    });
    expect(r.status).toBe(200);
  };
  const contactOf = async (userId: string) =>
    (await db.knex("contacts").where({ external_id: userId }).first("id", "attributes")) as {
      id: string | number;
      attributes: Record<string, unknown>;
    };

  it("writes the counter in the step's transaction once, even when the batch is replayed, and the branch reads it", async () => {
    await identify("second", { firstName: "Bo", winback_attempts: 1, plan: "pro" });
    await identify("first", { firstName: "Al" });

    // The first attempt of the batch fails at the attribute write with a serialization
    // failure, after the snapshots, log and outbox rows were written in the same transaction:
    // withDbRetry replays the whole batch. A sequence counts the trigger's runs (nextval is
    // not rolled back), so the test knows the failure and the replay both happened.
    await db.knex.raw("create sequence test_update_writes");
    await db.knex.raw(`
      create function test_fail_first_update() returns trigger language plpgsql as $$
      begin
        if nextval('test_update_writes') = 1 then
          raise exception 'injected for the test' using errcode = '40001';
        end if;
        return new;
      end $$`);
    await db.knex.raw(`
      create trigger test_fail_first_update before update of attributes on contacts
      for each row execute function test_fail_first_update()`);

    for (const userId of ["second", "first"]) {
      const r = await app.ingest("/v1/track", {
        userId,
        event: "lapsed",
        messageId: `${userId}-1`,
      });
      expect(r.status).toBe(200);
    }
    await app.tick();
    await db.knex.raw("drop trigger test_fail_first_update on contacts");

    const runs = (await db.knex.raw("select last_value from test_update_writes")) as {
      rows: { last_value: string | number }[];
    };
    // 1 failed write + one per contact in the replay.
    expect(Number(runs.rows[0]?.last_value)).toBe(3);

    const second = await contactOf("second");
    const first = await contactOf("first");
    // Once each: 1 → 2 and unset → 1, not 3 and 2 after the replay; other traits untouched.
    expect(second.attributes).toMatchObject({ winback_attempts: 2, plan: "pro", firstName: "Bo" });
    expect(first.attributes).toMatchObject({ winback_attempts: 1, firstName: "Al" });

    const messages = (await db
      .knex("messages")
      .whereIn("contact_id", [second.id, first.id])
      .orderBy("id")
      .select("contact_id", "node_id", "body")) as {
      contact_id: string | number;
      node_id: string;
      body: string;
    }[];
    expect(messages.map((m) => [Number(m.contact_id), m.node_id])).toEqual([
      [Number(second.id), "last"],
      [Number(first.id), "gentle"],
    ]);
    // The template read the value the update wrote earlier in the same step.
    expect(messages[0]?.body).toContain("Attempt 2:");

    const updated = (await db
      .knex("enrollment_log")
      .where({ type: "updated" })
      .orderBy("id")
      .select("contact_id", "node_id", "detail", "data")) as {
      contact_id: string | number;
      node_id: string;
      detail: string;
      data: Record<string, unknown>;
    }[];
    expect(updated.map((u) => [Number(u.contact_id), u.detail])).toEqual([
      [Number(second.id), "updated winback_attempts 1 → 2"],
      [Number(first.id), "updated winback_attempts 0 → 1"],
    ]);
    expect(updated[0]?.data).toMatchObject({ attribute: "winback_attempts", from: 1, to: 2 });

    // Nothing is due any more: a further tick writes nothing again.
    clock.advance(60_000);
    await app.tick();
    expect((await contactOf("second")).attributes.winback_attempts).toBe(2);
    const [{ n }] = (await db
      .knex("enrollment_log")
      .where({ type: "updated" })
      .count("* as n")) as [{ n: string | number }];
    expect(Number(n)).toBe(2);
  });

  // PGlite has one connection, so batches never overlap there.
  it.runIf(kind === "postgres")(
    "two batches incrementing one contact at once serialize on its lock: no increment is lost",
    async () => {
      // Two journeys on the same event, each counting `hits` (`counting` above): every contact
      // gets two enrollments. Two loops of one-enrollment batches take a contact's two at the
      // same moment (SKIP LOCKED), and each computes the new value from the contact it loaded,
      // so the second must load it after the first one's commit. Without the contact lock
      // (engine/compile/compile.ts canStillSend) most contacts ended with 1.
      const users = Array.from({ length: 30 }, (_, i) => `hits-${i}`);
      for (const userId of users) {
        await identify(userId, {});
        const r = await app.ingest("/v1/track", {
          userId,
          event: "both",
          messageId: `${userId}-b`,
        });
        expect(r.status).toBe(200);
      }
      const drain = async () => {
        let claimed = 0;
        do claimed = (await app.tick({ batchSize: 1 })).claimed;
        while (claimed > 0);
      };
      await Promise.all([drain(), drain()]);
      const rows = (await db
        .knex("contacts")
        .whereIn("external_id", users)
        .select("attributes")) as { attributes: Record<string, unknown> }[];
      expect(rows.map((r) => r.attributes.hits)).toEqual(users.map(() => 2));
    },
  );
});
