import { classify, type Tagged } from "../../engine/audience/classify.ts";
import type { AggregateOp, Condition, ScoreRange } from "../../engine/audience/schema.ts";
import type { Comparison } from "../../engine/format/primitives.ts";
import { assertNever } from "../../engine/shared/assert-never.ts";
import { type Fragment, join, param, sql } from "./sql.ts";
import { asNumeric, compare, jsonPath } from "./values.ts";

/**
 * An audience definition as ONE parameterized SQL statement over `contacts c`.
 *
 * Shape: `select <columns> from contacts c where <predicate>`. Each leaf is a boolean over `c`,
 * never NULL (so `not` is exact):
 *  - attribute: `compare(c.attributes #> path, op, value)` (values.ts);
 *  - event count/sum, recency, never: `c.id [not] in (select contact_id from events … group by
 *    contact_id having …)`. Uncorrelated IN lets PostgreSQL hash the subquery once (a "hashed
 *    SubPlan", kept one by `hashed`) instead of probing events per contact; when zero events
 *    satisfy the test
 *    (`count < 3`, `sum <= 100`) the leaf becomes `not in (… having not …)`, so contacts with
 *    no events at all match as they should;
 *  - rfm: `c.id in (select contact_id from contact_rfm where r between … )`, the scores
 *    precomputed by rfm-refresh.ts (callers run `ensureRfm` first when `usesRfm`), not ranked per
 *    query: bench/audience, a cell on 1,000,000 events 1.37 s → 11 ms;
 *  - consent: the grant in `c.consent` and no active opt-out in `suppressions`.
 * Windows are `occurred_at > now - interval` with now and the ISO 8601 duration as bindings
 * (PostgreSQL reads P180D, P2W, P1Y2M natively). Nothing from the definition becomes SQL text:
 * see sql.ts.
 */
export interface CompiledAudience {
  /** The boolean predicate over `contacts c` (within the scope, when one was given). */
  where: Fragment;
  /** Reads contact_rfm: the scores must have been computed (rfm-refresh.ts `ensureRfm`). */
  usesRfm: boolean;
}

const AGG = {
  eq: sql`=`,
  neq: sql`<>`,
  gt: sql`>`,
  gte: sql`>=`,
  lt: sql`<`,
  lte: sql`<=`,
} as const;

/** Does an aggregate of 0 (no events) pass `0 <op> value`? Decides in vs not in. */
export function zeroPasses(op: AggregateOp, value: number): boolean {
  switch (op) {
    case "eq":
      return value === 0;
    case "neq":
      return value !== 0;
    case "gt":
      return 0 > value;
    case "gte":
      return 0 >= value;
    case "lt":
      return 0 < value;
    case "lte":
      return 0 <= value;
    default:
      return assertNever(op);
  }
}

/**
 * The contacts one statement is about (a ticker batch, a simulated contact: `isMember`).
 * Applied to `c` AND inside every event and RFM subquery, so the statement reads those
 * contacts' events through the (name, contact_id, occurred_at) index instead of every event of
 * the kind: its work is proportional to the batch, not to the events table.
 */
export type ContactScope = { kind: "ids"; ids: readonly number[] };

function inScope(column: Fragment, scope: ContactScope): Fragment {
  return sql`${column} = any(${param([...scope.ids])}::bigint[])`;
}

interface Ctx {
  now: Fragment;
  usesRfm: boolean;
  scope: ContactScope | null;
}

interface EventFilter {
  event: string;
  where?: Comparison[] | undefined;
  within?: string | undefined;
}

function eventFilter(f: EventFilter, ctx: Ctx): Fragment {
  const parts = [sql`e.name = ${param(f.event)}`, sql`e.occurred_at <= ${ctx.now}`];
  if (ctx.scope) parts.push(inScope(sql`e.contact_id`, ctx.scope));
  if (f.within) parts.push(sql`e.occurred_at > ${ctx.now} - ${param(f.within)}::interval`);
  for (const w of f.where ?? []) {
    parts.push(compare(jsonPath(sql`e.properties`, w.field), w.op, w.value));
  }
  return join(parts, " and ");
}

function aggregate(filter: Fragment, measure: Fragment, op: AggregateOp, value: number): Fragment {
  const test = sql`${measure} ${AGG[op]} ${param(value)}::numeric`;
  if (zeroPasses(op, value)) {
    return sql`c.id not in (select e.contact_id from events e where ${filter} group by e.contact_id having not (${test}))`;
  }
  return hashed(
    sql`select e.contact_id from events e where ${filter} group by e.contact_id having ${test}`,
  );
}

