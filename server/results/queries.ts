import type { Knex } from "knex";
import type { Comparison } from "../../engine/format/primitives.ts";
import { type Fragment, join, param, sql, toRaw } from "../audiences/sql.ts";
import { compare, jsonPath } from "../audiences/values.ts";
import type { ArmSend } from "./arms.ts";

/**
 * The result queries, one statement each, over messages, enrollment_log and events.
 *
 * "Converted at day N" = the contact had the goal event within (N + 1) × 24 hours of the
 * start: day 0 is the first 24 hours after the send, day 1 the first 48, day 3 the first 96,
 * day 7 the first 192 (cumulative, so the four counts only grow). Elapsed hours rather than
 * calendar days keep the windows the same length for every recipient in every zone.
 * For a send node the start is the moment the provider took the message (sent_at): a message
 * still queued, or one that failed, has converted no one. Starting from when it was queued
 * counted a purchase made between queueing and sending as a conversion until the send landed,
 * then took it back — the chart showed a number that later vanished.
 * For a split arm it is the moment the contact was assigned to the arm — intention to treat:
 * an arm whose sends are suppressed or later must not look better by shrinking its base.
 */
export const DAYS = [0, 1, 3, 7] as const;
export type Day = (typeof DAYS)[number];
const LAST_DAY_HOURS = (7 + 1) * 24;
const DAY_ALIAS: Record<Day, Fragment> = { 0: sql`d0`, 1: sql`d1`, 3: sql`d3`, 7: sql`d7` };

export interface Goal {
  event: string;
  where?: Comparison[] | undefined;
}

export interface Counts {
  recipients: number;
  delivered: number;
  clicked: number;
  /** Converted by day 0, 1, 3, 7; null when the journey has no goal event. */
  converted: Record<Day, number> | null;
}

type Num = string | number;

function goalMatch(goal: Goal): Fragment {
  const parts = [sql`e.name = ${param(goal.event)}`];
  for (const w of goal.where ?? []) {
    parts.push(compare(jsonPath(sql`e.properties`, w.field), w.op, w.value));
  }
  return join(parts, " and ");
}

/** `count(*) filter (where after < '24 hours') as d0, …` for the four days. */
function dayColumns(): Fragment {
  return join(
    DAYS.map((d) => {
      const hours = param(`${(d + 1) * 24} hours`);
      return sql`count(*) filter (where conv.after < ${hours}::interval) as ${DAY_ALIAS[d]}`;
    }),
    ", ",
  );
}

interface CountRow {
  recipients: Num;
  delivered: Num;
  clicked: Num;
  d0: Num;
  d1: Num;
  d3: Num;
  d7: Num;
}

function counts(r: CountRow, hasGoal: boolean): Counts {
  return {
    recipients: Number(r.recipients),
    delivered: Number(r.delivered),
    clicked: Number(r.clicked),
    converted: hasGoal
      ? { 0: Number(r.d0), 1: Number(r.d1), 3: Number(r.d3), 7: Number(r.d7) }
      : null,
  };
}

const MESSAGES = sql`select m.id, m.contact_id, m.enrollment_id, m.node_id, m.variant, m.status, m.delivered_at, m.clicked_at,
         m.converted_at, m.sent_at, coalesce(m.sent_at, m.created_at) as sent
    from messages m`;

export interface SendCounts extends Counts {
  /** Messages credited with their enrollment's goal conversion (last touch, see `credited`). */
  attributed: number;
  /**
   * The same counts per locale variant the messages were sent as (engine/nodes/send-variants.ts:
   * a locale or "default"); empty for a send whose messages record none (no variants).
   */
  variants: Map<string, Omit<SendCounts, "variants">>;
}

/**
 * The journey's messages credited with a goal conversion by last touch: one per enrollment,
 * the enrollment's last send at or before its first goal event (within the day-7 window of one
 * of its sends; only messages the provider took count, as for the counts above). The ticker
 * records a credit (`messages.converted_at`) only when the running enrollment reads the goal
 * event; most journeys have ended by then — send, then exit — so "Last touch" read 0 beside
 * real conversions (issue #16). A credit the ticker recorded stands; enrollments without one
 * are credited here from the events. Messages with no enrollment (the demo's history) group by
 * contact.
 */
function credited(journeyId: string, goal: Goal | null): Fragment {
  if (!goal) return sql`select m.id from messages m where false`;
  const window = param(`${LAST_DAY_HOURS} hours`);
  return sql`with g as (
      select m.id, m.contact_id, m.converted_at, m.sent_at as sent,
             coalesce('e' || m.enrollment_id::text, 'c' || m.contact_id::text) as grp
        from messages m
       where m.journey_id = ${param(journeyId)} and not m.is_test and m.status <> 'canceled'),
    ticker as (select distinct grp from g where converted_at is not null),
    first_goal as (
      select g.grp, min(e.occurred_at) as at
        from g join events e on e.contact_id = g.contact_id and ${goalMatch(goal)}
         and e.occurred_at >= g.sent and e.occurred_at < g.sent + ${window}::interval
       where g.grp not in (select grp from ticker)
       group by g.grp),
    touch as (
      select distinct on (g.grp) g.id
        from g join first_goal f on f.grp = g.grp and g.sent <= f.at
       order by g.grp, g.sent desc, g.id desc)
    select id from g where converted_at is not null
    union
    select id from touch`;
}

