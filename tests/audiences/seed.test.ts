import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LINK_SHAPE } from "../../engine/sms/compose.ts";
import { optOutLineFor } from "../../engine/sms/opt-out-line.ts";
import { countSegments } from "../../engine/sms/segments.ts";
import { rfmGrid } from "../../server/audiences/rfm.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { versionDefinition } from "../../server/journeys/sql/versions.ts";
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
    // Issue #16: "Last touch" read 0 beside these conversions (the history has no enrollments
    // running to record a credit); each converting contact credits their last coupon.
    expect(coupon?.attributed?.count).toBeGreaterThan(0);
    const credits = win.sends.reduce((n, s) => n + (s.attributed?.count ?? 0), 0);
    const day7 = win.sends.reduce((n, s) => n + (s.converted?.[3]?.count ?? 0), 0);
    expect(credits).toBeLessThanOrEqual(day7);
    expect(win.series.length).toBeGreaterThan(30);
    const ab = await journeyResults(first.knex, "send-time-ab", { zone: "Asia/Shanghai" });
    expect(ab.splits[0]?.arms.map((a) => a.arm)).toEqual(["morning", "lunch", "evening"]);
    expect(ab.splits[0]?.arms[1]?.verdict).toEqual(expect.any(String));
    expect(ab.splits[0]?.arms[1]?.recipients).toBeGreaterThan(0);
  });

  it("stores each seeded SMS as a real send does: the node's text, opt-out line, tracked link, encoding and parts", async () => {
    // Issue #16: seeded messages had neither encoding nor parts, and a text no node sends.
    const rows = (await first
      .knex("messages as m")
      .join("contacts as c", "c.id", "m.contact_id")
      .where("m.idempotency_key", "like", "seed:%")
      .select("m.node_id", "m.body", "m.encoding", "m.parts", "c.locale")) as {
      node_id: string;
      body: string;
      encoding: string | null;
      parts: number | null;
      locale: string | null;
    }[];
    expect(rows.length).toBeGreaterThan(100);
    const link = new RegExp(
      `${DEFAULT_LINK_SHAPE.base}/l/[A-Za-z0-9_-]{${DEFAULT_LINK_SHAPE.tokenLength}}`,
    );
    for (const r of rows) {
      const counted = countSegments(r.body);
      expect({ encoding: r.encoding, parts: r.parts }, r.body).toEqual({
        encoding: counted.encoding,
        parts: counted.parts,
      });
      expect(r.body.endsWith(optOutLineFor(r.locale))).toBe(true);
      expect(r.body).toMatch(link);
    }
    // The example nodes' texts, and both encodings: a Chinese opt-out line makes it UCS-2.
    expect(
      rows.some(
        (r) => r.node_id === "coupon_1" && r.body.includes("(code BACK50), 48h left: http"),
      ),
    ).toBe(true);
    expect(
      rows.some(
        (r) =>
          r.node_id === "offer_1230" && r.body.startsWith("Member day: 50 off 200 today only http"),
      ),
    ).toBe(true);
    expect(new Set(rows.map((r) => r.encoding))).toEqual(new Set(["GSM-7", "UCS-2"]));
    expect(rows.some((r) => (r.parts ?? 0) > 1)).toBe(true);
  });

  it("ties the seeded A/B enrollments to a published version the contact page can draw", async () => {
    // The enrollments named the draft row; GET /versions/:n serves published versions only, so
    // every seeded A/B contact's page said "Cannot draw v…".
    const rows = (await first
      .knex("enrollments as e")
      .join("journey_versions as v", "v.id", "e.version_id")
      .where("e.journey_id", "send-time-ab")
      .select("v.is_draft", "v.version")) as { is_draft: boolean; version: number | null }[];
    expect(rows.length).toBeGreaterThan(50);
    expect(new Set(rows.map((r) => `${r.is_draft}:${r.version}`))).toEqual(new Set(["false:1"]));
    const drawn = await versionDefinition(first.knex, "send-time-ab", 1);
    expect(drawn?.definition).toMatchObject({ id: "send-time-ab" });
    const journey = (await first
      .knex("journeys")
      .where({ id: "send-time-ab" })
      .first("status", "live_version_id")) as { status: string; live_version_id: string | number };
    // It ran and is over: paused on v1, so nothing sends until a marketer resumes it.
    expect(journey.status).toBe("paused");
    expect(Number(journey.live_version_id)).toBeGreaterThan(0);
  });
});
