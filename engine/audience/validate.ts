import type { z } from "zod";
import { assertNever } from "../shared/assert-never.ts";
import { findUnstorable } from "../shared/text.ts";
import { durationMs } from "../time/index.ts";
import { type ConditionKind, claimedKind } from "./classify.ts";
import {
  AttributeConditionSchema,
  type Condition,
  ConditionSchema,
  ConsentConditionSchema,
  EventCountConditionSchema,
  EventSumConditionSchema,
  LastBetweenConditionSchema,
  LIMITS,
  NeverConditionSchema,
  RfmConditionSchema,
} from "./schema.ts";

/**
 * Audience validation returns data, like the journey validator: one issue per problem with the
 * JSON path inside the definition, so the builder can paint the offending row. Never throws.
 */
export const AUDIENCE_ISSUE_CODES = {
  schema: ["error", "The definition does not match the audience format."],
  bad_duration: ["error", "A window is not a positive ISO 8601 duration (P30D, P6M)."],
  missing_value: ["error", "The comparison needs a value (every operator but exists/not_exists)."],
  bad_value: ["error", "The value does not fit the operator (in needs a list, gt a number…)."],
  bad_range: ["error", "A range is empty or reversed (RFM [4, 2], lastBetween from ≥ to)."],
  too_complex: [
    "error",
    `More than ${LIMITS.leaves} conditions, ${LIMITS.eventLeaves} event conditions, ${LIMITS.whereTotal} event property comparisons or ${LIMITS.depth} levels.`,
  ],
  too_many_values: [
    "error",
    `A list has more than ${LIMITS.inValues} values, or the definition's lists more than ${LIMITS.listValues} together.`,
  ],
  bad_text: [
    "error",
    "A name or value holds a NUL character or a lone surrogate, which the database cannot store.",
  ],
  empty_group: ["warning", "An empty and matches everyone; an empty or matches no one."],
} as const satisfies Record<string, readonly ["error" | "warning", string]>;

export type AudienceIssueCode = keyof typeof AUDIENCE_ISSUE_CODES;

/**
 * The specifics an issue's English `message` carries, as data, so the console can say the
 * same thing in any language (issue #20). `reason` picks the sentence where one code covers
 * several cases (AUDIENCE_ISSUE_REASONS); the other keys are what that sentence names.
 */
export type AudienceIssueParams = Record<string, string | number>;

export interface AudienceIssue {
  code: AudienceIssueCode;
  severity: "error" | "warning";
  message: string;
  path: (string | number)[];
  params?: AudienceIssueParams;
}

/**
 * Every `params.reason` each code is raised with ("" for codes raised without one): the
 * console's sentences are checked against this list, so a new case needs its words.
 */
export const AUDIENCE_ISSUE_REASONS = {
  schema: ["not_a_condition", "unknown_key", "not_a_list", "format"],
  bad_duration: [""],
  missing_value: [""],
  bad_value: ["list", "one_value", "comparable"],
  bad_range: ["no_bounds", "reversed_window", "reversed_score"],
  too_complex: ["conditions", "event_conditions", "wheres"],
  too_many_values: ["list", "total"],
  bad_text: [""],
  empty_group: ["and", "or"],
} as const satisfies Record<AudienceIssueCode, readonly string[]>;

type Path = (string | number)[];

function issue(
  code: AudienceIssueCode,
  message: string,
  path: Path,
  params?: AudienceIssueParams,
): AudienceIssue {
  const out: AudienceIssue = { code, severity: AUDIENCE_ISSUE_CODES[code][0], message, path };
  if (params) out.params = params;
  return out;
}

const where = (path: Path) => (path.length ? path.join(".") : "definition");

function zodIssues(error: z.ZodError, at: Path): AudienceIssue[] {
  return error.issues.map((zi) => {
    const path = [...at, ...zi.path.map((p) => (typeof p === "symbol" ? String(p) : p))];
    const custom = zi.code === "custom" ? (zi.params as { code?: unknown } | undefined) : undefined;
    const code = custom?.code === "bad_duration" ? "bad_duration" : "schema";
    // zod's own wording is English only: the console says "does not match the format" there.
    const params = code === "schema" ? { reason: "format" } : undefined;
    return issue(code, `${where(path)}: ${zi.message}`, path, params);
  });
}

const LEAF_SCHEMAS = {
  attribute: AttributeConditionSchema,
  event_count: EventCountConditionSchema,
  event_sum: EventSumConditionSchema,
  last_between: LastBetweenConditionSchema,
  never: NeverConditionSchema,
  rfm: RfmConditionSchema,
  consent: ConsentConditionSchema,
} as const;

interface Walk {
  issues: AudienceIssue[];
  leaves: number;
  eventLeaves: number;
  /** Comparisons in all event conditions' `where` lists. */
  wheres: number;
  /** Values in all lists so far, and where the limit was first passed. */
  values: number;
  valuesPassedAt: Path | null;
  tooDeep: boolean;
}

