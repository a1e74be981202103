/** Response schema of GET /api/journeys/:id/results (server/results/results.ts computes it). */
import { z } from "zod";

/** Days after the send (arms: after assignment) conversions are counted at. */
const Day = z.union([z.literal(0), z.literal(1), z.literal(3), z.literal(7)]);
/** A count next to its rate (4 decimals; null when the base is 0): a rate never travels alone. */
export const RateSchema = z.object({ count: z.number(), rate: z.number().nullable() });
const Converted = RateSchema.extend({ day: Day });

export const ZTestSchema = z.object({
  z: z.number(),
  p: z.number(),
  confidence: z.number(),
  significant: z.boolean(),
  lift: z.number(),
});

export const VerdictFactsSchema = z.object({
  kind: z.enum(["empty", "untestable", "same", "unclear", "ahead", "behind"]),
  control: z.string(),
  variant: z.string(),
  emptyArm: z.string().nullable(),
  percent: z.number().nullable(),
  significant: z.boolean(),
  smallSample: z.boolean(),
});

/** A send's numbers for the messages sent as one locale variant ("default": its own content). */
export const VariantResultSchema = z.object({
  variant: z.string(),
  recipients: z.number(),
  delivered: RateSchema,
  clicked: RateSchema,
  converted: z.array(Converted).nullable(),
  attributed: RateSchema.nullable(),
});

export const SendResultSchema = z.object({
  nodeId: z.string(),
  label: z.string(),
  channel: z.string().nullable(),
  removed: z.boolean(),
  recipients: z.number(),
  delivered: RateSchema,
  clicked: RateSchema,
  converted: z.array(Converted).nullable(),
  attributed: RateSchema.nullable(),
  /** Per locale variant, largest first; empty for a send without variants. */
  variants: z.array(VariantResultSchema),
});

export const ArmResultSchema = z.object({
  arm: z.string(),
  percent: z.number().nullable(),
  control: z.boolean(),
  assigned: z.number(),
  recipients: z.number(),
  sent: z.number(),
  delivered: RateSchema,
  clicked: RateSchema,
  converted: z.array(Converted).nullable(),
  attributed: RateSchema.nullable(),
  test: ZTestSchema.nullable(),
  /** In English, as the CSV has it. */
  verdict: z.string().nullable(),
  /** What the verdict concluded and from what, for the console to say in its language. */
  verdictFacts: VerdictFactsSchema.nullable(),
});

export const JourneyResultsSchema = z.object({
  journeyId: z.string(),
  name: z.string(),
  goal: z.object({ event: z.string(), within: z.string() }).nullable(),
  windows: z.array(z.object({ day: Day, hours: z.number() })),
  sends: z.array(SendResultSchema),
  splits: z.array(
    z.object({ nodeId: z.string(), label: z.string(), arms: z.array(ArmResultSchema) }),
  ),
  series: z.array(z.object({ date: z.string(), sends: z.number(), conversions: z.number() })),
  zone: z.string(),
  skippedEntries: z.number(),
});

/** GET /api/journeys/:id/today, per node (server/results/today.ts computes it). */
export const NodeTodaySchema = z.object({
  entered: z.number(),
  sent: z.number(),
  suppressed: z.number(),
  deferred: z.number(),
  /** Node ids and reasons are outside names: any key (even `__proto__`) is one. */
  suppressedBy: z.record(z.string(), z.number()),
  deferredBy: z.record(z.string(), z.number()),
});
export const JourneyTodaySchema = z.object({
  journeyId: z.string(),
  /** The zone whose day this is (the workspace's) and the local date. */
  zone: z.string(),
  date: z.string(),
  since: z.string(),
  until: z.string(),
  /** The live version's node ids (null when none is live): where the canvas draws zeros too. */
  liveNodes: z.array(z.string()).nullable(),
  nodes: z.record(z.string(), NodeTodaySchema),
});