/**
 * `c.id in (<contact ids>)` as a hashed SubPlan: the subquery runs once into a hash table and
 * each contact probes it. Written inside `coalesce` because PostgreSQL pulls an IN that stands
 * alone in the WHERE clause up into a semi-join, and with several of them its row estimates
 * fall to 1 and it picks nested loops that re-run every aggregate per outer row: ten event
 * conditions over 50,000 events took 97–215 s on PGlite, which nothing interrupts (issue #14).
 * An IN inside an expression stays a SubPlan, so each condition costs one pass over its rows
 * whatever else the definition holds. (Never NULL: contact ids are not null.)
 */
function hashed(contactIds: Fragment): Fragment {
  return sql`coalesce(c.id in (${contactIds}), false)`;
}

function between(column: Fragment, range: ScoreRange | undefined): Fragment | null {
  return range ? sql`${column} between ${param(range[0])}::int and ${param(range[1])}::int` : null;
}

function leaf(t: Tagged, ctx: Ctx, depth: number): Fragment {
  switch (t.kind) {
    case "and":
      return t.c.and.length === 0
        ? sql`true`
        : sql`(${join(
            t.c.and.map((x) => node(x, ctx, depth + 1)),
            " and ",
          )})`;
    case "or":
      return t.c.or.length === 0
        ? sql`false`
        : sql`(${join(
            t.c.or.map((x) => node(x, ctx, depth + 1)),
            " or ",
          )})`;
    case "not":
      return sql`not (${node(t.c.not, ctx, depth + 1)})`;
    case "attribute":
      return compare(jsonPath(sql`c.attributes`, t.c.attribute), t.c.op, t.c.value);
    case "event_count":
      return aggregate(eventFilter(t.c, ctx), sql`count(*)`, t.c.op, t.c.value);
    case "event_sum": {
      const amount = asNumeric(jsonPath(sql`e.properties`, t.c.sum.property));
      return aggregate(eventFilter(t.c, ctx), sql`coalesce(sum(${amount}), 0)`, t.c.op, t.c.value);
    }
    case "last_between": {
      const { from, to } = t.c.lastBetween;
      const last = sql`max(e.occurred_at)`;
      const tests = [
        from ? sql`${last} <= ${ctx.now} - ${param(from)}::interval` : null,
        to ? sql`${last} >= ${ctx.now} - ${param(to)}::interval` : null,
      ].filter((x): x is Fragment => x !== null);
      const having = tests.length ? join(tests, " and ") : sql`true`;
      return hashed(
        sql`select e.contact_id from events e where ${eventFilter({ event: t.c.event, where: t.c.where }, ctx)} group by e.contact_id having ${having}`,
      );
    }
    case "never":
      return sql`c.id not in (select e.contact_id from events e where ${eventFilter(t.c, ctx)})`;
    case "rfm": {
      ctx.usesRfm = true;
      const tests = [
        between(sql`cr.r`, t.c.rfm.r),
        between(sql`cr.f`, t.c.rfm.f),
        between(sql`cr.m`, t.c.rfm.m),
      ].filter((x): x is Fragment => x !== null);
      if (ctx.scope) tests.push(inScope(sql`cr.contact_id`, ctx.scope));
      const where = tests.length ? sql` where ${join(tests, " and ")}` : sql``;
      return hashed(sql`select cr.contact_id from contact_rfm cr${where}`);
    }
    case "consent": {
      const { channel, category } = t.c.consent;
      const grant = sql`(c.consent -> ${param(channel)}::text -> ${param(category)}::text -> 'granted')`;
      return sql`(coalesce(${grant} = 'true'::jsonb, false) and not exists (select 1 from suppressions s where s.contact_id = c.id and s.revoked_at is null and s.channel in (${param(channel)}::text, '*') and s.category in (${param(category)}::text, '*')))`;
    }
    default:
      return assertNever(t);
  }
}

function node(c: Condition, ctx: Ctx, depth: number): Fragment {
  // Validation caps the depth at 10; this guard keeps an unvalidated caller from recursing
  // without bound.
  if (depth > 64) throw new Error("audience definition nested too deeply");
  return leaf(classify(c), ctx, depth);
}

export function compileAudience(
  definition: Condition,
  now: Date,
  scope: ContactScope | null = null,
): CompiledAudience {
  const ctx: Ctx = { now: sql`${param(now)}::timestamptz`, usesRfm: false, scope };
  const predicate = node(definition, ctx, 0);
  const where = scope ? sql`(${predicate}) and ${inScope(sql`c.id`, scope)}` : predicate;
  return { where, usesRfm: ctx.usesRfm };
}

/** `select <columns> from contacts c where <audience> [and <extra>] <tail>`. */
export function selectMembers(
  compiled: CompiledAudience,
  columns: Fragment,
  options: { and?: Fragment; tail?: Fragment } = {},
): Fragment {
  const extra = options.and ? sql` and ${options.and}` : sql``;
  return sql`select ${columns} from contacts c where ${compiled.where}${extra} ${options.tail ?? sql``}`;
}