/** A definition far past the limits is reported once, not walked to its last element. */
const MAX_ISSUES = 100;

function walk(node: unknown, path: Path, depth: number, w: Walk): void {
  if (depth > LIMITS.depth) {
    w.tooDeep = true;
    return;
  }
  if (w.leaves > LIMITS.leaves || w.issues.length >= MAX_ISSUES) return;
  const kind = claimedKind(node);
  if (kind === null) {
    const msg = `${where(path)}: expected a condition (attribute, event, rfm, consent, and, or, not)`;
    w.issues.push(issue("schema", msg, path, { reason: "not_a_condition" }));
    return;
  }
  checkKind(kind, node as Record<string, unknown>, path, depth, w);
}

function checkKind(
  kind: ConditionKind,
  node: Record<string, unknown>,
  path: Path,
  depth: number,
  w: Walk,
): void {
  switch (kind) {
    case "and":
    case "or": {
      const list = node[kind];
      const extra = Object.keys(node).filter((k) => k !== kind);
      if (extra.length) w.issues.push(unknownKey(path, extra[0] ?? ""));
      if (!Array.isArray(list)) {
        const at = [...path, kind];
        w.issues.push(
          issue("schema", `${where(at)}: expected a list`, at, { reason: "not_a_list" }),
        );
        return;
      }
      if (list.length === 0) {
        const means = kind === "and" ? "matches every contact" : "matches no contact";
        const msg = `${where(path)}: an empty ${kind} ${means}`;
        w.issues.push(issue("empty_group", msg, path, { reason: kind }));
      }
      list.forEach((child, i) => {
        walk(child, [...path, kind, i], depth + 1, w);
      });
      return;
    }
    case "not": {
      const extra = Object.keys(node).filter((k) => k !== "not");
      if (extra.length) w.issues.push(unknownKey(path, extra[0] ?? ""));
      walk(node.not, [...path, "not"], depth + 1, w);
      return;
    }
    case "attribute":
    case "event_count":
    case "event_sum":
    case "last_between":
    case "never":
    case "rfm":
    case "consent": {
      w.leaves++;
      if (kind !== "attribute" && kind !== "rfm" && kind !== "consent") w.eventLeaves++;
      const text = badText(node, path);
      if (text) {
        w.issues.push(text);
        return;
      }
      const long = listChecks(node, path, w);
      if (long.length > 0) {
        w.issues.push(...long);
        return;
      }
      const parsed = LEAF_SCHEMAS[kind].safeParse(node);
      if (!parsed.success) {
        w.issues.push(...zodIssues(parsed.error, path));
        return;
      }
      const leaf = parsed.data as Condition;
      if ("event" in leaf) w.wheres += leaf.where?.length ?? 0;
      w.issues.push(...leafChecks(kind, leaf, path));
      return;
    }
    default:
      assertNever(kind);
  }
}

const unknownKey = (path: Path, key: string) =>
  issue("schema", `${where(path)}: unknown key "${key}"`, path, { reason: "unknown_key", key });

/**
 * The first string (key or value) in a leaf that the database cannot store (engine/shared/
 * text.ts): the query would fail on it (a 500) instead of the request (a 422 naming it).
 */
function badText(leaf: unknown, path: Path): AudienceIssue | null {
  const found = findUnstorable(leaf);
  if (!found) return null;
  const at = [...path, ...found];
  return issue("bad_text", `${where(at)}: holds a NUL character or a lone surrogate`, at);
}

/**
 * List sizes: each `in` list, and all of the definition's lists together. Read from the leaf as
 * sent, before its schema, so a 600-value list is reported as too long rather than as a value
 * matching none of the shapes.
 */
function listChecks(leaf: Record<string, unknown>, path: Path, w: Walk): AudienceIssue[] {
  const lists: { values: unknown; at: Path }[] = [{ values: leaf.value, at: [...path, "value"] }];
  if (Array.isArray(leaf.where))
    leaf.where.forEach((cmp: unknown, i) => {
      const values = cmp !== null && typeof cmp === "object" ? Reflect.get(cmp, "value") : null;
      lists.push({ values, at: [...path, "where", i, "value"] });
    });
  const out: AudienceIssue[] = [];
  for (const { values, at } of lists) {
    if (!Array.isArray(values)) continue;
    if (values.length > LIMITS.inValues)
      out.push(
        issue(
          "too_many_values",
          `${where(at)}: ${values.length} values; a list takes at most ${LIMITS.inValues}`,
          at,
          { reason: "list", count: values.length, max: LIMITS.inValues },
        ),
      );
    w.values += values.length;
    if (w.values > LIMITS.listValues && w.valuesPassedAt === null) w.valuesPassedAt = at;
  }
  return out;
}

