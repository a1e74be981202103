import { z } from "zod";
import {
  ComparisonSchema,
  DurationSchema,
  EventNameSchema,
  NodeIdSchema,
  TimeOfDaySchema,
  WeekdaysSchema,
} from "../../../../engine/format/primitives.ts";
import { assertNever } from "../../../../engine/shared/assert-never.ts";

/**
 * Form fields derived from the engine's zod schemas (one schema, many uses): the same schema
 * that validates a journey decides which inputs the side panel shows, so a field added to a
 * node type appears in the form without a hand-written form drifting behind. Shared
 * primitives are recognised by identity (a duration gets an ISO input with a hint, an event
 * name gets suggestions) and everything else by its zod kind.
 */
export type Field =
  | { kind: "object"; fields: ObjectField[] }
  | { kind: "variant"; discriminator: string; options: VariantOption[] }
  | { kind: "enum"; values: string[] }
  | { kind: "text"; format: TextFormat; multiline: boolean }
  | { kind: "number"; int: boolean; min: number | null; max: number | null }
  | { kind: "boolean" }
  | { kind: "comparisons" }
  | { kind: "weekdays" }
  | { kind: "list"; item: Field; minItems: number }
  | { kind: "unsupported"; what: string };

export type TextFormat = "plain" | "duration" | "time" | "event" | "node-ref";
export type ObjectField = { key: string; optional: boolean; field: Field };
export type VariantOption = { value: string; fields: ObjectField[] };

type Schema = z.ZodType;

export function describe(schema: Schema): Field {
  if (schema === DurationSchema) return text("duration");
  if (schema === TimeOfDaySchema) return text("time");
  if (schema === EventNameSchema) return text("event");
  if (schema === NodeIdSchema) return text("node-ref");
  if (schema === WeekdaysSchema) return { kind: "weekdays" };
  if (schema instanceof z.ZodArray && schema.element === ComparisonSchema)
    return { kind: "comparisons" };
  if (schema instanceof z.ZodOptional) return describe(schema.unwrap() as Schema);
  if (schema instanceof z.ZodDiscriminatedUnion) {
    const discriminator = String(schema._zod.def.discriminator);
    const options: VariantOption[] = [];
    for (const option of schema.options) {
      if (!(option instanceof z.ZodObject)) return { kind: "unsupported", what: "union member" };
      const tag = option.shape[discriminator];
      if (!(tag instanceof z.ZodLiteral)) return { kind: "unsupported", what: "union tag" };
      options.push({ value: String(tag.value), fields: objectFields(option, [discriminator]) });
    }
    return { kind: "variant", discriminator, options };
  }
  if (schema instanceof z.ZodObject) return { kind: "object", fields: objectFields(schema) };
  if (schema instanceof z.ZodEnum) return { kind: "enum", values: schema.options.map(String) };
  if (schema instanceof z.ZodString) {
    // Long free text (a message template) gets a text area.
    return { kind: "text", format: "plain", multiline: (schema.maxLength ?? 0) > 500 };
  }
  if (schema instanceof z.ZodNumber) {
    return {
      kind: "number",
      int: schema.isInt,
      min: Number.isFinite(schema.minValue) ? schema.minValue : null,
      max: Number.isFinite(schema.maxValue) ? schema.maxValue : null,
    };
  }
  if (schema instanceof z.ZodBoolean) return { kind: "boolean" };
  if (schema instanceof z.ZodArray) {
    const min = schema._zod.bag.minimum;
    return {
      kind: "list",
      item: describe(schema.element as Schema),
      minItems: typeof min === "number" ? min : 0,
    };
  }
  return { kind: "unsupported", what: schema.constructor.name };
}

function text(format: TextFormat): Field {
  return { kind: "text", format, multiline: false };
}

/** The fields of an object schema, minus `skip` (discriminators, ids, canvas positions). */
export function objectFields(schema: z.ZodObject, skip: readonly string[] = []): ObjectField[] {
  return Object.entries(schema.shape)
    .filter(([key]) => !skip.includes(key))
    .map(([key, s]) => ({
      key,
      optional: s instanceof z.ZodOptional,
      field: describe(s as Schema),
    }));
}

/**
 * Context for defaults a schema cannot know: names this journey already uses, and the event a
 * new event field starts with (vocabulary.ts's defaultEvent: never a message.* event, never the
 * trigger's own event for a goal or exit rule; "" where nothing fits, which validation flags).
 */
export type DefaultContext = {
  eventNames: readonly string[];
  sendNodeIds: readonly string[];
  defaultEvent: string;
};

/** Times of day that mean something for their key (a quiet-hours window opens at 08:00). */
const TIME_DEFAULTS: Record<string, string> = { start: "08:00", end: "21:00", fallback: "10:00" };

/**
 * A starting value for a field, for switching a variant or turning an optional group on.
 * Optional members stay unset; required text is as valid as the context allows.
 */
export function defaultValue(field: Field, ctx: DefaultContext, key = ""): unknown {
  switch (field.kind) {
    case "object":
      return defaultObject(field.fields, ctx);
    case "variant": {
      const first = field.options[0];
      if (!first) return {};
      return { [field.discriminator]: first.value, ...defaultObject(first.fields, ctx) };
    }
    case "enum":
      return field.values[0] ?? "";
    case "text":
      switch (field.format) {
        case "duration":
          return "P1D";
        case "time":
          return TIME_DEFAULTS[key] ?? "09:00";
        case "event":
          return ctx.defaultEvent;
        case "node-ref":
          return ctx.sendNodeIds[0] ?? "";
        case "plain":
          return "";
        default:
          return assertNever(field.format);
      }
    case "number":
      return Math.min(Math.max(0, field.min ?? 0), field.max ?? Number.POSITIVE_INFINITY);
    case "boolean":
      return false;
    case "comparisons":
      return [];
    case "weekdays":
      return [1, 2, 3, 4, 5];
    case "list":
      return Array.from({ length: field.minItems }, () => defaultValue(field.item, ctx));
    case "unsupported":
      return undefined;
    default:
      return assertNever(field);
  }
}

export function defaultObject(
  fields: readonly ObjectField[],
  ctx: DefaultContext,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (!f.optional) out[f.key] = defaultValue(f.field, ctx, f.key);
  return out;
}

/** Switching a variant keeps the members the new variant shares with the old one. */
export function switchVariant(
  field: Extract<Field, { kind: "variant" }>,
  current: Record<string, unknown>,
  value: string,
  ctx: DefaultContext,
): Record<string, unknown> {
  const option = field.options.find((o) => o.value === value);
  if (!option) return current;
  const next: Record<string, unknown> = { [field.discriminator]: value };
  for (const f of option.fields) {
    if (current[f.key] !== undefined) next[f.key] = current[f.key];
    else if (!f.optional) next[f.key] = defaultValue(f.field, ctx, f.key);
  }
  return next;
}

/** "offsetDays" → "Offset days", for labels. */
export function humanizeKey(key: string): string {
  const words = key
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/_/g, " ")
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
