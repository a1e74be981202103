/**
 * The audience builder's model: the definition JSON itself (engine/audience/schema.ts), edited
 * immutably by path. Pure, so the tree operations need no DOM.
 */
import type {
  AttributeCondition,
  Condition,
  ScoreRange,
} from "../../../../engine/audience/schema.ts";
import { COMPARISON_OPS } from "../../../../engine/format/primitives.ts";
import type { AudienceIssue } from "../../api.ts";
import { msgKey } from "../../i18n/index.ts";

export type Path = (string | number)[];

/** What "Add condition" offers, in the order a marketer reaches for them (labels: catalog keys). */
export const ADDABLE = [
  { kind: "rfm", label: msgKey("conditions.add.rfm") },
  { kind: "recency", label: msgKey("conditions.add.recency") },
  { kind: "event_count", label: msgKey("conditions.add.event_count") },
  { kind: "event_sum", label: msgKey("conditions.add.event_sum") },
  { kind: "never", label: msgKey("conditions.add.never") },
  { kind: "attribute", label: msgKey("conditions.add.attribute") },
  { kind: "consent", label: msgKey("conditions.add.consent") },
  { kind: "not", label: msgKey("conditions.add.not") },
  { kind: "and", label: msgKey("conditions.add.and") },
  { kind: "or", label: msgKey("conditions.add.or") },
] as const;
export type AddableKind = (typeof ADDABLE)[number]["kind"];

export function newCondition(kind: AddableKind): Condition {
  switch (kind) {
    case "rfm":
      return { rfm: { r: [1, 2] } };
    case "recency":
      return { event: "purchased", lastBetween: { from: "P30D", to: "P90D" } };
    case "event_count":
      return { event: "purchased", count: true, op: "gte", value: 3, within: "P180D" };
    case "event_sum":
      return { event: "purchased", sum: { property: "amount" }, op: "gte", value: 500 };
    case "never":
      return { event: "purchased", never: true, within: "P90D" };
    case "attribute":
      return { attribute: "region", op: "eq", value: "" };
    case "consent":
      return { consent: { channel: "sms", category: "promotional" } };
    case "not":
      return { not: { attribute: "vip", op: "eq", value: true } };
    case "and":
      return { and: [] };
    case "or":
      return { or: [] };
  }
}

/** The builder edits a group at the root, so there is always somewhere to add a condition. */
export function asRoot(definition: Condition): Condition {
  return "and" in definition || "or" in definition ? definition : { and: [definition] };
}

export const AGGREGATE_OPS = ["gte", "gt", "eq", "neq", "lte", "lt"] as const;
/** Attribute conditions take the journey format's comparison operators. */
export const ATTRIBUTE_OPS = COMPARISON_OPS;
/** Each operator's catalog key ("=", "is one of"…). */
export const OP_LABELS: Record<(typeof ATTRIBUTE_OPS)[number], string> = {
  eq: msgKey("conditions.op.eq"),
  neq: msgKey("conditions.op.neq"),
  gt: msgKey("conditions.op.gt"),
  gte: msgKey("conditions.op.gte"),
  lt: msgKey("conditions.op.lt"),
  lte: msgKey("conditions.op.lte"),
  in: msgKey("conditions.op.in"),
  not_in: msgKey("conditions.op.not_in"),
  contains: msgKey("conditions.op.contains"),
  exists: msgKey("conditions.op.exists"),
  not_exists: msgKey("conditions.op.not_exists"),
};

/** A typed value from a text box: numbers and booleans as such, the rest as text. */
export function parseScalar(text: string): string | number | boolean | null {
  const t = text.trim();
  if (t === "true") return true;
  if (t === "false") return false;
  if (t === "null") return null;
  if (t !== "" && Number.isFinite(Number(t))) return Number(t);
  return text;
}

/** An attribute condition's value from its text box: a list for "is one of", else one scalar. */
export function attributeValue(
  text: string,
  op: AttributeCondition["op"],
): AttributeCondition["value"] {
  return op === "in" || op === "not_in"
    ? text.split(",").map((s) => parseScalar(s.trim()))
    : parseScalar(text);
}

/**
 * A score range from two picked ends, in either order; the full 1–5 range is no constraint at
 * all, so it is dropped (undefined) rather than stored.
 */
export function scoreRange(a: number, b: number): ScoreRange | undefined {
  const clamp = (n: number) => Math.min(Math.max(Math.round(n), 1), 5);
  const lo = clamp(Math.min(a, b));
  const hi = clamp(Math.max(a, b));
  return lo === 1 && hi === 5 ? undefined : [lo, hi];
}

export function scalarText(value: unknown): string {
  if (Array.isArray(value)) return value.map(scalarText).join(", ");
  if (value === undefined) return "";
  return String(value);
}

/** The issues whose path is this node's own (not a descendant's condition). */
export function issuesAt(issues: readonly AudienceIssue[], path: Path): AudienceIssue[] {
  return issues.filter((i) => {
    if (i.path.length < path.length) return false;
    if (!path.every((p, k) => i.path[k] === p)) return false;
    const rest = i.path.slice(path.length);
    // A descendant condition's issue belongs to that descendant's row.
    return !(rest[0] === "and" || rest[0] === "or" || rest[0] === "not");
  });
}

export function pathText(path: Path): string {
  return path.length === 0
    ? "(root)"
    : path.reduce<string>(
        (acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p),
        "",
      );
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