/** Per send node: non-test, non-canceled messages, their delivery, clicks and conversions. */
export async function sendNodeCounts(
  knex: Knex,
  journeyId: string,
  goal: Goal | null,
): Promise<Map<string, SendCounts>> {
  const window = param(`${LAST_DAY_HOURS} hours`);
  const conv = goal
    ? sql`select m.id, min(e.occurred_at) - m.sent_at as after
          from m join events e on e.contact_id = m.contact_id and ${goalMatch(goal)}
           and e.occurred_at >= m.sent_at and e.occurred_at < m.sent_at + ${window}::interval
         group by m.id, m.sent_at`
    : sql`select m.id, null::interval as after from m where false`;
  const q = sql`with m as (${MESSAGES}
     where m.journey_id = ${param(journeyId)} and not m.is_test and m.status <> 'canceled'),
    conv as (${conv}),
    credited as (${credited(journeyId, goal)})
    select m.node_id, m.variant, count(*) as recipients,
           count(*) filter (where m.status = 'delivered' or m.delivered_at is not null) as delivered,
           count(*) filter (where m.clicked_at is not null) as clicked,
           count(cr.id) as attributed,
           ${dayColumns()}
      from m left join conv on conv.id = m.id left join credited cr on cr.id = m.id
     group by m.node_id, m.variant`;
  const { rows } = (await toRaw(knex, q)) as {
    rows: (CountRow & { node_id: string | null; variant: string | null; attributed: Num })[];
  };
  // Every count is of messages, and each message is sent as one variant: a node's totals are
  // the sums of its variants' rows.
  const out = new Map<string, SendCounts>();
  for (const r of rows) {
    const part = { ...counts(r, goal !== null), attributed: Number(r.attributed) };
    const node = r.node_id ?? "";
    const total = out.get(node);
    out.set(
      node,
      total
        ? { ...addCounts(total, part), variants: total.variants }
        : { ...part, variants: new Map() },
    );
    if (r.variant !== null) out.get(node)?.variants.set(r.variant, part);
  }
  return out;
}

function sumDays(a: Record<Day, number>, b: Record<Day, number>): Record<Day, number> {
  return Object.fromEntries(DAYS.map((d) => [d, a[d] + b[d]])) as Record<Day, number>;
}

function addCounts<T extends Counts & { attributed: number }>(a: T, b: T): T {
  return {
    ...a,
    recipients: a.recipients + b.recipients,
    delivered: a.delivered + b.delivered,
    clicked: a.clicked + b.clicked,
    attributed: a.attributed + b.attributed,
    converted: a.converted && b.converted ? sumDays(a.converted, b.converted) : a.converted,
  };
}

export interface ArmCounts extends Counts {
  /** Contacts assigned to the arm (the z-test's n); recipients are those who got a message. */
  assigned: number;
  /** The arm's messages (not test, not canceled): what its own sends queued or sent. */
  sent: number;
  /** Conversions credited (last touch, `credited`) to one of the arm's messages. */
  attributed: number;
}

/**
 * Per split node and arm, counting only what the arm caused: the `branched` rows the engine
 * logs at split nodes (`data.path` = the arm) give the assignments; an assignment's messages are
 * those of its enrollment from a send downstream of the arm (`reach`, server/results/arms.ts),
 * queued at or after the assignment and before the enrollment's next pass through the same split
 * (a cycle re-assigns). A send before the split, or on another arm, never counts for it.
 * Conversions by day stay intention to treat, from assignment (see the top of this file);
 * `attributed` is the last-touch credit (`credited`) of the arm's own messages.
 */
