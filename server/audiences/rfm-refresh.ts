import type { Knex } from "knex";
import { RFM_AMOUNT_PROPERTY, RFM_EVENT } from "../../engine/audience/schema.ts";
import { type Fragment, param, sql, toRaw } from "./sql.ts";
import { asNumeric, jsonPath } from "./values.ts";

/**
 * contact_rfm: each buyer's recency, frequency and monetary value as quintiles 1–5, computed
 * from `purchased` events by the refreshes below, so the `rfm` condition and the grid read
 * 100,000 rows instead of aggregating 1,000,000 events per request.
 *
 * Why storing r does not go stale with time: a score is a quintile *rank* among buyers, and
 * "days since the last purchase" grows by the same amount for every buyer as the clock moves,
 * so their order — and every r — is the same at any later `now` until someone buys. Only
 * what depends on absolute time is computed at query time: the grid's axis labels, from
 * last_at and the request's `now`. So a refresh is needed when purchases arrive, not as time
 * passes, and computing r at query time from stored boundaries would buy nothing.
 *
 * A refresh is one statement in one transaction that ranks every buyer again and rewrites the
 * rows whose values changed. *Full*, it aggregates every purchase; *incremental* (when the
 * only reason is new purchases), it aggregates only the buyers with new purchases and reuses
 * the stored aggregates of the rest — the ranks are still computed over everyone, so the
 * scores are exactly what a full refresh gives. bench/audience, 100,000 contacts / 1,000,000
 * events (98,000 buyers): full 0.93 s, most of it aggregating 600,000 purchase amounts exactly
 * (1.7 s into an empty table, where every row also pays a foreign-key check); incremental
 * after 100 purchases 0.25 s, most of it the three window sorts. The `rfm` condition and the
 * grid went from 1.3–1.4 s to 11 and 55 ms.
 *
 * When it runs:
 *  - the audience scanner, before it evaluates memberships: incrementally when purchases
 *    arrived since the last refresh (an `events.id` watermark: one index probe), fully when
 *    the last full refresh is an hour old. Purchases make scores wrong, so they refresh on the
 *    next scan (a minute). The hourly full refresh corrects what increments cannot see:
 *    contacts erased (their rows cascade, but the others' quintiles shift), a purchase whose
 *    transaction stayed open across two refreshes;
 *  - after the demo seed (full);
 *  - lazily on an `rfm` query or the grid when the scores were never computed, so a fresh
 *    database still answers correctly, or are over two hours old, so a server without a
 *    scanner (WAYMARK_WORKERS=false and no worker) does not show last month's scores. Two
 *    hours, not one, so that with a scanner running the lazy path never races it and no
 *    request — nor the ticker's `isMember`, inside its batch transaction — pays for a refresh.
 * Between scans an RFM audience lags purchases by up to a minute, like audience_members.
 */

/** The scanner recomputes every buyer from scratch this often (see above). */
export const RFM_MAX_AGE_MS = 60 * 60 * 1000;
/** The query path recomputes scores this old (see above). */
const QUERY_MAX_AGE_MS = 2 * RFM_MAX_AGE_MS;

/**
 * never: no scores yet (full). purchases: bought since the last refresh (incremental).
 * hourly: the scanner's full refresh. idle: the query path found no refresh for two hours, so
 * no scanner runs (incremental). forced: `refreshRfm` (full).
 */
export type RfmRefreshReason = "never" | "purchases" | "hourly" | "idle" | "forced";

export interface RfmRefresh {
  reason: RfmRefreshReason;
  /** Every buyer re-aggregated from events (else only those with new purchases). */
  full: boolean;
  /** Contacts with at least one purchase up to `now`. */
  buyers: number;
  /** Rows inserted, changed or removed. */
  written: number;
  ms: number;
}

interface State {
  asOf: Date | null;
  fullAsOf: Date | null;
  throughEventId: number;
  prevThroughEventId: number;
}

async function readState(knex: Knex | Knex.Transaction, lock: boolean): Promise<State> {
  const q = knex("contact_rfm_state").first(
    "as_of",
    "full_as_of",
    "through_event_id",
    "prev_through_event_id",
  );
  const row = (await (lock ? q.forUpdate() : q)) as
    | {
        as_of: Date | string | null;
        full_as_of: Date | string | null;
        through_event_id: string | number;
        prev_through_event_id: string | number;
      }
    | undefined;
  return {
    asOf: row?.as_of ? new Date(row.as_of) : null,
    fullAsOf: row?.full_as_of ? new Date(row.full_as_of) : null,
    throughEventId: Number(row?.through_event_id ?? 0),
    prevThroughEventId: Number(row?.prev_through_event_id ?? 0),
  };
}