/** Checks zod cannot express: values that fit the operator, ranges that are not empty. */
function leafChecks(kind: ConditionKind, c: Condition, path: Path): AudienceIssue[] {
  if (kind === "attribute" && "attribute" in c) {
    const v = c.value;
    const at = [...path, "value"];
    const op = c.op;
    const missing = () => issue("missing_value", `${where(at)}: ${op} needs a value`, at, { op });
    const bad = (expects: string, says: string) =>
      issue("bad_value", `${where(at)}: ${op} ${says}`, at, { reason: expects, op });
    switch (op) {
      case "exists":
      case "not_exists":
        return [];
      case "in":
      case "not_in":
        return Array.isArray(v) ? [] : [bad("list", "needs a list")];
      case "eq":
      case "neq":
      case "contains":
        if (v === undefined) return [missing()];
        return Array.isArray(v) ? [bad("one_value", "compares with one value, not a list")] : [];
      case "gt":
      case "gte":
      case "lt":
      case "lte":
        if (v === undefined) return [missing()];
        return typeof v === "number" || typeof v === "string"
          ? []
          : [bad("comparable", "compares numbers, dates or text")];
      default:
        return assertNever(op);
    }
  }
  if (kind === "last_between" && "lastBetween" in c) {
    const { from, to } = c.lastBetween;
    const at = [...path, "lastBetween"];
    if (from === undefined && to === undefined)
      return [
        issue("bad_range", `${where(at)}: give from, to or both`, at, { reason: "no_bounds" }),
      ];
    if (from !== undefined && to !== undefined && (durationMs(from) ?? 0) >= (durationMs(to) ?? 0))
      return [
        issue("bad_range", `${where(at)}: from (${from}) must be shorter than to (${to})`, at, {
          reason: "reversed_window",
          from,
          to,
        }),
      ];
    return [];
  }
  if (kind === "rfm" && "rfm" in c) {
    const out: AudienceIssue[] = [];
    for (const dim of ["r", "f", "m"] as const) {
      const range = c.rfm[dim];
      if (range && range[0] > range[1]) {
        const at = [...path, "rfm", dim];
        const msg = `${where(at)}: [${range[0]}, ${range[1]}] is reversed`;
        out.push(
          issue("bad_range", msg, at, {
            reason: "reversed_score",
            dim,
            min: range[0],
            max: range[1],
          }),
        );
      }
    }
    return out;
  }
  return [];
}

/** Every problem with a definition; empty when it compiles. Never throws. */
export function validateAudience(doc: unknown): AudienceIssue[] {
  const w: Walk = {
    issues: [],
    leaves: 0,
    eventLeaves: 0,
    wheres: 0,
    values: 0,
    valuesPassedAt: null,
    tooDeep: false,
  };
  walk(doc, [], 0, w);
  if (w.tooDeep || w.leaves > LIMITS.leaves) {
    const count = w.leaves > LIMITS.leaves ? `more than ${LIMITS.leaves}` : `${w.leaves}`;
    const msg = `the definition has ${count} conditions${w.tooDeep ? ` and more than ${LIMITS.depth} levels` : ""}; the limits are ${LIMITS.leaves} conditions and ${LIMITS.depth} levels`;
    w.issues.push(
      issue("too_complex", msg, [], {
        reason: "conditions",
        maxConditions: LIMITS.leaves,
        maxLevels: LIMITS.depth,
      }),
    );
  } else if (w.eventLeaves > LIMITS.eventLeaves) {
    const msg = `the definition has ${w.eventLeaves} event conditions; the limit is ${LIMITS.eventLeaves} (each one reads that event's history)`;
    w.issues.push(
      issue("too_complex", msg, [], {
        reason: "event_conditions",
        count: w.eventLeaves,
        max: LIMITS.eventLeaves,
      }),
    );
  } else if (w.wheres > LIMITS.whereTotal) {
    const msg = `the definition's event conditions compare ${w.wheres} properties; the limit is ${LIMITS.whereTotal} in all`;
    w.issues.push(
      issue("too_complex", msg, [], { reason: "wheres", count: w.wheres, max: LIMITS.whereTotal }),
    );
  }
  if (w.valuesPassedAt !== null) {
    const at = w.valuesPassedAt;
    const msg = `${where(at)}: the definition's lists hold more than ${LIMITS.listValues} values together`;
    w.issues.push(issue("too_many_values", msg, at, { reason: "total", max: LIMITS.listValues }));
  }
  return w.issues;
}

export const hasAudienceErrors = (issues: readonly AudienceIssue[]) =>
  issues.some((i) => i.severity === "error");

export type ParsedAudience =
  | { ok: true; definition: Condition; issues: AudienceIssue[] }
  | { ok: false; issues: AudienceIssue[] };

/** Validates, then parses with the one schema: a definition the compiler can trust. */
export function parseAudience(doc: unknown): ParsedAudience {
  const issues = validateAudience(doc);
  if (hasAudienceErrors(issues)) return { ok: false, issues };
  const parsed = ConditionSchema.safeParse(doc);
  if (!parsed.success) return { ok: false, issues: [...issues, ...zodIssues(parsed.error, [])] };
  return { ok: true, definition: parsed.data, issues };
}
