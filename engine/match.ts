import type { JourneyEvent } from "./contact.ts";
import type { Comparison, EventMatch, Scalar } from "./format/primitives.ts";
import { assertNever } from "./shared/assert-never.ts";

/** Reads `a.b.c` from nested plain objects; own properties only (no prototype reach). */
export function readPath(source: unknown, dotted: string): unknown {
  let cur: unknown = source;
  for (const key of dotted.split(".")) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function asNumber(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  // Attributes arrive from customers' systems as strings ("42", "2024-05-01"): compare
  // numerically or as instants when both sides allow it, so `gte 3` works on "3".
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    if (Number.isFinite(n)) return n;
    const t = Date.parse(v);
    if (Number.isFinite(t) && /^\d{4}-\d{2}-\d{2}/.test(v)) return t;
  }
  return null;
}

function order(actual: unknown, expected: Scalar | Scalar[] | undefined): number | null {
  const a = asNumber(actual);
  const b = asNumber(expected);
  if (a !== null && b !== null) return a - b;
  if (typeof actual === "string" && typeof expected === "string") {
    return actual < expected ? -1 : actual > expected ? 1 : 0;
  }
  return null;
}

function equals(actual: unknown, expected: unknown): boolean {
  if (actual === expected) return true;
  // "42" from a form equals 42 in the journey; booleans and null only equal themselves.
  if (typeof actual === "string" && typeof expected === "number")
    return Number(actual) === expected;
  if (typeof actual === "number" && typeof expected === "string")
    return actual === Number(expected);
  return false;
}

/** Evaluates one comparison against a value already read from the subject. */
export function compare(actual: unknown, c: Comparison): boolean {
  switch (c.op) {
    case "exists":
      return actual !== undefined && actual !== null && actual !== "";
    case "not_exists":
      return actual === undefined || actual === null || actual === "";
    case "eq":
      return equals(actual, c.value);
    case "neq":
      return !equals(actual, c.value);
    case "in":
      return Array.isArray(c.value) && c.value.some((v) => equals(actual, v));
    case "not_in":
      return !(Array.isArray(c.value) && c.value.some((v) => equals(actual, v)));
    case "contains":
      if (Array.isArray(actual)) return actual.some((v) => equals(v, c.value));
      return typeof actual === "string" && typeof c.value === "string" && actual.includes(c.value);
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const d = order(actual, c.value);
      if (d === null) return false;
      return c.op === "gt" ? d > 0 : c.op === "gte" ? d >= 0 : c.op === "lt" ? d < 0 : d <= 0;
    }
    default:
      return assertNever(c.op);
  }
}

export function allHold(subject: unknown, where: readonly Comparison[] | undefined): boolean {
  if (!where) return true;
  for (const c of where) if (!compare(readPath(subject, c.field), c)) return false;
  return true;
}

/** True when `event` is the named event and its properties pass every `where` comparison. */
export function matchesEvent(match: EventMatch, event: JourneyEvent): boolean {
  return event.name === match.event && allHold(event.properties ?? {}, match.where);
}
