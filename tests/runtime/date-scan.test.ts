import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { scanDateTriggers } from "../../server/runtime/date-scan.ts";
import { liveJourneyCache } from "../../server/runtime/live-journeys.ts";
import { EXAMPLES_DIR } from "../../server/seed/demo.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { allThroughGate } from "../helpers/gate-watch.ts";

describe.each(databaseKinds)("date-attribute triggers on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock("2026-03-02T01:30:00Z");
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    const doc = JSON.parse(readFileSync(join(EXAMPLES_DIR, "birthday-coupon.json"), "utf8"));
    await createJourney(db.knex, doc, null);
    await publishJourney(db.knex, "birthday-coupon", null);
    // Birthday 5 March: the journey enters 3 days before, at 10:00 in the contact's zone.
    await app.ingest("/v1/identify", {
      userId: "shanghai",
      traits: { birthday: "1990-03-05", timezone: "Asia/Shanghai", firstName: "Li" },
      consent: { sms: { promotional: true } },
    });
    await app.ingest("/v1/identify", {
      userId: "london",
      traits: { birthday: "1991-03-05", timezone: "Europe/London" },
      consent: { sms: { promotional: true } },
    });
    await app.ingest("/v1/identify", {
      userId: "no-birthday",
      traits: { timezone: "Asia/Shanghai" },
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  /**
   * A scan whose every query must go through the gate: on PGlite the server runs each page and
   * enrollment transaction in turn with the ticker's batches (server/db/gate.ts).
   */
  const scan = () =>
    allThroughGate(db.knex, (gate) =>
      scanDateTriggers({
        knex: db.knex,
        crypto: app.crypto,
        live: liveJourneyCache(db.knex, 0),
        workspaceTimezone: "UTC",
        now: clock.now,
        gate,
      }),
    );
  const enrolled = async () =>
    (
      (await db
        .knex("enrollments as e")
        .join("contacts as c", "c.id", "e.contact_id")
        .orderBy("c.external_id")
        .select("c.external_id")) as { external_id: string }[]
    ).map((r) => r.external_id);

  it("enrolls each contact when 10:00 local arrives three days before the birthday, once", async () => {
    expect(await scan()).toBe(0); // 09:30 in Shanghai
    clock.set("2026-03-02T02:05:00Z"); // 10:05 Shanghai, 02:05 London
    expect(await scan()).toBe(1);
    expect(await enrolled()).toEqual(["shanghai"]);
    expect(await scan()).toBe(0);
    clock.set("2026-03-02T10:05:00Z"); // 10:05 London
    expect(await scan()).toBe(1);
    expect(await enrolled()).toEqual(["london", "shanghai"]);
    // The ticker runs the entry: the coupon goes out.
    const r = await app.tick();
    expect(r.messages).toBeGreaterThanOrEqual(1);
  });

  it("does not enroll the same birthday again after the journey ended (re-entry is 'always')", async () => {
    await db.knex("enrollments").update({ status: "completed", ended_at: clock.now() });
    await db.knex("enrollment_wakeups").delete();
    clock.set("2026-03-02T20:00:00Z");
    expect(await scan()).toBe(0);
    // Next year it enters again.
    clock.set("2027-03-02T02:05:00Z");
    expect(await scan()).toBe(1);
  });
});
