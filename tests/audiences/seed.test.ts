import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rfmGrid } from "../../server/audiences/rfm.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { fieldCrypto } from "../../server/privacy/keys.ts";
import { journeyResults } from "../../server/results/results.ts";
import { seedIfEmpty } from "../../server/seed/demo.ts";
import { seedRfmDemo } from "../../server/seed/rfm-demo.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

const NOW = new Date("2026-11-01T00:00:00Z");
const crypto = fieldCrypto("test-secret-test-secret-test-secret!");

/** The RFM demo seed: deterministic, quick, and enough to make the grid and results real. */
describe.each(databaseKinds)("RFM demo seed on %s", (kind) => {
  const dbs: TestDatabase[] = [];
  const open = async () => {
    const db = await openTestDatabase(kind);
    dbs.push(db);
    await migrateLatest(db.knex);
    // The example journeys and the 300 basic contacts; this file seeds the RFM part itself.
    await seedIfEmpty(db.knex, crypto, { demo: true, rfmContacts: 0 });
    return db;
  };
  let first: TestDatabase;
  beforeAll(async () => {
    first = await open();
  });
  afterAll(async () => {
    for (const db of dbs) await db.close();
  });

  /** What must match between two runs: every generated value, in one digest per table. */
  const fingerprint = async (db: TestDatabase) =>
    (
      await db.knex.raw(
        `select (select md5(string_agg(external_id || attributes::text || consent::text || coalesce(timezone, ''), ',' order by external_id))
                   from contacts where external_id like 'rfm-%') as contacts,
                (select md5(string_agg(message_id || properties::text || occurred_at::text, ',' order by message_id))
                   from events where message_id like 'seed-%') as events,
                (select md5(string_agg(idempotency_key || status || coalesce(clicked_at::text, ''), ',' order by idempotency_key))
                   from messages) as messages`,
      )
    ).rows[0];

  it("is deterministic for the same now and seeds once", async () => {
    const a = await seedRfmDemo(first.knex, crypto, { contacts: 800, now: NOW });
    expect(a.contacts).toBe(800);
    expect(a.events).toBeGreaterThan(2000);
    expect(a.messages).toBeGreaterThan(100);
    const again = await seedRfmDemo(first.knex, crypto, { contacts: 800, now: NOW });
    expect(again.contacts).toBe(0);
    const second = await open();
    await seedRfmDemo(second.knex, crypto, { contacts: 800, now: NOW });
    expect(await fingerprint(second)).toEqual(await fingerprint(first));
  });

  it("fills the RFM grid and the example journeys' results", async () => {
    const grid = await rfmGrid(first.knex, NOW);
    expect(grid.buyers).toBeGreaterThan(600);
    expect(grid.cells.filter((c) => c.count > 0).length).toBeGreaterThanOrEqual(20);
    const win = await journeyResults(first.knex, "win-back", { zone: "UTC" });
    const coupon = win.sends.find((s) => s.nodeId === "coupon_1");
    expect(coupon?.recipients).toBeGreaterThan(100);
    expect(coupon?.converted?.[3]?.count).toBeGreaterThan(0);
    expect(win.series.length).toBeGreaterThan(30);
    const ab = await journeyResults(first.knex, "send-time-ab", { zone: "Asia/Shanghai" });
    expect(ab.splits[0]?.arms.map((a) => a.arm)).toEqual(["morning", "lunch", "evening"]);
    expect(ab.splits[0]?.arms[1]?.verdict).toEqual(expect.any(String));
    expect(ab.splits[0]?.arms[1]?.recipients).toBeGreaterThan(0);
  });
});
