import type { Knex } from "knex";

/*
 * PGlite's housekeeping, which a PostgreSQL server's background processes do by themselves:
 * PGlite runs PostgreSQL in single-user mode, where neither the autovacuum launcher nor the
 * checkpointer runs (server/db/maintenance.ts says what that cost and measures the fix). These
 * statements read what autovacuum would read and do what it and the checkpointer would do.
 */

export interface TableStats {
  schema: string;
  table: string;
  /** Row versions no snapshot can see any more: vacuum's work. */
  deadRows: number;
  /** Rows inserted, updated or deleted since the last ANALYZE. */
  changedSinceAnalyze: number;
  /** Rows inserted since the last vacuum: an insert-only table needs one too (visibility map). */
  insertedSinceVacuum: number;
  /** The planner's row count, 0 before the first VACUUM or ANALYZE. */
  rows: number;
}

/** The thresholds autovacuum uses, read from the server's own settings. */
export interface AutovacuumSettings {
  vacuumThreshold: number;
  vacuumScaleFactor: number;
  insertThreshold: number;
  insertScaleFactor: number;
  analyzeThreshold: number;
  analyzeScaleFactor: number;
}

export async function autovacuumSettings(knex: Knex): Promise<AutovacuumSettings> {
  const r = (await knex.raw(
    `select current_setting('autovacuum_vacuum_threshold')::float8 as vt,
            current_setting('autovacuum_vacuum_scale_factor')::float8 as vs,
            current_setting('autovacuum_vacuum_insert_threshold')::float8 as it,
            current_setting('autovacuum_vacuum_insert_scale_factor')::float8 as "is",
            current_setting('autovacuum_analyze_threshold')::float8 as at,
            current_setting('autovacuum_analyze_scale_factor')::float8 as "as"`,
  )) as { rows: { vt: number; vs: number; it: number; is: number; at: number; as: number }[] };
  const s = r.rows[0];
  if (!s) throw new Error("autovacuum settings: no row");
  return {
    vacuumThreshold: s.vt,
    vacuumScaleFactor: s.vs,
    insertThreshold: s.it,
    insertScaleFactor: s.is,
    analyzeThreshold: s.at,
    analyzeScaleFactor: s.as,
  };
}

/**
 * Our tables and the system catalogs (schema changes churn pg_attribute and pg_class; the
 * server's autovacuum would look after them too), with the counters autovacuum decides by.
 */
export async function tableStats(knex: Knex): Promise<TableStats[]> {
  // A session's counters reach pg_stat_* when it goes idle, at most once a second: flush them
  // now so the decision counts this session's latest writes too.
  await knex.raw("select pg_stat_force_next_flush()");
  const r = (await knex.raw(
    `select s.schemaname as schema, s.relname as "table", s.n_dead_tup as dead,
            s.n_mod_since_analyze as changed, s.n_ins_since_vacuum as inserted,
            greatest(c.reltuples, 0)::float8 as rows
       from pg_stat_all_tables s
       join pg_class c on c.oid = s.relid
      where s.schemaname in ('public', 'pg_catalog') and c.relkind = 'r'`,
  )) as {
    rows: {
      schema: string;
      table: string;
      dead: string | number;
      changed: string | number;
      inserted: string | number;
      rows: number;
    }[];
  };
  return r.rows.map((x) => ({
    schema: x.schema,
    table: x.table,
    deadRows: Number(x.dead),
    changedSinceAnalyze: Number(x.changed),
    insertedSinceVacuum: Number(x.inserted),
    rows: x.rows,
  }));
}

/**
 * `"schema"."table"`, quoted here rather than by knex's `??`, which splits names on dots: a
 * table whose name has a dot or a quote in it must still be the one vacuumed.
 */
const qualified = (t: { schema: string; table: string }) =>
  [t.schema, t.table].map((part) => `"${part.replace(/"/g, '""')}"`).join(".");

/** VACUUM one table; never inside a transaction (VACUUM cannot be). */
export async function vacuumTable(knex: Knex, t: { schema: string; table: string }): Promise<void> {
  await knex.raw(`vacuum ${qualified(t)}`);
}

/**
 * ANALYZE one table from a sample of 300 × `statisticsTarget` rows. The default target (100:
 * 30,000 rows) held PGlite's one connection 375 ms for enrollments at 50,000 users, mostly
 * comparing jsonb snapshots for their histograms; at 10 it took 33 ms (messages 165 → 17,
 * enrollment_steps 270 → 28, contacts 172 → 21). The planner mostly needs the row counts and
 * distinct counts of id columns, which the smaller sample still gives. SET LOCAL keeps the
 * target to this transaction: PGlite's one session is everyone's.
 */
export async function analyzeTable(
  knex: Knex,
  t: { schema: string; table: string },
  statisticsTarget: number,
): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw("select set_config('default_statistics_target', ?, true)", [
      String(statisticsTarget),
    ]);
    await trx.raw(`analyze ${qualified(t)}`);
  });
}

/**
 * WAL written since the last checkpoint's redo point (what a crash would replay, bytes), and
 * when that checkpoint ran: its time survives restarts, so a restart does not reset the clock.
 */
export async function checkpointState(knex: Knex): Promise<{ walBytes: number; at: Date }> {
  const r = (await knex.raw(
    `select (pg_current_wal_insert_lsn() - c.redo_lsn)::float8 as bytes, c.checkpoint_time as at
       from pg_control_checkpoint() c`,
  )) as { rows: { bytes: number; at: Date | string }[] };
  const row = r.rows[0];
  if (!row) throw new Error("pg_control_checkpoint: no row");
  return { walBytes: row.bytes, at: new Date(row.at) };
}

export async function checkpoint(knex: Knex): Promise<void> {
  await knex.raw("checkpoint");
}
