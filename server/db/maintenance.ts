import type { Knex } from "knex";
import type { Logger } from "../log.ts";
import { type Gate, ungated } from "./gate.ts";
import {
  type AutovacuumSettings,
  analyzeTable,
  autovacuumSettings,
  checkpoint,
  checkpointState,
  type TableStats,
  tableStats,
  vacuumTable,
} from "./sql/maintenance.ts";

/**
 * Autovacuum and the checkpointer for PGlite, which has neither: it runs PostgreSQL in
 * single-user mode, where no background process starts and WAL growth requests no checkpoint
 * (PostgreSQL asks the checkpointer for one only under a postmaster). Without them, measured
 * (docs/SCALING.md, "PGlite's housekeeping"):
 * - every wake-up update left a dead row and index entry behind for good (enrollment_wakeups
 *   grew 2.4 MB per 20,000 steps);
 * - no table was ever analyzed, so the planner costed the journey tables from page counts;
 * - no checkpoint ran until a clean shutdown: pg_wal grew with every write (1.5 GB after
 *   480,000 steps), and a start after kill -9 replayed all of it (6 s per GB here).
 *
 * So the server does their work on PGlite, by their rules: a table is vacuumed when its dead
 * rows pass autovacuum_vacuum_threshold + scale factor × rows (or its inserts the insert
 * threshold), analyzed when its changes pass the analyze threshold — but no table more than 1%
 * of the time (BUDGET_FACTOR below) —, and a CHECKPOINT runs once `walBytes` of WAL have piled
 * up, or `checkpointEveryMs` passed with more than 1 MB of it. On PGlite's one connection each
 * statement holds everything else up, so each runs through `gate`: in turn with the ticker's
 * batches, after API requests in flight.
 */
export interface MaintenanceOptions {
  knex: Knex;
  log: Logger;
  /** How often to look (ms). */
  everyMs?: number;
  /** A CHECKPOINT once this much WAL has been written since the last one (bytes). */
  walBytes?: number;
  /** …or once the last checkpoint is this old and over 1 MB has been written since (ms). */
  checkpointEveryMs?: number;
  /**
   * Runs each VACUUM, ANALYZE and CHECKPOINT: on PGlite, in turn with the ticker's batches and
   * after API requests in flight (server/http/activity.ts).
   */
  gate?: Gate;
  now?: () => Date;
}

export interface MaintenanceTarget {
  schema: string;
  table: string;
  vacuum: boolean;
  analyze: boolean;
}

/** What a pass did, for the log and the tests. */
export interface MaintenancePass {
  checkpoint: boolean;
  /** How long the checkpoint held the connection (ms); 0 without one. */
  checkpointMs: number;
  tables: (MaintenanceTarget & { ms: number })[];
}

/**
 * A checkpoint writes every dirty buffer while PGlite's connection waits (90–450 ms measured at
 * 50,000 users), but a request waits for at most one turn of the background lane, checkpoint or
 * ticker batch, so their number hardly moves the API's p99 (batch 500: 175 ms at 256 MB, 181–199
 * at 1 GB, before the lane's last fix); the WAL a start after kill -9 replays does: ~0.5 s at 256 MB, ~6 s at 1 GB
 * (docs/SCALING.md, "PGlite's housekeeping").
 */
const DEFAULTS = {
  everyMs: 10_000,
  walBytes: 256 * 1024 * 1024,
  checkpointEveryMs: 5 * 60_000,
};

/**
 * Below this, the WAL since the last checkpoint is that checkpoint's own record and little else:
 * an idle server does not checkpoint every few minutes for nothing (nor does the checkpointer).
 */
const IDLE_WAL_BYTES = 1024 * 1024;

/**
 * The tables autovacuum would pick, most overdue first (the ratio of the counter to its
 * threshold), by autovacuum's formulas (PostgreSQL's relation_needs_vacanalyze).
 */
export function dueTables(stats: TableStats[], s: AutovacuumSettings): MaintenanceTarget[] {
  const due: (MaintenanceTarget & { urgency: number })[] = [];
  for (const t of stats) {
    const dead = t.deadRows / (s.vacuumThreshold + s.vacuumScaleFactor * t.rows);
    const inserted = t.insertedSinceVacuum / (s.insertThreshold + s.insertScaleFactor * t.rows);
    const changed = t.changedSinceAnalyze / (s.analyzeThreshold + s.analyzeScaleFactor * t.rows);
    const vacuum = dead > 1 || inserted > 1;
    // pg_statistic is written by ANALYZE itself; autovacuum does not analyze it either.
    const analyze = changed > 1 && !(t.schema === "pg_catalog" && t.table === "pg_statistic");
    if (vacuum || analyze)
      due.push({ ...t, vacuum, analyze, urgency: Math.max(dead, inserted, changed) });
  }
  return due
    .sort((a, b) => b.urgency - a.urgency)
    .map(({ schema, table, vacuum, analyze }) => ({ schema, table, vacuum, analyze }));
}

