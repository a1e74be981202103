import { z } from "zod";
import {
  ComparisonSchema,
  EventNameSchema,
  NodeIdSchema,
  PositionSchema,
  TimeOfDaySchema,
} from "../format/primitives.ts";
import { defineNode } from "./types.ts";

/**
 * How contacts enter. Only `event` and `date_attribute` are matched by the engine
 * (`triggerMatches`, `dateTriggerDue` in engine/triggers.ts); `api` enrollments come from an
 * API call and `audience` ones from the audience scanner (server/audiences/membership.ts).
 */
export const TriggerSpecSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("event"),
    event: EventNameSchema,
    where: z.array(ComparisonSchema).optional(),
  }),
  z.strictObject({ kind: z.literal("audience"), audience: z.string().min(1) }),
  z.strictObject({
    kind: z.literal("date_attribute"),
    /** A profile attribute holding a date, e.g. `birthday`. */
    attribute: z.string().min(1),
    /** Days after the date (negative = before). */
    offsetDays: z.number().int().min(-366).max(366),
    /** Every year on the anniversary (birthdays) rather than once. */
    yearly: z.boolean().optional(),
    /** Local time of day to enter, default 09:00. */
    time: TimeOfDaySchema.optional(),
  }),
  z.strictObject({ kind: z.literal("api") }),
]);
export type TriggerSpec = z.infer<typeof TriggerSpecSchema>;

export const TriggerNodeSchema = z.strictObject({
  id: NodeIdSchema,
  type: z.literal("trigger"),
  label: z.string().optional(),
  trigger: TriggerSpecSchema,
  position: PositionSchema.optional(),
});
export type TriggerNode = z.infer<typeof TriggerNodeSchema>;

export const triggerNode = defineNode<TriggerNode>({
  type: "trigger",
  schema: TriggerNodeSchema,
  outPaths: () => ({ kind: "one" }),
  entry: true,
  entryEvent: (node) => (node.trigger.kind === "event" ? node.trigger.event : null),
  sends: false,
  channel: () => null,
  arms: () => null,
  locksContact: false,
  hasSettings: true,
  usesBestHour: () => false,
  engagementEvents: () => [],
  holds: () => false,
  // Audience triggers enroll through the audience membership scan (server/audiences).
  validate: () => [],
  // Entering is logged by advance (it knows the trigger event); the node just moves on.
  step: () => ({ kind: "next" }),
});
