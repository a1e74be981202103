import type {
  AndCondition,
  AttributeCondition,
  Condition,
  ConsentCondition,
  EventCountCondition,
  EventSumCondition,
  LastBetweenCondition,
  NeverCondition,
  NotCondition,
  OrCondition,
  RfmCondition,
} from "./schema.ts";

/**
 * A condition tagged with its kind: the JSON is keyed by what it tests (see schema.ts), the
 * compiler and the validator switch on `kind` and end in `assertNever`, so a new kind of
 * condition cannot be forgotten in either.
 */
export type Tagged =
  | { kind: "attribute"; c: AttributeCondition }
  | { kind: "event_count"; c: EventCountCondition }
  | { kind: "event_sum"; c: EventSumCondition }
  | { kind: "last_between"; c: LastBetweenCondition }
  | { kind: "never"; c: NeverCondition }
  | { kind: "rfm"; c: RfmCondition }
  | { kind: "consent"; c: ConsentCondition }
  | { kind: "and"; c: AndCondition }
  | { kind: "or"; c: OrCondition }
  | { kind: "not"; c: NotCondition };

export type ConditionKind = Tagged["kind"];

/** Tags a parsed condition. The variants' keys do not overlap, so the first key test decides. */
export function classify(c: Condition): Tagged {
  if ("and" in c) return { kind: "and", c };
  if ("or" in c) return { kind: "or", c };
  if ("not" in c) return { kind: "not", c };
  if ("attribute" in c) return { kind: "attribute", c };
  if ("rfm" in c) return { kind: "rfm", c };
  if ("consent" in c) return { kind: "consent", c };
  if ("count" in c) return { kind: "event_count", c };
  if ("sum" in c) return { kind: "event_sum", c };
  if ("lastBetween" in c) return { kind: "last_between", c };
  return { kind: "never", c };
}

/**
 * The kind an unparsed object claims by its keys, so validation can check it against that one
 * variant and report "op: expected one of…" instead of "matches none of ten shapes".
 */
export function claimedKind(value: unknown): ConditionKind | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const has = (k: string) => Object.hasOwn(value, k);
  if (has("and")) return "and";
  if (has("or")) return "or";
  if (has("not")) return "not";
  if (has("attribute")) return "attribute";
  if (has("rfm")) return "rfm";
  if (has("consent")) return "consent";
  if (has("count")) return "event_count";
  if (has("sum")) return "event_sum";
  if (has("lastBetween")) return "last_between";
  if (has("never")) return "never";
  return null;
}
