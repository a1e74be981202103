import { z } from "zod";
import { parseDuration, parseHhmm } from "../time/index.ts";

/**
 * Building blocks shared by the node schemas and the settings. Checks that zod cannot express
 * as a type (a duration that parses, a time of day) are refinements carrying a `params.code`,
 * so `parseJourney` reports them with our own issue code (`bad_duration`, `bad_time`) instead
 * of a generic schema error.
 */

/**
 * Names that JavaScript objects treat specially: as a key, `__proto__` replaces an object's
 * prototype and `constructor` / `prototype` read inherited values. Ids and names that become
 * object keys anywhere (node ids, journey ids, template paths) may not be one of them; a
 * document using one gets a `reserved_name` issue instead of reaching code that keys by it.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  "__proto__",
  "constructor",
  "prototype",
]);

export const isReservedName = (name: string) => RESERVED_NAMES.has(name);

/** An id pattern that also refuses the reserved names, as a refinement with its own code. */
function idSchema(pattern: RegExp, message: string, what: string) {
  return z
    .string()
    .regex(pattern, message)
    .refine((s) => !isReservedName(s), {
      message: `${what} may not be __proto__, constructor or prototype`,
      params: { code: "reserved_name" },
    })
    .meta({ not: { enum: [...RESERVED_NAMES] } });
}

/** Node ids appear in idempotency keys and URLs: keep them short and boring. */
export const NodeIdSchema = idSchema(
  /^[A-Za-z0-9_-]{1,64}$/,
  "node ids are 1-64 letters, digits, '_' or '-'",
  "a node id",
).meta({
  description:
    "Unique node id within the journey (letters, digits, _ and -; not __proto__, constructor or prototype).",
});

/** Journey ids key live caches, realtime deltas and simulation results. */
export const JourneyIdSchema = idSchema(
  /^[A-Za-z0-9_-]{1,64}$/,
  "journey ids are 1-64 letters, digits, '_' or '-'",
  "a journey id",
);

export const DurationSchema = z
  .string()
  .refine((s) => parseDuration(s) !== null, {
    message: "not a positive ISO 8601 duration (e.g. PT2H, P3D, PT30S)",
    params: { code: "bad_duration" },
  })
  .meta({
    description: "ISO 8601 duration, strictly positive: PT30S, PT2H, P3D, P1W, P1M.",
    pattern:
      "^P(?!$)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+(\\.\\d+)?S)?)?$",
  });

export const TimeOfDaySchema = z
  .string()
  .refine((s) => parseHhmm(s) !== null, {
    message: 'not a 24-hour "HH:MM" time',
    params: { code: "bad_time" },
  })
  .meta({
    description: 'Local wall-clock time, 24-hour "HH:MM".',
    pattern: "^([01]\\d|2[0-3]):[0-5]\\d$",
  });

/** ISO weekdays, 1 = Monday … 7 = Sunday (luxon's numbering). */
export const WeekdaysSchema = z.array(z.number().int().min(1).max(7)).min(1).max(7);

export const PositionSchema = z
  .strictObject({ x: z.number(), y: z.number() })
  .meta({ description: "Canvas position; ignored by the engine." });

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Scalar = z.infer<typeof Scalar>;

export const COMPARISON_OPS = [
  "eq",
  "neq",
  "gt",
  "gte",
  "lt",
  "lte",
  "in",
  "not_in",
  "contains",
  "exists",
  "not_exists",
] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/**
 * One comparison against a property (event filters) or an attribute (condition branches).
 * A list rather than a `{key: value}` map so authors can use operators and the exported JSON
 * keeps the author's order (maps would need re-sorting for a canonical export).
 */
export const ComparisonSchema = z.strictObject({
  /** Dotted path, e.g. `sku` or `address.province`. */
  field: z.string().min(1),
  op: z.enum(COMPARISON_OPS),
  /** Absent for `exists` / `not_exists`; a list for `in` / `not_in`. */
  value: z.union([Scalar, z.array(Scalar)]).optional(),
});
export type Comparison = z.infer<typeof ComparisonSchema>;

export const EventNameSchema = z
  .string()
  .min(1)
  .max(128)
  .meta({ description: "Event name as sent to the track API, e.g. purchased, message.clicked." });

/** An event, optionally narrowed by property comparisons (all must hold). */
export const EventMatchSchema = z.strictObject({
  event: EventNameSchema,
  where: z.array(ComparisonSchema).optional(),
});
export type EventMatch = z.infer<typeof EventMatchSchema>;
