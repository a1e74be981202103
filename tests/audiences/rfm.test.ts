import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberIds } from "../../server/audiences/queries.ts";
import { rfmGrid } from "../../server/audiences/rfm.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { daysAgo, insertContacts, insertEvents, NOW, namesOf, tenBuyers } from "./fixture.ts";

/**
 * Ten buyers, b1…b10: b<i> last bought i days ago, placed i orders and spent (11 − i) × 100 in
 * total. ntile(5) over ten contacts puts two in each quintile, so every score is known:
 * recency 5 = b1, b2 (most recent); frequency 5 = b9, b10 (most orders); monetary 5 = b1, b2.
 */
describe.each(databaseKinds)("RFM quintiles on %s", (kind) => {
  let db: TestDatabase;
  let ids: Map<string, number>;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await migrateLatest(db.knex);
    const { names, events } = tenBuyers();
    ids = await insertContacts(
      db.knex,
      [...names, "never", "browser"].map((externalId) => ({ externalId })),
    );
    events.push({ contact: "browser", name: "viewed", at: daysAgo(1) });
    await insertEvents(db.knex, ids, events);
  });
  afterAll(async () => {
    await db?.close();
  });

  const members = async (rfm: Record<string, [number, number]>) =>
    namesOf(ids, await memberIds(db.knex, { rfm }, NOW)).sort((a, b) =>
      a.localeCompare(b, "en", { numeric: true }),
    );

  it("scores recency, frequency and monetary value in quintiles", async () => {
    expect(await members({ r: [5, 5] })).toEqual(["b1", "b2"]);
    expect(await members({ r: [1, 1] })).toEqual(["b9", "b10"]);
    expect(await members({ f: [5, 5] })).toEqual(["b9", "b10"]);
    expect(await members({ f: [1, 2] })).toEqual(["b1", "b2", "b3", "b4"]);
    expect(await members({ m: [5, 5] })).toEqual(["b1", "b2"]);
    expect(await members({ m: [3, 3] })).toEqual(["b5", "b6"]);
    // Dormant and frequent: the win-back target.
    expect(await members({ r: [1, 2], f: [4, 5] })).toEqual(["b7", "b8", "b9", "b10"]);
    expect(await members({ r: [1, 2], f: [4, 5], m: [1, 1] })).toEqual(["b9", "b10"]);
    // Contacts without a purchase have no score.
    expect(await members({})).toHaveLength(10);
  });

  it("is deterministic when values tie (frequency ties go by money spent)", async () => {
    const first = await members({ f: [3, 3] });
    for (let i = 0; i < 3; i++) expect(await members({ f: [3, 3] })).toEqual(first);
  });

  it("builds the recency × frequency grid from the same scores", async () => {
    const grid = await rfmGrid(db.knex, NOW);
    expect(grid.cells).toHaveLength(25);
    expect(grid.buyers).toBe(10);
    expect(grid.contacts).toBe(12);
    // r = 5 holds b1 and b2, who have f = 1.
    expect(grid.cells.find((c) => c.r === 5 && c.f === 1)).toMatchObject({
      count: 2,
      avgMonetary: 950,
      definition: { rfm: { r: [5, 5], f: [1, 1] } },
    });
    expect(grid.cells.filter((c) => c.count > 0).map((c) => [c.r, c.f])).toEqual([
      [5, 1],
      [4, 2],
      [3, 3],
      [2, 4],
      [1, 5],
    ]);
    expect(grid.recency.find((r) => r.score === 5)).toEqual({ score: 5, minDays: 1, maxDays: 2 });
    expect(grid.frequency.find((f) => f.score === 5)).toEqual({
      score: 5,
      minOrders: 9,
      maxOrders: 10,
    });
  });
});