/** Each buyer's aggregates over `purchased` events up to `now` (`and` narrows the contacts). */
function aggregates(now: Fragment, and: Fragment): Fragment {
  const amount = asNumeric(jsonPath(sql`e.properties`, RFM_AMOUNT_PROPERTY));
  return sql`select e.contact_id,
                   max(e.occurred_at) as last_at,
                   count(*)::int as orders,
                   coalesce(sum(${amount}), 0) as monetary
              from events e
             where e.name = ${param(RFM_EVENT)} and e.occurred_at <= ${now}${and}
             group by e.contact_id`;
}

/**
 * Quintiles over per-buyer aggregates: 5 = most recent / most orders / most spent. ntile
 * splits ties arbitrarily, so each order has tie-breakers — frequency ties go by money spent,
 * then everything by contact id — and the same data always gives the same scores.
 */
function ranked(aggregated: Fragment): Fragment {
  return sql`select a.contact_id, a.last_at, a.orders, a.monetary,
           ntile(5) over (order by a.last_at, a.contact_id)::smallint as r,
           ntile(5) over (order by a.orders, a.monetary, a.contact_id)::smallint as f,
           ntile(5) over (order by a.monetary, a.orders, a.contact_id)::smallint as m
      from (${aggregated}) a`;
}

/** Every buyer's scores at `now`, from scratch. Exported for tests, which compare the table. */
export function rfmScores(now: Fragment): Fragment {
  return ranked(aggregates(now, sql``));
}

/**
 * Every buyer's scores at `now`, re-aggregating only the buyers whose purchases may have
 * changed since the last refresh and reusing the stored aggregates of the rest: new purchases
 * since the watermark *before* the last one (so a purchase whose transaction took its id
 * before the last refresh read the watermark, but committed after, is still picked up), and
 * purchases dated between the last refresh and now (sent ahead of time, now due).
 */
function incrementalScores(now: Fragment, state: State, asOf: Date): Fragment {
  const event = param(RFM_EVENT);
  const touched = sql`(select e.contact_id from events e
       where e.id > ${param(state.prevThroughEventId)}::bigint and e.name = ${event}
      union
      select e.contact_id from events e
       where e.name = ${event} and e.occurred_at > ${param(asOf)}::timestamptz and e.occurred_at <= ${now})`;
  return ranked(sql`select t.contact_id, t.last_at, t.orders, t.monetary
      from contact_rfm t where t.contact_id not in ${touched}
    union all
    ${aggregates(now, sql` and e.contact_id in ${touched}`)}`);
}

/**
 * Why the scores need recomputing at `now`, or null. `missing` is the query path's test (never
 * computed, or two hours old); `stale` is the scanner's (no full recompute for an hour, or
 * purchases since the last refresh).
 */
async function reason(
  knex: Knex | Knex.Transaction,
  state: State,
  now: Date,
  mode: "missing" | "stale",
): Promise<RfmRefreshReason | null> {
  if (!state.asOf) return "never";
  // A clock behind as_of (another worker's skew) is not a reason: ranks do not depend on it.
  if (mode === "missing") {
    return now.getTime() - state.asOf.getTime() >= QUERY_MAX_AGE_MS ? "idle" : null;
  }
  const full = state.fullAsOf ?? state.asOf;
  if (now.getTime() - full.getTime() >= RFM_MAX_AGE_MS) return "hourly";
  const { rows } = (await knex.raw(
    `select exists (select 1 from events where id > ? and name = ?)
         or exists (select 1 from events where name = ? and occurred_at > ? and occurred_at <= ?) as stale`,
    [state.throughEventId, RFM_EVENT, RFM_EVENT, state.asOf, now],
  )) as { rows: { stale: boolean }[] };
  return rows[0]?.stale ? "purchases" : null;
}

/**
 * Recomputes contact_rfm for `now` in one transaction: readers see the old scores until it
 * commits. Concurrent refreshes queue on the state row's lock, and a queued one whose reason
 * went away while it waited (another worker just refreshed) does nothing.
 */
