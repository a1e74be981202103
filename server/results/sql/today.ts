import type { Knex } from "knex";
import { param, sql, toRaw } from "../../audiences/sql.ts";

/**
 * Today's activity per node, for the canvas's live counts. Read from what was stored — the
 * timeline (enrollment_steps, the rows behind enrollment_log) and the outbox (messages) — with
 * the same filters the results page uses (a message counts unless it is a test or canceled; its
 * time is sent_at, else when it was queued), so "sent today" on a node equals that node's share
 * of today's point on the results chart and the canvas never disagrees with what went out.
 *
 * "Today" is [since, until): the caller passes local midnight to midnight in one zone. Each
 * statement filters on journey and time. Measured with 20,000 enrollments stepping today
 * (40,000 entries today, 10,000 more yesterday) and 18,000 messages: ~0.23 s on PostgreSQL,
 * ~0.5 s on PGlite for the whole answer; the console spaces its refreshes by the answer time
 * (client/src/live/useTodayCounts.ts). The messages filter scans the journey's messages
 * (messages_journey_idx): no index on send time, which the ticker would pay for on every row.
 */

type Num = string | number;

export interface TodayRow {
  node: string;
  /** Arrivals: timeline entries at this node whose previous entry (same enrollment) was elsewhere. */
  entered: number;
  type: string;
  reason: string | null;
  /** Timeline entries of this type and reason at this node today. */
  n: number;
}

/**
 * Timeline entries today by node, type and reason, each group with how many of its entries were
 * arrivals. Every step logs an entry when a contact reaches it (entered, waiting, branched,
 * sent/deferred/suppressed, cooldown, exited), and later entries at the same node (a deferred
 * send going out, a branch deciding) follow an entry at that node: an arrival is an entry whose
 * predecessor in its enrollment's timeline is at another node or absent.
 *
 * Read from enrollment_steps, not the enrollment_log view: the view's time is per entry, which
 * no index serves, so a filter on it expanded every step the journey ever wrote (measured
 * 0.7 s on PGlite for 20,000 enrollments today). A step's entries are at or before the step's
 * own time, so `s.at >= since` (enrollment_steps_journey_idx) keeps every step that can hold an
 * entry of today. The predecessor of a step's first entry is the last entry of the
 * enrollment's previous step, found through enrollment_steps_contact_idx.
 */
export async function timelineToday(
  knex: Knex,
  journeyId: string,
  since: Date,
  until: Date,
): Promise<TodayRow[]> {
  const from = param(since.toISOString());
  const to = param(until.toISOString());
  const q = sql`with steps as (
      select s.id, s.contact_id, s.enrollment_id, s.at, s.entries
        from enrollment_steps s
       where s.journey_id = ${param(journeyId)} and s.at >= ${from}::timestamptz
         and s.enrollment_id is not null),
    entries as (
      select st.id, e.node_id, e.type, e.reason, coalesce(e.at, st.at) as at, e.ord,
             lag(e.node_id) over (partition by st.id order by e.ord) as prev
        from steps st,
             rows from (jsonb_to_recordset(st.entries)
                        as (node_id text, type text, reason text, at timestamptz))
             with ordinality as e(node_id, type, reason, at, ord)),
    before as (
      select st.id,
             (select p.entries -> -1 ->> 'node_id' from enrollment_steps p
               where p.contact_id = st.contact_id and p.enrollment_id = st.enrollment_id
                 and p.id < st.id
               order by p.id desc limit 1) as node
        from steps st)
    select e.node_id as node, e.type, e.reason, count(*) as n,
           count(*) filter (where coalesce(e.prev, b.node) is null
                               or coalesce(e.prev, b.node) <> e.node_id) as entered
      from entries e left join before b on b.id = e.id and e.ord = 1
     where e.at >= ${from}::timestamptz and e.at < ${to}::timestamptz and e.node_id is not null
     group by e.node_id, e.type, e.reason`;
  // PostgreSQL guesses 100 rows per jsonb_to_recordset call (a step holds 2-3), so the plan
  // looks costly enough to JIT-compile: measured 1.1 s of compiling around 0.3 s of work.
  const { rows } = (await knex.transaction(async (trx) => {
    await trx.raw("set local jit = off");
    return toRaw(trx, q);
  })) as {
    rows: { node: string; type: string; reason: string | null; n: Num; entered: Num }[];
  };
  return rows.map((r) => ({ ...r, n: Number(r.n), entered: Number(r.entered) }));
}

/** Messages of each node sent (or queued) today: the results page's recipients, today only. */
export async function sentToday(
  knex: Knex,
  journeyId: string,
  since: Date,
  until: Date,
): Promise<Map<string, number>> {
  const q = sql`select node_id as node, count(*) as n
      from messages
     where journey_id = ${param(journeyId)} and not is_test and status <> 'canceled'
       and coalesce(sent_at, created_at) >= ${param(since.toISOString())}::timestamptz
       and coalesce(sent_at, created_at) < ${param(until.toISOString())}::timestamptz
     group by node_id`;
  const { rows } = (await toRaw(knex, q)) as { rows: { node: string | null; n: Num }[] };
  return new Map(rows.map((r) => [r.node ?? "", Number(r.n)]));
}

/**
 * Local midnight today and tomorrow in `zone`, as instants. PostgreSQL does the zone arithmetic
 * (so a DST day is 23 or 25 hours long) from the caller's clock, which tests can set.
 */
export async function dayBounds(
  knex: Knex,
  zone: string,
  now: Date,
): Promise<{ date: string; since: Date; until: Date }> {
  const tz = param(zone);
  const at = param(now.toISOString());
  const q = sql`select to_char(d, 'YYYY-MM-DD') as date,
           d at time zone ${tz}::text as since,
           (d + interval '1 day') at time zone ${tz}::text as until
      from (select date_trunc('day', ${at}::timestamptz at time zone ${tz}::text) as d) x`;
  const { rows } = (await toRaw(knex, q)) as {
    rows: { date: string; since: Date | string; until: Date | string }[];
  };
  const r = rows[0];
  if (!r) throw new Error("day bounds: no row");
  return { date: r.date, since: new Date(r.since), until: new Date(r.until) };
}

/**
 * Node ids of the journey's live version; null when none is live. The canvas draws today's
 * counts on these (and on any node with activity today), not on a step only the draft has.
 */
export async function liveNodeIds(knex: Knex, journeyId: string): Promise<string[] | null> {
  const row = (await knex("journeys as j")
    .join("journey_versions as v", "v.id", "j.live_version_id")
    .where("j.id", journeyId)
    .first("v.definition")) as { definition: { nodes?: { id?: unknown }[] } } | undefined;
  if (!row) return null;
  return (row.definition.nodes ?? []).flatMap((n) => (typeof n.id === "string" ? [n.id] : []));
}

/** Whether the journey exists: today's counts answer 404 for an unknown id, not all zeros. */
export async function journeyExists(knex: Knex, journeyId: string): Promise<boolean> {
  return (await knex("journeys").where({ id: journeyId }).first("id")) !== undefined;
}
