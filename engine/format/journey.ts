import { z } from "zod";
import { NodeSchema } from "../nodes/registry.ts";
import {
  ComparisonSchema,
  DurationSchema,
  EventMatchSchema,
  EventNameSchema,
  JourneyIdSchema,
  NodeIdSchema,
  TimeOfDaySchema,
} from "./primitives.ts";

export type { JourneyNode, NodeType } from "../nodes/registry.ts";

/** The one format string of v1; a breaking change gets a new one and a converter. */
export const JOURNEY_FORMAT = "waymark/journey@1";

export const ReentrySchema = z.discriminatedUnion("mode", [
  z.strictObject({ mode: z.literal("never") }),
  z.strictObject({ mode: z.literal("after"), after: DurationSchema }),
  z.strictObject({ mode: z.literal("always") }),
]);
export type Reentry = z.infer<typeof ReentrySchema>;

export const SettingsSchema = z.strictObject({
  /** May a contact enter again after an enrollment ended? Default `never`. */
  reentry: ReentrySchema.optional(),
  /** Any of these events ends the enrollment at once, wherever it is (a purchase ends a win-back). */
  exitOn: z.array(EventMatchSchema).optional(),
  /** The conversion: this event within `within` of entering counts once (`converted`), without exiting. */
  goal: z
    .strictObject({
      event: EventNameSchema,
      where: z.array(ComparisonSchema).optional(),
      within: DurationSchema,
    })
    .optional(),
  /** Overrides the workspace's allowed sending window for this journey's sends. */
  quietHours: z.strictObject({ start: TimeOfDaySchema, end: TimeOfDaySchema }).optional(),
  /** Contact ids that test sends may go to; test mode never sends to anyone else. */
  testList: z.array(z.string().min(1)).optional(),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const EdgeSchema = z.strictObject({
  from: NodeIdSchema,
  to: NodeIdSchema,
  /** Branch: `yes` / `no`; split: the arm name; other nodes: absent. */
  path: z.string().min(1).optional(),
});
export type Edge = z.infer<typeof EdgeSchema>;

/**
 * Journey format v1, the public interchange format. Field order here is the canonical order
 * of `exportJourney` (zod outputs keys in shape order), so keep it deliberate.
 */
export const JourneySchema = z
  .strictObject({
    format: z.literal(JOURNEY_FORMAT),
    id: JourneyIdSchema,
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    settings: SettingsSchema.optional(),
    nodes: z.array(NodeSchema),
    edges: z.array(EdgeSchema),
  })
  .meta({
    title: "Waymark journey",
    description: "A lifecycle messaging journey (format waymark/journey@1).",
  });
export type Journey = z.infer<typeof JourneySchema>;
