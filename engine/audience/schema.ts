import { z } from "zod";
import {
  COMPARISON_OPS,
  ComparisonSchema,
  DurationSchema,
  EventNameSchema,
} from "../format/primitives.ts";
import { CATEGORIES, CHANNELS } from "../shared/channels.ts";

/**
 * Audience definitions, format v1: one zod schema gives the TypeScript types, the request
 * validation and the JSON Schema in the OpenAPI document.
 *
 * Terminology:
 *  - definition: the root condition of an audience. A contact is a member when it holds.
 *  - leaf: one test on a contact — an attribute comparison, an event aggregate within a window,
 *    the recency of an event, "never did", an RFM score range, consent on a channel/category.
 *  - group: `and` / `or` over conditions, or `not` of one.
 *
 * Shapes are keyed by what they test (`{attribute…}`, `{event…, count…}`, `{rfm…}`, `{and…}`)
 * rather than by a `kind` field, so a hand-written definition reads like the sentence it is;
 * `classify` (classify.ts) turns one into a discriminated union for exhaustive switches.
 */

/** Recency, frequency and monetary value are computed from this event and property. */
export const RFM_EVENT = "purchased";
export const RFM_AMOUNT_PROPERTY = "amount";

/**
 * Limits that keep one definition to one statement of bounded cost, checked by validation
 * before anything runs. PGlite cannot interrupt a statement (its statement_timeout never
 * fires), so these and the statement's shape are the bound there: every `in` list is one hashed
 * array whatever its length (server/audiences/values.ts), and each event condition is one scan
 * of that event's rows, so event conditions are what a definition may have few of.
 *  - leaves: conditions of any kind; depth: nesting of and/or/not;
 *  - inValues: values in one `in` / `not_in` list (attributes and event `where` alike);
 *  - listValues: values in all the definition's lists together;
 *  - where: comparisons in one event condition's `where`, whereTotal: in all of them;
 *  - eventLeaves: event conditions (count, sum, last between, never).
 * Each event condition is one pass over its event's rows (a hashed SubPlan, compile.ts), so a
 * definition costs about eventLeaves × those rows: measured on PGlite with 10,000 contacts and
 * 50,000 purchases (the demo's size), the costliest definition within these limits answers in
 * well under the few seconds PGlite's other requests can wait (tests/security/
 * bounded-audiences.test.ts); on far larger event tables use PostgreSQL, whose statement
 * timeout does fire.
 */
export const LIMITS = {
  leaves: 100,
  depth: 10,
  inValues: 500,
  listValues: 2_000,
  where: 20,
  whereTotal: 20,
  eventLeaves: 5,
} as const;

const Scalar = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);

/** A dotted attribute path, as condition branches read it: `region`, `address.province`. */
export const AttributeNameSchema = z
  .string()
  .min(1)
  .max(200)
  .meta({ description: "Attribute path, dotted for nested values: region, address.province." });

export const AttributeConditionSchema = z.strictObject({
  attribute: AttributeNameSchema,
  op: z.enum(COMPARISON_OPS),
  /** Absent for `exists` / `not_exists`; a list for `in` / `not_in`. */
  value: z.union([Scalar, z.array(Scalar).max(LIMITS.inValues)]).optional(),
});
export type AttributeCondition = z.infer<typeof AttributeConditionSchema>;

export const AGGREGATE_OPS = ["eq", "neq", "gt", "gte", "lt", "lte"] as const;
export type AggregateOp = (typeof AGGREGATE_OPS)[number];

const EventWhere = z.array(ComparisonSchema).max(LIMITS.where).optional();

/** "≥ 3 purchased in the last 180 days": `{event, count: true, op: "gte", value: 3, within: "P180D"}`. */
export const EventCountConditionSchema = z.strictObject({
  event: EventNameSchema,
  where: EventWhere,
  count: z.literal(true),
  op: z.enum(AGGREGATE_OPS),
  value: z.number().finite(),
  /** The window, back from now; all history when absent. */
  within: DurationSchema.optional(),
});
export type EventCountCondition = z.infer<typeof EventCountConditionSchema>;

