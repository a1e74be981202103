import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Database } from "../../server/db/connect.ts";
import { dueTables, maintainOnce } from "../../server/db/maintenance.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { checkpointState } from "../../server/db/sql/maintenance.ts";
import { createLogger } from "../../server/log.ts";
import { watchGate } from "../helpers/gate-watch.ts";
import { tempDir } from "../helpers/server-process.ts";

const SETTINGS = {
  vacuumThreshold: 50,
  vacuumScaleFactor: 0.2,
  insertThreshold: 1000,
  insertScaleFactor: 0.2,
  analyzeThreshold: 50,
  analyzeScaleFactor: 0.1,
};
const stats = (table: string, dead: number, changed: number, inserted: number, rows: number) => ({
  schema: "public",
  table,
  deadRows: dead,
  changedSinceAnalyze: changed,
  insertedSinceVacuum: inserted,
  rows,
});

describe("which tables PGlite's housekeeping picks (autovacuum's rules)", () => {
  it("vacuums past 50 + 20% dead rows or 1,000 + 20% inserts, analyzes past 50 + 10% changes, most overdue first", () => {
    const due = dueTables(
      [
        stats("quiet", 250, 149, 1199, 1000), // all just under: 250 = 50 + 200 is not past it
        stats("dead", 251, 0, 0, 1000),
        stats("inserts", 0, 0, 1201, 1000),
        stats("changed", 0, 151, 0, 1000),
        stats("never_analyzed", 60, 60, 60, 0), // reltuples 0: the bare thresholds
        stats("bloated", 5000, 5000, 0, 1000),
        { ...stats("pg_statistic", 0, 10_000, 0, 100), schema: "pg_catalog" },
      ],
      SETTINGS,
    );
    expect(due).toEqual([
      { schema: "public", table: "bloated", vacuum: true, analyze: true },
      { schema: "public", table: "never_analyzed", vacuum: true, analyze: true },
      { schema: "public", table: "changed", vacuum: false, analyze: true },
      { schema: "public", table: "dead", vacuum: true, analyze: false },
      { schema: "public", table: "inserts", vacuum: true, analyze: false },
    ]);
  });
});

