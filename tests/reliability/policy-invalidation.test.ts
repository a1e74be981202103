import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Database } from "../../server/db/connect.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { listenForPolicyChanges, policyCache } from "../../server/runtime/policy.ts";
import { tickOnce } from "../../server/runtime/ticker.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { promoBlast } from "../helpers/journeys.ts";
import { until } from "../helpers/time.ts";

// 2026-03-02 10:00 in Shanghai: inside the sending window.
const START = "2026-03-02T02:00:00Z";

/**
 * A settings change reaches the very next batch of every ticker. The API (app A) and the ticker
 * ("B") read the policy through caches of their own; B's lives a minute here so that only an
 * invalidation — never the cache running out — can explain B obeying a change. On PostgreSQL B
 * is a separate database handle, as another process would be: the PUT reaches it through NOTIFY
 * and its listener. On PGlite (one process) through the in-process invalidation.
 */
describe.each(databaseKinds)("a settings change reaches every ticker at once on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  let other: Database | null = null;
  let listener: ReturnType<typeof listenForPolicyChanges> | null = null;
  const clock = manualClock(START);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    for (const id of ["promo-a", "promo-b", "promo-c", "promo-d"]) {
      const j = promoBlast(id);
      // Each journey enters on an event of its own, so each step below moves one journey.
      j.nodes[0] = {
        id: "start",
        type: "trigger",
        trigger: { kind: "event", event: `${id}_ready` },
      };
      await createJourney(db.knex, j, null);
      await publishJourney(db.knex, id, null);
    }
    if (kind === "postgres" && db.url) {
      other = await connect({ url: db.url, poolMax: 3 });
      listener = listenForPolicyChanges(db.url, other.knex);
      const l = listener;
      await until("the policy listener is connected", async () => l.connected, 10_000);
    }
  });
  afterAll(async () => {
    await listener?.close();
    await other?.close();
    await app?.close();
    await db?.close();
  });

  const admin = () => ({
    authorization: `Bearer ${app.secretKey}`,
    "content-type": "application/json",
  });
  const putCap = async (max: number | null) => {
    const got = (await (await fetch(`${app.url}/api/settings`, { headers: admin() })).json()) as {
      policy: Record<string, unknown>;
    };
    const caps =
      max === null
        ? []
        : [{ channel: "sms", category: "promotional", max, window: "P1D", onExceed: "suppress" }];
    const res = await fetch(`${app.url}/api/settings`, {
      method: "PUT",
      headers: admin(),
      body: JSON.stringify({ policy: { ...got.policy, caps } }),
    });
    expect(res.status).toBe(200);
  };

  it("the other ticker's next batch applies a new cap, and a cap lifted again", async () => {
    const knexB = other?.knex ?? db.knex;
    const policyB = policyCache(knexB, "UTC", 60_000);
    const tickB = () =>
      tickOnce({
        knex: knexB,
        crypto: app.crypto,
        policy: policyB,
        linkBase: app.url,
        now: clock.now,
      });
    const identified = await app.ingest("/v1/identify", {
      userId: "capped",
      traits: { phone: "+8613812345678", timezone: "Asia/Shanghai" },
      consent: { sms: { promotional: true } },
    });
    expect(identified.status).toBe(200);
    const step = async (journey: string) => {
      const tracked = await app.ingest("/v1/track", {
        userId: "capped",
        event: `${journey}_ready`,
        messageId: `capped-${journey}`,
      });
      expect(tracked.status).toBe(200);
      expect((await tickB()).claimed).toBe(1);
      const sent = await db.knex("messages").where({ journey_id: journey }).count("* as n").first();
      const capped = await db
        .knex("enrollment_log")
        .where({ journey_id: journey, type: "suppressed", reason: "frequency_cap" })
        .count("* as n")
        .first();
      return { sent: Number(sent?.n), capped: Number(capped?.n) };
    };

    // No cap: sent, and B's cache now holds the cap-less policy for a minute.
    expect(await step("promo-a")).toEqual({ sent: 1, capped: 0 });
    await putCap(1);
    expect(await step("promo-b")).toEqual({ sent: 0, capped: 1 });
    await putCap(null);
    expect(await step("promo-c")).toEqual({ sent: 1, capped: 0 });
  });

  it.runIf(kind === "postgres")(
    "a listener whose connection was killed comes back, and no change is missed meanwhile",
    async () => {
      const l = listener;
      if (!l || !other) throw new Error("postgres set-up missing");
      const policyB = policyCache(other.knex, "UTC", 60_000);
      expect((await policyB()).caps).toEqual([]);
      // Kill B's listening session (only ours: this test database, this application name).
      const name = new URL(db.url ?? "").pathname.slice(1);
      const killed = (await db.knex.raw(
        `select count(*) filter (where pg_terminate_backend(pid)) as n from pg_stat_activity
          where datname = ? and application_name = 'waymark-policy'`,
        [name],
      )) as { rows: { n: string }[] };
      expect(Number(killed.rows[0]?.n)).toBe(1);
      await until("the listener noticed", async () => !l.connected, 5000, 10);
      // Changed while B cannot hear it: B reads the row itself until it listens again.
      await putCap(3);
      expect((await policyB()).caps).toHaveLength(1);
      await until("the listener is back", async () => l.connected, 10_000, 25);
      await putCap(null);
      expect((await policyB()).caps).toEqual([]);
    },
  );
});
