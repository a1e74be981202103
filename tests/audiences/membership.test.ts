import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanAudienceTriggers } from "../../server/audiences/membership.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { liveJourneyCache } from "../../server/runtime/live-journeys.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { allThroughGate } from "../helpers/gate-watch.ts";
import { insertContacts } from "./fixture.ts";

const START = "2026-03-02T02:00:00Z";

function audienceJourney(id: string, audience: string, reentry: unknown) {
  return {
    format: "waymark/journey@1",
    id,
    name: id,
    settings: { reentry },
    nodes: [
      { id: "start", type: "trigger", trigger: { kind: "audience", audience } },
      { id: "done", type: "exit" },
    ],
    edges: [{ from: "start", to: "done" }],
  };
}

/** Audience-triggered journeys: members enter once per time they enter the audience. */
describe.each(databaseKinds)("audience-triggered enrollment on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock(START);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    await insertContacts(db.knex, [
      { externalId: "a", attributes: { region: "Guangdong" } },
      { externalId: "b", attributes: { region: "Guangdong" } },
      { externalId: "c", attributes: { region: "Zhejiang" } },
    ]);
    await db.knex("audiences").insert({
      id: "guangdong",
      name: "Guangdong",
      definition: JSON.stringify({ attribute: "region", op: "eq", value: "Guangdong" }),
    });
    await createJourney(
      db.knex,
      audienceJourney("gd-always", "guangdong", { mode: "always" }),
      null,
    );
    await publishJourney(db.knex, "gd-always", null);
    await createJourney(db.knex, audienceJourney("gd-once", "guangdong", { mode: "never" }), null);
    await publishJourney(db.knex, "gd-once", null);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  /**
   * A scan whose every query must go through the gate: on PGlite the server runs the RFM
   * refresh, each membership diff, page and enrollment transaction in turn with the ticker's
   * batches (server/db/gate.ts).
   */
  const scan = () =>
    allThroughGate(db.knex, (gate) =>
      scanAudienceTriggers({
        knex: db.knex,
        live: liveJourneyCache(db.knex, 0),
        now: clock.now,
        gate,
      }),
    );
  const enrolled = async (journey: string) =>
    (
      (await db
        .knex("enrollments as e")
        .join("contacts as c", "c.id", "e.contact_id")
        .where("e.journey_id", journey)
        .orderBy(["c.external_id", "e.id"])
        .select("c.external_id")) as { external_id: string }[]
    ).map((r) => r.external_id);

  it("enrolls the current members when the journey goes live, and only once", async () => {
    expect(await scan()).toEqual({ entered: 2, left: 0, enrolled: 4 });
    expect(await enrolled("gd-always")).toEqual(["a", "b"]);
    expect(await enrolled("gd-once")).toEqual(["a", "b"]);
    // The ticker runs the entry step like any other enrollment.
    await app.tick();
    const log = await db.knex("enrollment_log").where({ type: "entered" }).count("* as n").first();
    expect(Number(log?.n)).toBe(4);
    clock.advance(60_000);
    expect(await scan()).toEqual({ entered: 0, left: 0, enrolled: 0 });
    expect(await enrolled("gd-always")).toEqual(["a", "b"]);
  });

  it("enrolls a contact who newly matches, once", async () => {
    await db
      .knex("contacts")
      .where({ external_id: "c" })
      .update({
        attributes: JSON.stringify({ region: "Guangdong" }),
      });
    clock.advance(60_000);
    expect(await scan()).toEqual({ entered: 1, left: 0, enrolled: 2 });
    clock.advance(60_000);
    expect(await scan()).toEqual({ entered: 0, left: 0, enrolled: 0 });
    expect(await enrolled("gd-always")).toEqual(["a", "b", "c"]);
  });

  it("a contact who leaves and comes back enters again, within the journey's re-entry rule", async () => {
    await app.tick(); // completes c's enrollments, so re-entry is possible
    await db
      .knex("contacts")
      .where({ external_id: "a" })
      .update({
        attributes: JSON.stringify({ region: "Beijing" }),
      });
    clock.advance(60_000);
    expect(await scan()).toEqual({ entered: 0, left: 1, enrolled: 0 });
    await db
      .knex("contacts")
      .where({ external_id: "a" })
      .update({
        attributes: JSON.stringify({ region: "Guangdong" }),
      });
    clock.advance(60_000);
    // gd-always takes a back; gd-once (re-entry never) does not.
    expect(await scan()).toEqual({ entered: 1, left: 0, enrolled: 1 });
    expect(await enrolled("gd-always")).toEqual(["a", "a", "b", "c"]);
    expect(await enrolled("gd-once")).toEqual(["a", "b", "c"]);
    clock.advance(60_000);
    expect((await scan()).enrolled).toBe(0);
  });

  it("ignores journeys whose audience does not exist", async () => {
    await createJourney(
      db.knex,
      audienceJourney("ghost", "no-such-audience", { mode: "never" }),
      null,
    );
    await publishJourney(db.knex, "ghost", null);
    expect((await scan()).enrolled).toBe(0);
    expect(await enrolled("ghost")).toEqual([]);
  });
});