export async function splitArmCounts(
  knex: Knex,
  journeyId: string,
  splitNodeIds: readonly string[],
  reach: readonly ArmSend[],
  goal: Goal | null,
): Promise<Map<string, Map<string, ArmCounts>>> {
  const out = new Map<string, Map<string, ArmCounts>>();
  if (splitNodeIds.length === 0) return out;
  const window = param(`${LAST_DAY_HOURS} hours`);
  const conv = goal
    ? sql`select a.id, min(e.occurred_at) - a.at as after
          from a join events e on e.contact_id = a.contact_id and ${goalMatch(goal)}
           and e.occurred_at >= a.at and e.occurred_at < a.at + ${window}::interval
         group by a.id, a.at`
    : sql`select a.id, null::interval as after from a where false`;
  const q = sql`with a as (
      select l.id, l.contact_id, l.enrollment_id, l.node_id, l.data ->> 'path' as arm, l.at,
             lead(l.at) over (partition by l.enrollment_id, l.contact_id, l.node_id order by l.id) as until
        from enrollment_log l
       where l.journey_id = ${param(journeyId)} and l.type = 'branched'
         and l.node_id = any(${param([...splitNodeIds])}::text[])),
    credited as (${credited(journeyId, goal)}),
    reach as (
      select x.split, x.arm, x.node
        from jsonb_to_recordset(${param(JSON.stringify(reach))}::jsonb) as x(split text, arm text, node text)),
    msg as (
      select a.id, count(*) as sent,
             bool_or(m.status = 'delivered' or m.delivered_at is not null) as delivered,
             bool_or(m.clicked_at is not null) as clicked,
             count(*) filter (where m.id in (select id from credited)) as attributed
        from a join reach r on r.split = a.node_id and r.arm = a.arm
        join messages m on m.enrollment_id = a.enrollment_id and m.node_id = r.node
         and m.journey_id = ${param(journeyId)} and not m.is_test and m.status <> 'canceled'
         and m.created_at >= a.at and (a.until is null or m.created_at < a.until)
       group by a.id),
    conv as (${conv})
    select a.node_id, a.arm, count(*) as assigned, count(msg.id) as recipients,
           coalesce(sum(msg.sent), 0) as sent,
           count(*) filter (where msg.delivered) as delivered,
           count(*) filter (where msg.clicked) as clicked,
           coalesce(sum(msg.attributed), 0) as attributed,
           ${dayColumns()}
      from a left join msg on msg.id = a.id left join conv on conv.id = a.id
     group by a.node_id, a.arm`;
  const { rows } = (await toRaw(knex, q)) as {
    rows: (CountRow & {
      node_id: string;
      arm: string | null;
      assigned: Num;
      sent: Num;
      attributed: Num;
    })[];
  };
  for (const r of rows) {
    const arms = out.get(r.node_id) ?? new Map<string, ArmCounts>();
    arms.set(r.arm ?? "", {
      ...counts(r, goal !== null),
      assigned: Number(r.assigned),
      sent: Number(r.sent),
      attributed: Number(r.attributed),
    });
    out.set(r.node_id, arms);
  }
  return out;
}

export interface SeriesPoint {
  /** Local date, YYYY-MM-DD, in the requested zone. */
  date: string;
  sends: number;
  /** Recipients whose first goal event (within the day-7 window) fell on this date. */
  conversions: number;
}

/** Sends and conversions per day, for the line chart; days without either are filled with 0. */
export async function dailySeries(
  knex: Knex,
  journeyId: string,
  goal: Goal | null,
  zone: string,
): Promise<SeriesPoint[]> {
  const tz = param(zone);
  const window = param(`${LAST_DAY_HOURS} hours`);
  const conv = goal
    ? sql`select m.id, min(e.occurred_at) as at
          from m join events e on e.contact_id = m.contact_id and ${goalMatch(goal)}
           and e.occurred_at >= m.sent_at and e.occurred_at < m.sent_at + ${window}::interval
         group by m.id`
    : sql`select m.id, null::timestamptz as at from m where false`;
  const q = sql`with m as (${MESSAGES}
     where m.journey_id = ${param(journeyId)} and not m.is_test and m.status <> 'canceled'),
    conv as (${conv}),
    days as (
      select to_char(m.sent at time zone ${tz}::text, 'YYYY-MM-DD') as day, 1 as sends, 0 as conversions from m
      union all
      select to_char(conv.at at time zone ${tz}::text, 'YYYY-MM-DD'), 0, 1 from conv)
    select day, sum(sends) as sends, sum(conversions) as conversions from days group by day order by day`;
  const { rows } = (await toRaw(knex, q)) as {
    rows: { day: string; sends: Num; conversions: Num }[];
  };
  return fillDays(
    rows.map((r) => ({ date: r.day, sends: Number(r.sends), conversions: Number(r.conversions) })),
  );
}

/** At most this many days in the chart: the most recent ones. */
const MAX_DAYS = 400;

function fillDays(points: SeriesPoint[]): SeriesPoint[] {
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last) return [];
  const byDate = new Map(points.map((p) => [p.date, p]));
  const out: SeriesPoint[] = [];
  const end = Date.parse(`${last.date}T00:00:00Z`);
  const start = Math.max(Date.parse(`${first.date}T00:00:00Z`), end - (MAX_DAYS - 1) * 86_400_000);
  for (let t = start; t <= end; t += 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10);
    out.push(byDate.get(date) ?? { date, sends: 0, conversions: 0 });
  }
  return out;
}