describe("PGlite housekeeping on a real folder", () => {
  let db: Database;
  const log = createLogger("silent");
  // Counters reach pg_stat_* when the session goes idle, at most once a second; tests force it.
  const flushStats = () => db.knex.raw("select pg_stat_force_next_flush()").then(() => {});
  const tableRow = async (table: string) =>
    (
      (await db.knex.raw(
        `select s.n_dead_tup::int as dead, s.last_vacuum, s.last_analyze, c.reltuples::int as rows
           from pg_stat_user_tables s join pg_class c on c.oid = s.relid where s.relname = ?`,
        [table],
      )) as {
        rows: { dead: number; last_vacuum: Date | null; last_analyze: Date | null; rows: number }[];
      }
    ).rows[0];

  beforeAll(async () => {
    db = await connect({ pgliteDir: tempDir("waymark-housekeeping-") });
    await migrateLatest(db.knex);
    // A first pass takes what the migrations left (catalog churn), so the test starts clean.
    await flushStats();
    await maintainOnce({ knex: db.knex, log, walBytes: 1 });
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  it("vacuums and analyzes a churned table, leaves quiet ones alone, and checkpoints past the WAL limit", async () => {
    await db.knex.raw(
      `insert into contacts (external_id, attributes)
       select 'hk-' || g, jsonb_build_object('n', g) from generate_series(1, 5000) g`,
    );
    await db.knex.raw("update contacts set attributes = attributes || '{\"seen\": 1}'");
    await db.knex.raw("update contacts set attributes = attributes || '{\"seen\": 2}'");
    await flushStats();
    const before = await tableRow("contacts");
    expect(before?.dead).toBeGreaterThanOrEqual(5000);
    expect(before?.last_vacuum).toBeNull();
    const wal = (await checkpointState(db.knex)).walBytes;
    expect(wal).toBeGreaterThan(1024 * 1024);

    // Every query of the pass runs inside the gate (on PGlite: in turn with the ticker, after
    // API requests in flight), each statement in a turn of its own.
    const watched = watchGate(db.knex);
    const pass = await maintainOnce({
      knex: db.knex,
      log,
      walBytes: 1024 * 1024,
      gate: watched.gate,
    }).finally(watched.stop);
    expect(watched.outside).toEqual([]);
    expect(watched.nested).toEqual([]);
    expect(pass.checkpoint).toBe(true);
    expect(pass.tables.map((t) => [t.table, t.vacuum, t.analyze])).toContainEqual([
      "contacts",
      true,
      true,
    ]);
    // Nothing else changed enough: the journey tables stay untouched.
    expect(pass.tables.map((t) => t.table)).not.toContain("journeys");
    // A turn for each VACUUM, each ANALYZE and the checkpoint, and one for each of the two
    // looks (the tables' counters, the WAL since the last checkpoint).
    const statements = pass.tables.reduce((n, t) => n + Number(t.vacuum) + Number(t.analyze), 1);
    expect(watched.turns()).toBe(statements + 2);

    await flushStats();
    const after = await tableRow("contacts");
    expect(after?.dead).toBe(0);
    expect(after?.last_vacuum).not.toBeNull();
    expect(after?.last_analyze).not.toBeNull();
    expect(after?.rows).toBe(5000);
    // Analyzed from a small sample (statistics target 10: at most 11 histogram bounds), and the
    // setting did not leak into PGlite's one session, which every request shares.
    const bounds = (
      (await db.knex.raw(
        `select array_length(histogram_bounds::text::text[], 1) as n
           from pg_stats where tablename = 'contacts' and attname = 'id'`,
      )) as { rows: { n: number }[] }
    ).rows[0]?.n;
    expect(bounds).toBeGreaterThan(1);
    expect(bounds).toBeLessThanOrEqual(11);
    const target = (
      (await db.knex.raw("select current_setting('default_statistics_target') as t")) as {
        rows: { t: string }[];
      }
    ).rows[0]?.t;
    expect(target).toBe("100");
    expect((await checkpointState(db.knex)).walBytes).toBeLessThan(64 * 1024);

    // The work is done: the next look does nothing.
    await flushStats();
    const again = await maintainOnce({ knex: db.knex, log, walBytes: 1024 * 1024 });
    expect(again).toEqual({ checkpoint: false, checkpointMs: 0, tables: [] });
  }, 60_000);

  it("checkpoints on age alone once over a megabyte of WAL is waiting, not for an idle server", async () => {
    const later = () => new Date(Date.now() + 10 * 60_000);
    // Idle since the last checkpoint: ten minutes later, still nothing to do.
    const idle = await maintainOnce({ knex: db.knex, log, now: later });
    expect(idle.checkpoint).toBe(false);
    await db.knex.raw(
      `insert into contacts (external_id, attributes)
       select 'hk2-' || g, jsonb_build_object('pad', repeat('x', 200)) from generate_series(1, 6000) g`,
    );
    expect((await checkpointState(db.knex)).walBytes).toBeGreaterThan(1024 * 1024);
    const young = await maintainOnce({ knex: db.knex, log });
    expect(young.checkpoint).toBe(false);
    const old = await maintainOnce({ knex: db.knex, log, now: later });
    expect(old.checkpoint).toBe(true);
  }, 60_000);

  it("stops between tables when asked", async () => {
    for (const t of ["hk_a", "hk_b"]) {
      await db.knex.raw(`create table ${t} (n int)`);
      await db.knex.raw(`insert into ${t} select generate_series(1, 2000)`);
    }
    await flushStats();
    const pass = await maintainOnce(
      { knex: db.knex, log },
      { stopped: true, notBefore: new Map() },
    );
    expect(pass.tables).toEqual([]);
    const next = await maintainOnce({ knex: db.knex, log });
    expect(next.tables.map((t) => t.table)).toEqual(expect.arrayContaining(["hk_a", "hk_b"]));
  }, 60_000);

  it("gives each table at most 1% of the time: due again at once, it waits 100 × its last run", async () => {
    await db.knex.raw("create table hk_c (n int, pad text)");
    const churn = async () => {
      await db.knex.raw(
        "insert into hk_c select g, repeat('x', 100) from generate_series(1, 20000) g",
      );
      await db.knex.raw("delete from hk_c");
    };
    await churn();
    const state = { stopped: false, notBefore: new Map<string, number>() };
    let clock = Date.now();
    const now = () => new Date(clock);
    const first = await maintainOnce({ knex: db.knex, log, now }, state);
    const run = first.tables.find((t) => t.table === "hk_c");
    expect(run?.vacuum).toBe(true);
    await churn();
    // Due again by autovacuum's rules, but inside its budget: skipped.
    clock += 99 * (run?.ms ?? 0);
    const skipped = await maintainOnce({ knex: db.knex, log, now }, state);
    expect(skipped.tables.map((t) => t.table)).not.toContain("hk_c");
    clock += 2 * (run?.ms ?? 0) + 1;
    const again = await maintainOnce({ knex: db.knex, log, now }, state);
    expect(again.tables.map((t) => t.table)).toContain("hk_c");
  }, 60_000);

  it("quotes any table name, and a table that fails is skipped for ten minutes without stopping the rest", async () => {
    // ANALYZE evaluates expression indexes on its sample: this one raises once hk.boom is on.
    await db.knex.raw(`create function hk_boom(n int) returns int immutable language plpgsql as $$
      begin
        if current_setting('hk.boom', true) = 'on' then raise exception 'boom'; end if;
        return n;
      end $$`);
    await db.knex.raw("create table hk_bad (n int)");
    await db.knex.raw("create index on hk_bad (hk_boom(n))");
    await db.knex.raw("insert into hk_bad select generate_series(1, 4000)");
    await db.knex.raw('create table "odd.""name" (n int)');
    await db.knex.raw('insert into "odd.""name" select generate_series(1, 2000)');
    await db.knex.raw("select set_config('hk.boom', 'on', false)");
    try {
      const state = { stopped: false, notBefore: new Map<string, number>() };
      const started = Date.now();
      const pass = await maintainOnce({ knex: db.knex, log }, state);
      const names = pass.tables.map((t) => t.table);
      expect(names).toContain('odd."name');
      expect(names).not.toContain("hk_bad");
      expect(state.notBefore.get("public.hk_bad")).toBeGreaterThanOrEqual(started + 10 * 60_000);
      const again = await maintainOnce({ knex: db.knex, log }, state);
      expect(again.tables.map((t) => t.table)).not.toContain("hk_bad");
    } finally {
      await db.knex.raw("select set_config('hk.boom', 'off', false)");
    }
  }, 60_000);
});
