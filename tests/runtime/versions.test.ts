import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pauseJourney, resumeJourney } from "../../server/journeys/status.ts";
import { createJourney, publishJourney, saveDraft } from "../../server/journeys/store.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { cartReminder } from "../helpers/journeys.ts";

const HOUR = 3_600_000;

describe.each(databaseKinds)("versions, pause and resume on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock("2026-03-02T02:00:00Z");
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const enrollments = async (journey: string) =>
    (await db
      .knex("enrollments as e")
      .join("journey_versions as v", "v.id", "e.version_id")
      .join("contacts as c", "c.id", "e.contact_id")
      .where("e.journey_id", journey)
      .orderBy("c.external_id")
      .select("c.external_id as user", "v.version", "e.status", "e.current_node as node")) as {
      user: string;
      version: number;
      status: string;
      node: string;
    }[];

  // Through the API: the route also refreshes the app's cache of live journeys at once.
  const publish = async (id: string, body: Record<string, unknown> = {}) => {
    const res = await fetch(`${app.url}/api/journeys/${id}/publish`, {
      method: "POST",
      headers: { authorization: `Bearer ${app.secretKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Awaited<ReturnType<typeof publishJourney>>;
  };

  const enter = async (journey: string, users: string[]) => {
    for (const u of users) {
      await app.ingest("/v1/identify", {
        userId: u,
        traits: { firstName: u, timezone: "Asia/Shanghai" },
        consent: { sms: { promotional: true } },
      });
      await app.ingest("/v1/track", {
        userId: u,
        event: "cart_abandoned",
        messageId: `${journey}-${u}`,
      });
    }
    await app.tick();
  };

  it("pins in-flight users to their version by default, and migrates them by a node map on request", async () => {
    clock.set("2026-03-02T02:00:00Z");
    await createJourney(db.knex, cartReminder("v-test"), null);
    await publish("v-test");
    await enter("v-test", ["a", "b"]);
    expect((await enrollments("v-test")).map((e) => `${e.user}:v${e.version}:${e.node}`)).toEqual([
      "a:v1:wait1",
      "b:v1:wait1",
    ]);

    // v2 renames wait1 to pause1. Pinned: a and b stay on v1 at wait1.
    const v2 = cartReminder("v-test");
    const renamed = JSON.parse(JSON.stringify(v2).replaceAll('"wait1"', '"pause1"'));
    await saveDraft(db.knex, "v-test", renamed);
    const pinned = await publishJourney(db.knex, "v-test", null, clock.now());
    expect(pinned.version).toBe(2);
    expect(pinned.inFlight).toEqual([
      { versionId: expect.any(Number), node: "wait1", users: 2, to: null },
    ]);
    expect((await enrollments("v-test")).map((e) => `${e.user}:v${e.version}:${e.node}`)).toEqual([
      "a:v1:wait1",
      "b:v1:wait1",
    ]);

    // v3 migrates with a map: the dry run counts, changes nothing; the real run moves them.
    await saveDraft(db.knex, "v-test", renamed);
    const dry = await publishJourney(db.knex, "v-test", null, clock.now(), {
      inFlight: "migrate",
      map: { wait1: "pause1" },
      dryRun: true,
    });
    expect(dry.versionId).toBeNull();
    expect(dry.inFlight).toEqual([
      { versionId: expect.any(Number), node: "wait1", users: 2, to: "pause1" },
    ]);
    expect((await enrollments("v-test")).every((e) => e.version === 1)).toBe(true);
    const migrated = await publishJourney(db.knex, "v-test", null, clock.now(), {
      inFlight: "migrate",
      map: { wait1: "pause1" },
    });
    expect(migrated).toMatchObject({ version: 3, migrated: 2, exited: 0 });
    expect((await enrollments("v-test")).map((e) => `${e.user}:v${e.version}:${e.node}`)).toEqual([
      "a:v3:pause1",
      "b:v3:pause1",
    ]);

    // They continue on v3: the moved-to wait starts at migration time.
    await app.tick();
    clock.advance(HOUR);
    const r = await app.tick();
    expect(r.messages).toBe(2);
    const log = (await db
      .knex("enrollment_log")
      .where({ journey_id: "v-test", type: "migrated" })
      .select("detail")) as { detail: string }[];
    expect(log).toHaveLength(2);
  });

  it("exits users at a node the new version removed and nobody mapped", async () => {
    clock.set("2026-03-05T02:00:00Z");
    await createJourney(db.knex, cartReminder("v-exit"), null);
    await publish("v-exit");
    await enter("v-exit", ["c"]);
    const without = JSON.parse(
      JSON.stringify(cartReminder("v-exit")).replaceAll('"wait1"', '"other"'),
    );
    await saveDraft(db.knex, "v-exit", without);
    const r = await publishJourney(db.knex, "v-exit", null, clock.now(), { inFlight: "migrate" });
    expect({ r, e: await enrollments("v-exit") }).toMatchObject({ r: { migrated: 0, exited: 1 } });
    expect(await enrollments("v-exit")).toEqual([
      { user: "c", version: 1, status: "exited", node: "wait1" },
    ]);
  });

  it("holds users while paused (no sends, events kept) and continues them on resume", async () => {
    clock.set("2026-03-06T02:00:00Z");
    await createJourney(db.knex, cartReminder("v-pause"), null);
    await publish("v-pause");
    await enter("v-pause", ["d"]);
    await pauseJourney(db.knex, "v-pause", clock.now());
    clock.advance(2 * HOUR);
    await app.tick();
    await app.ingest("/v1/track", { userId: "d", event: "purchased", messageId: "d-x" });
    await app.tick();
    const sent = async () =>
      Number(
        (
          (await db.knex("messages").where({ journey_id: "v-pause" }).count("* as n").first()) as {
            n: string | number;
          }
        ).n,
      );
    expect(await sent()).toBe(0);
    expect((await enrollments("v-pause"))[0]).toMatchObject({ status: "active", node: "wait1" });
    await resumeJourney(db.knex, "v-pause", clock.now());
    await app.tick();
    // The purchase that arrived while paused is handled on resume: exitOn, nothing sent.
    expect(await sent()).toBe(0);
    expect((await enrollments("v-pause"))[0]).toMatchObject({ status: "exited" });
  });
});
