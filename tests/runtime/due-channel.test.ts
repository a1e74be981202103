import { afterEach, describe, expect, it } from "vitest";
import type { Listening } from "../../server/db/listen.ts";
import { listenForWork } from "../../server/runtime/due-channel.ts";
import type { RunningTicker } from "../../server/runtime/ticker.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { currentNode, idleTicker } from "../helpers/idle-ticker.ts";
import { readUntil } from "../helpers/time.ts";

/**
 * The API and the ticker as if in two processes: the app has no in-process nudge, the ticker
 * polls every 60 s, and the only link between them is PostgreSQL's NOTIFY on the ingest
 * transaction and the ticker's LISTEN connection (what `waymark worker` runs).
 */
describe.runIf(process.env.TEST_DATABASE_URL)("due users reach a worker over LISTEN/NOTIFY", () => {
  let db: TestDatabase | undefined;
  let app: TestApp | undefined;
  let ticker: RunningTicker | undefined;
  let listener: Listening | undefined;
  afterEach(async () => {
    await listener?.close();
    await ticker?.stop();
    await app?.close();
    await db?.close();
    listener = undefined;
  });

  async function setup(listen: boolean) {
    db = await openTestDatabase("postgres");
    const database = db;
    app = await startTestApp(database, { now: () => new Date() });
    ticker = await idleTicker(database, app, "notify");
    if (listen && database.url)
      listener = listenForWork(database.url, { due: ticker.nudge }, { minRetryMs: 100 });
    // The ticker's first batch (and the listener's catch-up tick) find nothing due.
    await new Promise((r) => setTimeout(r, 500));
    const node = (userId: string) => currentNode(database.knex, userId);
    return { database, node };
  }

  it("enters and decides within seconds, and again after the listener's connection is killed", async () => {
    const { database, node } = await setup(true);
    const track = (userId: string, event: string) => app?.ingest("/v1/track", { userId, event });
    expect((await track("u1", "visited"))?.status).toBe(200);
    expect(await readUntil<unknown>(() => node("u1"), "bought", 3_000)).toBe("bought");
    expect((await track("u1", "purchased"))?.status).toBe(200);
    expect(await readUntil<unknown>(() => node("u1"), "done", 3_000)).toBe("done");

    // A dropped LISTEN connection (failover, restart) comes back by itself.
    const killed = (await database.knex.raw(
      `select pg_terminate_backend(pid) as ok from pg_stat_activity
        where application_name = 'waymark-due' and datname = current_database()`,
    )) as { rows: { ok: boolean }[] };
    expect(killed.rows).toEqual([{ ok: true }]);
    await readUntil<unknown>(
      async () =>
        (
          (await database.knex.raw(
            `select count(*)::int as n from pg_stat_activity
              where application_name = 'waymark-due' and datname = current_database()
                and query ilike 'listen%'`,
          )) as { rows: { n: number }[] }
        ).rows[0]?.n,
      1,
      3_000,
    );
    expect((await track("u2", "visited"))?.status).toBe(200);
    expect(await readUntil<unknown>(() => node("u2"), "bought", 3_000)).toBe("bought");
  });

  it("without the listener nothing moves before the 60 s poll", async () => {
    const { node } = await setup(false);
    expect((await app?.ingest("/v1/track", { userId: "u1", event: "visited" }))?.status).toBe(200);
    expect(await readUntil<unknown>(() => node("u1"), "bought", 1_500)).not.toBe("bought");
  });
});