/**
 * A table's time on PGlite's one connection is everyone's wait, so each table gets a budget:
 * after a run of d ms it is not vacuumed or analyzed again for BUDGET_FACTOR × d, i.e. at most
 * 1% of the wall clock per table. Measured on a 200,000-user drain, autovacuum's thresholds
 * alone picked the journey tables at every 10-second look (enrollments 0.7 s, messages and
 * enrollment_steps 0.3 s each), 13% of the drain; the enrollment updates are HOT and pruned on
 * page access anyway, while the cheap, non-HOT enrollment_wakeups table comes round often.
 */
const BUDGET_FACTOR = 100;
/** ANALYZE's sample, 300 × this many rows (sql/maintenance.ts `analyzeTable` says why). */
const STATISTICS_TARGET = 10;
/** A table whose VACUUM or ANALYZE failed is tried again after this long (ms). */
const FAILED_RETRY_MS = 10 * 60_000;
/** A pass whose tables took this long (ms) is logged at info, not debug. */
const LOUD_MS = 1000;

/** What a running loop remembers between looks. */
export interface MaintenanceState {
  stopped: boolean;
  /** Per `schema.table`: not before this time (ms since the epoch), from the budget above. */
  notBefore: Map<string, number>;
}

/** One look: every table due, then a checkpoint if due, each statement through `gate`. */
export async function maintainOnce(
  options: MaintenanceOptions,
  state: MaintenanceState = { stopped: false, notBefore: new Map() },
): Promise<MaintenancePass> {
  const { knex } = options;
  const now = () => (options.now?.() ?? new Date()).getTime();
  const pass: MaintenancePass = { checkpoint: false, checkpointMs: 0, tables: [] };
  const due = await through(options, async () =>
    dueTables(await tableStats(knex), await autovacuumSettings(knex)),
  );
  for (const target of due) {
    if (state.stopped) return pass;
    const name = `${target.schema}.${target.table}`;
    if ((state.notBefore.get(name) ?? 0) > now()) continue;
    // Two statements, each after the requests in flight, rather than VACUUM (ANALYZE) in one.
    let ms = 0;
    let failed = false;
    for (const step of [
      target.vacuum ? () => vacuumTable(knex, target) : null,
      target.analyze ? () => analyzeTable(knex, target, STATISTICS_TARGET) : null,
    ]) {
      if (!step) continue;
      try {
        ms += await timed(options, step);
      } catch (err) {
        // One table that cannot be vacuumed (dropped meanwhile, say) must not keep the others
        // from their turn, nor be retried at every look.
        options.log.warn({ err, table: name }, "database housekeeping: table skipped");
        failed = true;
        break;
      }
    }
    state.notBefore.set(name, now() + (failed ? FAILED_RETRY_MS : BUDGET_FACTOR * ms));
    if (!failed) pass.tables.push({ ...target, ms });
  }
  // After the tables, so the checkpoint also covers what their vacuums wrote.
  const wal = await through(options, () => checkpointState(knex));
  const age = now() - wal.at.getTime();
  if (
    wal.walBytes >= (options.walBytes ?? DEFAULTS.walBytes) ||
    (wal.walBytes >= IDLE_WAL_BYTES &&
      age >= (options.checkpointEveryMs ?? DEFAULTS.checkpointEveryMs))
  ) {
    pass.checkpointMs = await timed(options, () => checkpoint(knex));
    pass.checkpoint = true;
  }
  return pass;
}

function through<T>(options: MaintenanceOptions, work: () => Promise<T>): Promise<T> {
  return (options.gate ?? ungated)(work);
}

/** Runs `statement` through the gate; how long it held the connection (ms), not the wait. */
function timed(options: MaintenanceOptions, statement: () => Promise<unknown>): Promise<number> {
  return through(options, async () => {
    const started = performance.now();
    await statement();
    return performance.now() - started;
  });
}

export interface RunningMaintenance {
  stop: () => Promise<void>;
}

/** Looks every `everyMs` until stopped; a failed look is logged and the next one tries again. */
export function startMaintenance(options: MaintenanceOptions): RunningMaintenance {
  const state: MaintenanceState = { stopped: false, notBefore: new Map() };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const schedule = () => {
    timer = setTimeout(() => {
      running = maintainOnce(options, state)
        .then((pass) => {
          if (!pass.checkpoint && pass.tables.length === 0) return;
          // Debug as a rule, as autovacuum logs nothing by default; info when the pass held
          // the one connection long enough for API requests to notice.
          const ms = pass.tables.reduce((sum, t) => sum + t.ms, pass.checkpointMs);
          options.log[ms >= LOUD_MS ? "info" : "debug"](
            {
              checkpoint: pass.checkpoint ? `${Math.round(pass.checkpointMs)} ms` : false,
              tables: pass.tables.map(
                (t) =>
                  `${t.table} ${t.vacuum ? (t.analyze ? "vacuum+analyze" : "vacuum") : "analyze"} ${Math.round(t.ms)} ms`,
              ),
            },
            "database housekeeping (PGlite has no autovacuum)",
          );
        })
        .catch((err: unknown) => options.log.warn({ err }, "database housekeeping failed"))
        .finally(() => {
          if (!state.stopped) schedule();
        });
    }, options.everyMs ?? DEFAULTS.everyMs);
  };
  schedule();
  return {
    async stop() {
      state.stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
