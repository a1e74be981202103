import { afterEach, describe, expect, it } from "vitest";
import type { RunningTicker } from "../../server/runtime/ticker.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { currentNode, idleTicker } from "../helpers/idle-ticker.ts";
import { readUntil } from "../helpers/time.ts";

/**
 * The ticker polls every 60 s here, so anything decided within a few seconds was decided
 * because the request that made it due nudged the ticker (server.ts wires the same hook).
 */
describe.each(databaseKinds)("ingest nudges an idle ticker on %s", (kind) => {
  let db: TestDatabase | undefined;
  let app: TestApp | undefined;
  let ticker: RunningTicker | undefined;
  afterEach(async () => {
    await ticker?.stop();
    await app?.close();
    await db?.close();
  });

  async function run(nudge: boolean) {
    db = await openTestDatabase(kind);
    const database = db;
    let nudgeTicker = () => {};
    app = await startTestApp(
      database,
      { now: () => new Date() },
      {},
      {
        ...(nudge ? { onDue: () => nudgeTicker() } : {}),
      },
    );
    ticker = await idleTicker(database, app, "nudge");
    nudgeTicker = ticker.nudge;
    // Let the ticker's first (empty) batch finish, so it is asleep for the rest of the test.
    await new Promise((r) => setTimeout(r, 300));
    const entered = await app.ingest("/v1/track", { userId: "u1", event: "visited" });
    expect(entered.status).toBe(200);
    const node = () => currentNode(database.knex, "u1");
    return { database, node };
  }

  it("enters at once, then decides the branch seconds after the purchase, not at the next poll", async () => {
    const { database, node } = await run(true);
    // Entering made the enrollment due: the nudge ran the trigger step, now it waits.
    expect(await readUntil<unknown>(node, "bought", 3_000)).toBe("bought");
    const sent = Date.now();
    expect((await app?.ingest("/v1/track", { userId: "u1", event: "purchased" }))?.status).toBe(
      200,
    );
    expect(await readUntil<unknown>(node, "done", 3_000)).toBe("done");
    expect(Date.now() - sent).toBeLessThan(3_000);
    const types = (await database.knex("enrollment_log").orderBy("id").pluck("type")) as string[];
    expect(types).toEqual(["entered", "waiting", "event", "branched", "exited"]);
  });

  it("without the hook the same enrollment waits for the 60 s poll", async () => {
    const { node } = await run(false);
    // The enrollment row exists from ingest, but no tick has run it to the branch.
    expect(await readUntil<unknown>(node, "bought", 1_500)).not.toBe("bought");
  });
});
