import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanAudienceTriggers } from "../../server/audiences/membership.ts";
import { memberIds } from "../../server/audiences/queries.ts";
import { rfmGrid } from "../../server/audiences/rfm.ts";
import {
  ensureRfm,
  refreshRfm,
  refreshRfmIfStale,
  rfmScores,
} from "../../server/audiences/rfm-refresh.ts";
import { param, sql, toRaw } from "../../server/audiences/sql.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { liveJourneyCache } from "../../server/runtime/live-journeys.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { insertContacts, insertEvents, NOW, namesOf, tenBuyers } from "./fixture.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (ms: number) => new Date(NOW.getTime() + ms);

/**
 * contact_rfm (server/audiences/rfm-refresh.ts): computed on first use, recomputed when
 * purchases arrive or an hour passes, and always equal to scoring the events from scratch at
 * the refresh's `now`. Ten buyers as in rfm.test.ts: b<i> last bought i days ago with i orders,
 * so recency 5 = b1, b2 and recency 1 = b9, b10.
 */
describe.each(databaseKinds)("RFM refresh on %s", (kind) => {
  let db: TestDatabase;
  let ids: Map<string, number>;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await migrateLatest(db.knex);
    const { names, events } = tenBuyers();
    ids = await insertContacts(
      db.knex,
      [...names, "never"].map((externalId) => ({ externalId })),
    );
    await insertEvents(db.knex, ids, events);
  });
  afterAll(async () => {
    await db?.close();
  });

  const columns = sql`contact_id, last_at, orders, monetary::text as monetary, r, f, m`;
  const stored = async () =>
    (
      (await toRaw(db.knex, sql`select ${columns} from contact_rfm order by contact_id`)) as {
        rows: unknown[];
      }
    ).rows;
  const fromScratch = async (now: Date) =>
    (
      (await toRaw(
        db.knex,
        sql`select ${columns} from (${rfmScores(sql`${param(now)}::timestamptz`)}) x order by contact_id`,
      )) as { rows: unknown[] }
    ).rows;
  const recent = async (now: Date) =>
    namesOf(ids, await memberIds(db.knex, { rfm: { r: [5, 5] } }, now));
  const state = async () =>
    (await db.knex("contact_rfm_state").first("as_of", "buyers")) as {
      as_of: Date | null;
      buyers: number;
    };
  const buy = (contact: string, when: Date) =>
    insertEvents(db.knex, ids, [
      { contact, name: "purchased", at: when, properties: { amount: 30 } },
    ]);

  it("computes the scores on first use, equal to scoring from scratch", async () => {
    expect((await state()).as_of).toBeNull();
    expect(await recent(NOW)).toEqual(["b1", "b2"]);
    expect(await state()).toEqual({ as_of: NOW, buyers: 10 });
    expect(await stored()).toEqual(await fromScratch(NOW));
    expect(await stored()).toHaveLength(10);
    // Computed once: the next query finds them.
    expect(await ensureRfm(db.knex, NOW)).toBeNull();
  });

  it("changes the scores when a refresh follows new purchases", async () => {
    const t = at(10 * MINUTE);
    await buy("b10", at(5 * MINUTE));
    // Until the refresh the stored scores are the last refresh's (at most a scan behind).
    expect(await recent(t)).toEqual(["b1", "b2"]);
    const done = await refreshRfmIfStale(db.knex, t);
    expect(done).toMatchObject({ reason: "purchases", full: false, buyers: 10 });
    expect(done?.written).toBeGreaterThan(0);
    // b10 bought most recently: now in recency 5, which pushes b2 down to 4.
    expect(await recent(t)).toEqual(["b1", "b10"]);
    const b10 = (await db
      .knex("contact_rfm")
      .where({ contact_id: ids.get("b10") })
      .first()) as {
      orders: number;
      r: number;
    };
    expect(b10).toMatchObject({ orders: 11, r: 5 });
    expect(await stored()).toEqual(await fromScratch(t));
    // Nothing new: the next scan's check does nothing.
    expect(await refreshRfmIfStale(db.knex, at(11 * MINUTE))).toBeNull();
  });

  it("keeps the ranks as time passes and refreshes hourly without changing them", async () => {
    const before = await stored();
    expect(await refreshRfmIfStale(db.knex, at(50 * MINUTE))).toBeNull();
    const hourly = await refreshRfmIfStale(db.knex, at(10 * MINUTE + HOUR));
    expect(hourly).toMatchObject({ reason: "hourly", full: true, written: 0 });
    expect(await stored()).toEqual(before);
    // Three days on, scoring from scratch still gives the stored ranks; only the grid's day
    // labels, computed from last_at and the request's now, move.
    const later = at(3 * 24 * HOUR);
    expect(await fromScratch(later)).toEqual(before);
    const days = async (now: Date) =>
      (await rfmGrid(db.knex, now)).recency.find((r) => r.score === 1)?.minDays;
    const then = await days(at(11 * MINUTE));
    expect(await days(later)).toBe((then ?? 0) + 3);
  });

  it("is refreshed by the audience scanner before it evaluates memberships", async () => {
    await db.knex("audiences").insert({
      id: "recent",
      name: "Recent buyers",
      definition: JSON.stringify({ rfm: { r: [5, 5] } }),
    });
    const journey = {
      format: "waymark/journey@1",
      id: "recent-journey",
      name: "Recent",
      nodes: [
        { id: "start", type: "trigger", trigger: { kind: "audience", audience: "recent" } },
        { id: "done", type: "exit" },
      ],
      edges: [{ from: "start", to: "done" }],
    };
    await createJourney(db.knex, journey, null);
    await publishJourney(db.knex, "recent-journey", null, at(4 * 24 * HOUR));
    const t = at(4 * 24 * HOUR + MINUTE);
    await buy("b9", t);
    await scanAudienceTriggers({ knex: db.knex, live: liveJourneyCache(db.knex, 0), now: () => t });
    expect((await state()).as_of).toEqual(t);
    const members = (await db.knex("audience_members").where({ audience_id: "recent" })) as {
      contact_id: string | number;
    }[];
    expect(
      namesOf(
        ids,
        members.map((m) => Number(m.contact_id)),
      ),
    ).toEqual(["b10", "b9"]);
  });

  it("drops an erased contact at once and re-ranks the rest on the next refresh", async () => {
    const t = at(5 * 24 * HOUR);
    await db
      .knex("contacts")
      .where({ id: ids.get("b9") })
      .delete();
    expect(await stored()).toHaveLength(9);
    await refreshRfm(db.knex, t);
    expect(await stored()).toEqual(await fromScratch(t));
    expect(await state()).toEqual({ as_of: t, buyers: 9 });
  });

  it("lets concurrent refreshes queue instead of colliding", async () => {
    const t = at(6 * 24 * HOUR);
    await buy("b8", t);
    const results = await Promise.all([
      refreshRfmIfStale(db.knex, t),
      refreshRfmIfStale(db.knex, t),
      refreshRfm(db.knex, t),
    ]);
    // The forced one always runs; a queued check finds the work done if it ran first.
    expect(results[2]).not.toBeNull();
    expect(await stored()).toEqual(await fromScratch(t));
  });

  const DAY7 = 7 * 24 * HOUR;
  const lastAt = async (contact: string) =>
    (
      (await db
        .knex("contact_rfm")
        .where({ contact_id: ids.get(contact) })
        .first("last_at")) as {
        last_at: Date;
      }
    ).last_at;

  it("re-aggregates a purchase whose transaction committed after a refresh read past its id", async () => {
    await refreshRfm(db.knex, at(DAY7));
    // An ingest transaction takes an id, and is still open when the next refresh runs.
    const { rows } = (await db.knex.raw(
      "select nextval(pg_get_serial_sequence('events', 'id')) as id",
    )) as { rows: { id: string | number }[] };
    await buy("b7", at(DAY7 + MINUTE));
    const first = await refreshRfmIfStale(db.knex, at(DAY7 + 2 * MINUTE));
    expect(first).toMatchObject({ reason: "purchases", full: false });
    // It commits now, below the watermark: alone it triggers nothing (the hourly full refresh
    // would count it)…
    await db.knex.raw(
      `insert into events (id, contact_id, message_id, name, properties, occurred_at)
       overriding system value values (?, ?, 'late-1', 'purchased', ?, ?)`,
      [Number(rows[0]?.id), ids.get("b6") ?? 0, JSON.stringify({ amount: 900 }), at(DAY7 + MINUTE)],
    );
    expect(await refreshRfmIfStale(db.knex, at(DAY7 + 3 * MINUTE))).toBeNull();
    // …but the next purchase's refresh re-aggregates everyone who bought since the refresh
    // before the last, so it is counted there.
    await buy("b5", at(DAY7 + 4 * MINUTE));
    const t = at(DAY7 + 5 * MINUTE);
    expect(await refreshRfmIfStale(db.knex, t)).toMatchObject({ reason: "purchases", full: false });
    expect(await stored()).toEqual(await fromScratch(t));
    expect(await lastAt("b6")).toEqual(at(DAY7 + MINUTE));
  });

  it("counts a purchase dated ahead once it comes due", async () => {
    const t = at(DAY7 + 10 * MINUTE);
    await buy("b4", at(DAY7 + 40 * MINUTE));
    expect(await refreshRfmIfStale(db.knex, t)).toMatchObject({ reason: "purchases", full: false });
    expect(await stored()).toEqual(await fromScratch(t));
    expect(await lastAt("b4")).not.toEqual(at(DAY7 + 40 * MINUTE));
    const due = at(DAY7 + 50 * MINUTE);
    expect(await refreshRfmIfStale(db.knex, due)).toMatchObject({
      reason: "purchases",
      full: false,
    });
    expect(await stored()).toEqual(await fromScratch(due));
    expect(await lastAt("b4")).toEqual(at(DAY7 + 40 * MINUTE));
  });

  it("recomputes from scratch for a clock behind the last refresh", async () => {
    await buy("b3", at(DAY7 + 55 * MINUTE));
    const behind = at(DAY7 + 30 * MINUTE);
    expect(await refreshRfmIfStale(db.knex, behind)).toMatchObject({
      reason: "purchases",
      full: true,
    });
    // Neither b4's purchase at 40 minutes nor b3's at 55 has happened yet at 30.
    expect(await stored()).toEqual(await fromScratch(behind));
  });
});

describe.each(databaseKinds)("RFM scores without buyers on %s", (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await migrateLatest(db.knex);
    await insertContacts(db.knex, [{ externalId: "browser" }]);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("computes an empty table once and serves an empty grid", async () => {
    const grid = await rfmGrid(db.knex, NOW);
    expect(grid.buyers).toBe(0);
    expect(grid.contacts).toBe(1);
    expect(grid.scoredAt).toBe(NOW.toISOString());
    expect(await ensureRfm(db.knex, NOW)).toBeNull();
    expect(await refreshRfmIfStale(db.knex, at(MINUTE))).toBeNull();
    // No scanner ran for two hours: the next query refreshes, incrementally.
    expect(await ensureRfm(db.knex, at(2 * HOUR))).toMatchObject({ reason: "idle", full: false });
  });
});
