import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

/**
 * The journey list's active users come from journey_active_counts, kept by triggers on
 * enrollments (migrations/20261206220000_journey_active_counts.ts), not from a count per
 * request. Every writer must keep it equal to the real count: ingest's trigger match, the
 * enroll API (several at once on PostgreSQL), the ticker ending users, a deleted contact's
 * cascade, a truncate.
 */
const journey = (id: string, trigger: Record<string, unknown>) => ({
  format: "waymark/journey@1",
  id,
  name: id,
  nodes: [
    { id: "start", type: "trigger", trigger },
    { id: "hold", type: "wait", wait: { kind: "duration", duration: "PT1H" } },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "hold" },
    { from: "hold", to: "done" },
  ],
});

describe.each(databaseKinds)("journey active counts on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock("2026-03-02T02:00:00Z");

  /** The list's number and the real count, per journey. */
  const counts = async (id: string) => {
    const res = await app.call<{ journeys: { id: string; activeUsers: number }[] }>(
      "GET",
      "/api/journeys",
    );
    expect(res.status).toBe(200);
    const listed = res.body.journeys.find((j) => j.id === id)?.activeUsers;
    const real = await db.knex("enrollments").where({ journey_id: id, status: "active" }).count();
    return { listed, real: Number(real[0]?.count) };
  };
  const drain = async () => {
    while ((await app.tick({ batchSize: 7 })).claimed > 0);
  };

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    for (const doc of [
      journey("signup", { kind: "event", event: "signed_up" }),
      journey("api", { kind: "api" }),
    ]) {
      expect((await app.call("POST", "/api/journeys", doc)).status).toBe(201);
      expect((await app.call("POST", `/api/journeys/${doc.id}/publish`, {})).status).toBe(200);
    }
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("counts users who entered through ingest and through the API, concurrently", async () => {
    const batch = Array.from({ length: 20 }, (_, i) => ({
      type: "track",
      userId: `u${i}`,
      event: "signed_up",
      messageId: `m${i}`,
      timestamp: clock.now().toISOString(),
    }));
    expect((await app.ingest("/v1/batch", { batch })).status).toBe(200);
    await drain();
    expect(await counts("signup")).toEqual({ listed: 20, real: 20 });

    // Twelve enroll calls in flight together: on PostgreSQL they run on several backends
    // (shards), and the sum must still be exact.
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        app.call("POST", "/api/journeys/api/enroll", { userId: `a${i}`, properties: {} }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(201));
    await drain();
    expect(await counts("api")).toEqual({ listed: 12, real: 12 });
    const shards = await db.knex("journey_active_counts").where({ journey_id: "api" }).count();
    expect(Number(shards[0]?.count)).toBeLessThanOrEqual(16);
  });

  it("follows users ending and contacts being deleted", async () => {
    // A deleted contact's enrollments go with it (on delete cascade).
    await db.knex.raw(
      "delete from contacts where id in (select contact_id from enrollments where journey_id = 'signup' order by id limit 3)",
    );
    expect(await counts("signup")).toEqual({ listed: 17, real: 17 });

    // The hour passes: the ticker walks everyone to the exit, in batches of 7.
    clock.advance(2 * 3_600_000);
    await drain();
    expect(await counts("signup")).toEqual({ listed: 0, real: 0 });
    expect(await counts("api")).toEqual({ listed: 0, real: 0 });
    const ended = await db.knex("enrollments").where({ status: "completed" }).count();
    expect(Number(ended[0]?.count)).toBe(29);

    // Re-entry is off by default, so enroll a new user to see the count rise again.
    expect(
      (await app.call("POST", "/api/journeys/api/enroll", { userId: "late", properties: {} }))
        .status,
    ).toBe(201);
    expect(await counts("api")).toEqual({ listed: 1, real: 1 });
  });

  it("starts over when enrollments are truncated", async () => {
    await db.knex.raw("truncate enrollments cascade");
    expect(await counts("api")).toEqual({ listed: 0, real: 0 });
    expect(Number((await db.knex("journey_active_counts").count())[0]?.count)).toBe(0);
  });
});