async function refresh(
  knex: Knex | Knex.Transaction,
  now: Date,
  mode: "missing" | "stale" | "forced",
): Promise<RfmRefresh | null> {
  return knex.transaction(async (trx) => {
    const state = await readState(trx, true);
    const why = mode === "forced" ? "forced" : await reason(trx, state, now, mode);
    if (!why) return null;
    // New purchases re-aggregate only their buyers; the rest start over, as does a clock
    // behind the last refresh (the stored aggregates would count purchases after `now`).
    const from =
      (why === "purchases" || why === "idle") && state.asOf && state.asOf <= now
        ? state.asOf
        : null;
    const started = performance.now();
    // The same settings as audience queries (queries.ts `bounded`): the aggregate and the
    // window sorts spill to disk at the default 4 MB, and JIT costs more than it saves here.
    // No parallel workers: the finalize step merging their numeric partial sums costs more
    // than they save (bench/audience data, full scores alone: 1.06 s parallel, 0.87 s serial),
    // and a background job should leave the other cores to requests.
    await trx.raw(`set local work_mem = '64MB'`);
    await trx.raw("set local jit = off");
    await trx.raw("set local max_parallel_workers_per_gather = 0");
    // Read before the scores: a purchase committed in between is both scored and above the
    // watermark, so it costs one extra refresh, never a missed one.
    const { rows: top } = (await trx.raw("select coalesce(max(id), 0) as id from events")) as {
      rows: { id: string | number }[];
    };
    const at = sql`${param(now)}::timestamptz`;
    const scores = from ? incrementalScores(at, state, from) : rfmScores(at);
    const { rows } = (await toRaw(trx, writeScores(at, scores))) as {
      rows: { buyers: string | number; written: string | number }[];
    };
    const buyers = Number(rows[0]?.buyers ?? 0);
    const ms = Math.round(performance.now() - started);
    await trx("contact_rfm_state").update({
      as_of: now,
      full_as_of: from ? state.fullAsOf : now,
      through_event_id: Number(top[0]?.id ?? 0),
      prev_through_event_id: state.throughEventId,
      buyers,
      ms,
    });
    return { reason: why, full: !from, buyers, written: Number(rows[0]?.written ?? 0), ms };
  });
}

/**
 * One statement: compare the new scores with the stored ones in a single full join, then update
 * the rows that changed, insert new buyers and delete the rows of contacts who no longer have a
 * purchase (the three touch disjoint rows). Between two refreshes a few buyers change, so this
 * writes a few rows instead of all of them. bench/audience, 98,000 buyers, writes alone:
 * delete all + insert 850 ms (each insert also checks the contacts foreign key), insert … on
 * conflict do update where changed 280 ms (an index probe per buyer), this 100 ms. New rows go
 * in key order so each foreign-key check finds the contacts row next to the last one: 98,000
 * into an empty table 740 → 580 ms.
 */
function writeScores(now: Fragment, scores: Fragment): Fragment {
  return sql`with d as (
      select s.contact_id, s.last_at, s.orders, s.monetary, s.r, s.f, s.m, t.contact_id as old_id
        from (${scores}) s
        full join contact_rfm t on t.contact_id = s.contact_id
       where s.contact_id is null or t.contact_id is null
          or (t.last_at, t.orders, t.monetary, t.r, t.f, t.m)
             is distinct from (s.last_at, s.orders, s.monetary, s.r, s.f, s.m)),
    upd as (
      update contact_rfm t
         set last_at = d.last_at, orders = d.orders, monetary = d.monetary,
             r = d.r, f = d.f, m = d.m, computed_at = ${now}
        from d where d.contact_id = t.contact_id and d.old_id is not null
      returning 1),
    ins as (
      insert into contact_rfm (contact_id, last_at, orders, monetary, r, f, m, computed_at)
      select d.contact_id, d.last_at, d.orders, d.monetary, d.r, d.f, d.m, ${now}
        from d where d.old_id is null
       order by d.contact_id
      returning 1),
    del as (
      delete from contact_rfm t using d where d.contact_id is null and t.contact_id = d.old_id
      returning 1)
    select (select count(*) from contact_rfm) - (select count(*) from del) + (select count(*) from ins) as buyers,
           (select count(*) from upd) + (select count(*) from ins) + (select count(*) from del) as written`;
}

/** Recomputes the scores for `now` unconditionally (after a seed, in tests and benchmarks). */
export async function refreshRfm(knex: Knex | Knex.Transaction, now: Date): Promise<RfmRefresh> {
  const done = await refresh(knex, now, "forced");
  if (!done) throw new Error("unreachable: a forced refresh always runs");
  return done;
}

/**
 * The scanner's refresh: when never computed, purchases arrived since the last refresh, or the
 * last full refresh is an hour old. The check is one row and two index probes, so running it
 * every minute costs nothing.
 */
export async function refreshRfmIfStale(
  knex: Knex | Knex.Transaction,
  now: Date,
): Promise<RfmRefresh | null> {
  if (!(await reason(knex, await readState(knex, false), now, "stale"))) return null;
  return refresh(knex, now, "stale");
}

/**
 * The query path's guard: computes the scores if they never were (or are over two hours old,
 * which only happens when no scanner runs). Usually one primary-key read.
 */
export async function ensureRfm(
  knex: Knex | Knex.Transaction,
  now: Date,
): Promise<RfmRefresh | null> {
  if (!(await reason(knex, await readState(knex, false), now, "missing"))) return null;
  return refresh(knex, now, "missing");
}
