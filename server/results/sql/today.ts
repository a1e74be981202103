import type { Knex } from "knex";
import { param, sql, toRaw } from "../../audiences/sql.ts";

/**
 * Today's activity per node, for the canvas's live counts. Read from what was stored — the
 * timeline (enrollment_log) and the outbox (messages) — with the same filters the results page
 * uses (a message counts unless it is a test or canceled; its time is sent_at, else when it was
 * queued), so "sent today" on a node equals that node's share of today's point on the results
 * chart and the canvas never disagrees with what went out.
 *
 * "Today" is [since, until): the caller passes local midnight to midnight in one zone. Each
 * statement filters on journey and time, which the journey indexes of both tables serve.
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
 * predecessor in its enrollment's timeline is at another node or absent. The predecessor may
 * be from before today, so the window reads every entry of the enrollments active today.
 */
export async function timelineToday(
  knex: Knex,
  journeyId: string,
  since: Date,
  until: Date,
): Promise<TodayRow[]> {
  const j = param(journeyId);
  const from = param(since.toISOString());
  const to = param(until.toISOString());
  const q = sql`with active as (
      select distinct enrollment_id from enrollment_log
       where journey_id = ${j} and at >= ${from}::timestamptz and at < ${to}::timestamptz
         and enrollment_id is not null),
    entries as (
      select l.node_id, l.type, l.reason, l.at,
             lag(l.node_id) over (partition by l.enrollment_id order by l.id) as prev
        from enrollment_log l
       where l.journey_id = ${j} and l.enrollment_id in (select enrollment_id from active))
    select node_id as node, type, reason, count(*) as n,
           count(*) filter (where prev is null or prev <> node_id) as entered
      from entries
     where at >= ${from}::timestamptz and at < ${to}::timestamptz and node_id is not null
     group by node_id, type, reason`;
  const { rows } = (await toRaw(knex, q)) as {
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
