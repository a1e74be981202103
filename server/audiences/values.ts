import type { ComparisonOp, Scalar } from "../../engine/format/primitives.ts";
import { assertNever } from "../../engine/shared/assert-never.ts";
import { type Fragment, join, param, sql } from "./sql.ts";

/**
 * Attribute and property comparisons in SQL, with the same meaning as the engine's `compare`
 * (engine/match.ts) so an audience and a condition branch agree on who matches: "42" equals 42,
 * `gte 3` works on "3", exists means neither missing, null nor "". Every cast is guarded by a
 * CASE on the jsonb type and a regex (a binding, not text), because a failed cast would abort
 * the whole query on one contact's odd value.
 *
 * One deliberate approximation: dates compare as text (ISO 8601 strings of the same shape sort
 * chronologically), where the engine parses them.
 */

/** What PostgreSQL's numeric input accepts and JavaScript's Number() agrees with. */
const NUMERIC_RE =
  "^\\s*[-+]{0,1}([0-9]+(\\.[0-9]*){0,1}|\\.[0-9]+)([eE][-+]{0,1}[0-9]{1,3}){0,1}\\s*$";
const DATE_RE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}";

const isNumericString = (s: string) => new RegExp(NUMERIC_RE).test(s);
const isDateString = (s: string) => new RegExp(DATE_RE).test(s) && Number.isFinite(Date.parse(s));

/** The jsonb value at a dotted path of a jsonb column (SQL NULL when missing). */
export function jsonPath(column: Fragment, dotted: string): Fragment {
  // `->` for the common one-segment path: cheaper per row than `#>` with an array.
  if (!dotted.includes(".")) return sql`(${column} -> ${param(dotted)}::text)`;
  return sql`(${column} #> ${param(dotted.split("."))}::text[])`;
}

const text = (v: Fragment) => sql`(${v} #>> '{}')`;

/**
 * The value as numeric when it is a number or a numeric string, else NULL. Never raises.
 * `case <expr> when` evaluates the path once per row; in the RFM and sum aggregates over every
 * purchase this is the hot expression (bench/audience).
 */
export function asNumeric(v: Fragment): Fragment {
  return sql`(case jsonb_typeof(${v}) when 'number' then (${v})::numeric when 'string' then (case when ${text(v)} ~ ${param(NUMERIC_RE)} then ${text(v)}::numeric end) end)`;
}

function equals(v: Fragment, expected: Scalar): Fragment {
  if (expected === null) return sql`(${v} = 'null'::jsonb)`;
  switch (typeof expected) {
    case "boolean":
      return sql`(${v} = to_jsonb(${param(expected)}::boolean))`;
    case "number":
      return sql`(${v} = to_jsonb(${param(expected)}::numeric) or (case when jsonb_typeof(${v}) = 'string' and ${text(v)} ~ ${param(NUMERIC_RE)} then ${text(v)}::numeric = ${param(expected)}::numeric else false end))`;
    case "string":
      if (!isNumericString(expected)) return sql`(${v} = to_jsonb(${param(expected)}::text))`;
      return sql`(${v} = to_jsonb(${param(expected)}::text) or (jsonb_typeof(${v}) = 'number' and (${v})::numeric = ${param(Number(expected))}::numeric))`;
    default:
      return assertNever(expected);
  }
}

const ORDER = { gt: sql`>`, gte: sql`>=`, lt: sql`<`, lte: sql`<=` } as const;

function ordered(v: Fragment, op: keyof typeof ORDER, expected: Scalar): Fragment {
  const cmp = ORDER[op];
  if (typeof expected === "number" || (typeof expected === "string" && isNumericString(expected))) {
    return sql`(${asNumeric(v)} ${cmp} ${param(Number(expected))}::numeric)`;
  }
  if (typeof expected !== "string") return sql`false`;
  const pattern = isDateString(expected) ? sql` and ${text(v)} ~ ${param(DATE_RE)}` : sql``;
  return sql`(jsonb_typeof(${v}) = 'string'${pattern} and (${text(v)} collate "C") ${cmp} (${param(expected)}::text collate "C"))`;
}

/**
 * `in`: one membership test per value type, whatever the list's length. Each list binds as ONE
 * array and PostgreSQL hashes a constant `= any(array)`, so a 500-value list costs about what a
 * 5-value one does. The per-value OR chain this replaced held PGlite for 13–48 s on three
 * 500-value lists over 10,000 contacts (issue #14): PGlite has no statement timeout that works,
 * so the bound has to be in the statement's shape. Same meaning as `equals` per value: jsonb
 * equality for same-typed values, plus "42" = 42 both ways.
 */
function anyOf(v: Fragment, values: readonly Scalar[]): Fragment {
  if (values.length === 0) return sql`false`;
  const tests = [sql`(${v} = any(${param(values.map((x) => JSON.stringify(x)))}::jsonb[]))`];
  const numbers = values.filter((x): x is number => typeof x === "number");
  if (numbers.length > 0)
    tests.push(
      sql`(case when jsonb_typeof(${v}) = 'string' and ${text(v)} ~ ${param(NUMERIC_RE)} then ${text(v)}::numeric = any(${param(numbers)}::numeric[]) else false end)`,
    );
  const numericStrings = values
    .filter((x): x is string => typeof x === "string" && isNumericString(x))
    .map(Number);
  if (numericStrings.length > 0)
    tests.push(
      sql`(case when jsonb_typeof(${v}) = 'number' then (${v})::numeric = any(${param(numericStrings)}::numeric[]) else false end)`,
    );
  return sql`coalesce(${join(tests, " or ")}, false)`;
}

function contains(v: Fragment, expected: Scalar): Fragment {
  const element = sql`x.el`;
  const inArray = sql`exists (select 1 from jsonb_array_elements(case when jsonb_typeof(${v}) = 'array' then ${v} else '[]'::jsonb end) as x(el) where ${equals(element, expected)})`;
  if (typeof expected !== "string") return inArray;
  return sql`(case when jsonb_typeof(${v}) = 'array' then ${inArray} when jsonb_typeof(${v}) = 'string' then strpos(${text(v)}, ${param(expected)}::text) > 0 else false end)`;
}

const present = (v: Fragment) =>
  sql`(${v} is not null and ${v} <> 'null'::jsonb and ${v} <> '""'::jsonb)`;

/**
 * `v <op> value` for a jsonb expression `v`; never NULL. Values the operator cannot use (a
 * list for gt, a missing value for eq) match nothing: validation reports them beforehand.
 */
export function compare(
  v: Fragment,
  op: ComparisonOp,
  value: Scalar | Scalar[] | undefined,
): Fragment {
  const one = Array.isArray(value) ? undefined : value;
  const list = Array.isArray(value) ? value : undefined;
  switch (op) {
    case "exists":
      return sql`coalesce(${present(v)}, false)`;
    case "not_exists":
      return sql`not coalesce(${present(v)}, false)`;
    case "eq":
      return one === undefined ? sql`false` : sql`coalesce(${equals(v, one)}, false)`;
    case "neq":
      return one === undefined ? sql`false` : sql`not coalesce(${equals(v, one)}, false)`;
    case "in":
      return list ? anyOf(v, list) : sql`false`;
    case "not_in":
      return list ? sql`not ${anyOf(v, list)}` : sql`true`;
    case "contains":
      return one === undefined ? sql`false` : sql`coalesce(${contains(v, one)}, false)`;
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return one === undefined ? sql`false` : sql`coalesce(${ordered(v, op, one)}, false)`;
    default:
      return assertNever(op);
  }
}