/** "Spent ≥ 500 in the last year": `{event, sum: {property: "amount"}, op, value, within}`. */
export const EventSumConditionSchema = z.strictObject({
  event: EventNameSchema,
  where: EventWhere,
  sum: z.strictObject({ property: z.string().min(1).max(200) }),
  op: z.enum(AGGREGATE_OPS),
  value: z.number().finite(),
  within: DurationSchema.optional(),
});
export type EventSumCondition = z.infer<typeof EventSumConditionSchema>;

/**
 * "Last purchase between 30 and 90 days ago": the most recent matching event is at least `from`
 * and at most `to` ago. Either bound may be left out; contacts who never did it do not match.
 */
export const LastBetweenConditionSchema = z.strictObject({
  event: EventNameSchema,
  where: EventWhere,
  lastBetween: z.strictObject({
    from: DurationSchema.optional(),
    to: DurationSchema.optional(),
  }),
});
export type LastBetweenCondition = z.infer<typeof LastBetweenConditionSchema>;

/** "Never purchased" (or not within the window): `{event, never: true, within?}`. */
export const NeverConditionSchema = z.strictObject({
  event: EventNameSchema,
  where: EventWhere,
  never: z.literal(true),
  within: DurationSchema.optional(),
});
export type NeverCondition = z.infer<typeof NeverConditionSchema>;

const Score = z.number().int().min(1).max(5);
/** An inclusive score range, `[2, 2]` for one quintile. */
export const ScoreRangeSchema = z.tuple([Score, Score]);
export type ScoreRange = z.infer<typeof ScoreRangeSchema>;

/**
 * RFM quintiles (1–5) over contacts with at least one `purchased` event: recency 5 = bought most
 * recently, frequency 5 = most orders, monetary 5 = most spent (`properties.amount`). Absent
 * dimensions are not constrained; contacts without purchases have no score and never match.
 */
export const RfmConditionSchema = z.strictObject({
  rfm: z.strictObject({
    r: ScoreRangeSchema.optional(),
    f: ScoreRangeSchema.optional(),
    m: ScoreRangeSchema.optional(),
  }),
});
export type RfmCondition = z.infer<typeof RfmConditionSchema>;

/** Explicit consent for the channel and category, with no opt-out in force. */
export const ConsentConditionSchema = z.strictObject({
  consent: z.strictObject({ channel: z.enum(CHANNELS), category: z.enum(CATEGORIES) }),
});
export type ConsentCondition = z.infer<typeof ConsentConditionSchema>;

export type AndCondition = { and: Condition[] };
export type OrCondition = { or: Condition[] };
export type NotCondition = { not: Condition };

export type Condition =
  | AttributeCondition
  | EventCountCondition
  | EventSumCondition
  | LastBetweenCondition
  | NeverCondition
  | RfmCondition
  | ConsentCondition
  | AndCondition
  | OrCondition
  | NotCondition;

export const AndConditionSchema: z.ZodType<AndCondition> = z.strictObject({
  get and() {
    return z.array(ConditionSchema);
  },
});
export const OrConditionSchema: z.ZodType<OrCondition> = z.strictObject({
  get or() {
    return z.array(ConditionSchema);
  },
});
export const NotConditionSchema: z.ZodType<NotCondition> = z.strictObject({
  get not() {
    return ConditionSchema;
  },
});

/** Any condition; also the audience definition (its root). */
export const ConditionSchema: z.ZodType<Condition> = z.union([
  AttributeConditionSchema,
  EventCountConditionSchema,
  EventSumConditionSchema,
  LastBetweenConditionSchema,
  NeverConditionSchema,
  RfmConditionSchema,
  ConsentConditionSchema,
  AndConditionSchema,
  OrConditionSchema,
  NotConditionSchema,
]);

export const AudienceIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "ids are 1-64 lowercase letters, digits, '_' or '-'");

/** What the API stores: a name and a definition (the id is derived from the name if absent). */
export const AudienceBodySchema = z.strictObject({
  id: AudienceIdSchema.optional(),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  definition: ConditionSchema,
});
export type AudienceBody = z.infer<typeof AudienceBodySchema>;
