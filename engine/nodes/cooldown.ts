import { z } from "zod";
import { DurationSchema, NodeIdSchema, PositionSchema } from "../format/primitives.ts";
import { CATEGORIES, type Category } from "../shared/channels.ts";
import { addDuration } from "../time/index.ts";
import { localTime, log } from "../timeline.ts";
import { defineNode } from "./types.ts";

/**
 * Whom a cooldown holds back. `other_journeys`: every journey's sends of its scope except the
 * journey that started it (a marketer's "stop other campaigns while this one runs"; its own
 * later sends go out). `all_journeys`: every journey, this one included (a full pause).
 */
export const COOLDOWN_APPLIES = ["other_journeys", "all_journeys"] as const;
export type CooldownApplies = (typeof COOLDOWN_APPLIES)[number];

/**
 * What a document without `applies` means: `all_journeys`, the only meaning before the field
 * existed, so published versions and exported files keep their behaviour. The editor writes
 * `other_journeys` on new nodes (client/src/editor/defaults.ts); docs/ENGINE.md says so.
 */
export const LEGACY_COOLDOWN_APPLIES: CooldownApplies = "all_journeys";

/**
 * Starts a cooldown for the contact: no sends of `scope` (a category, or `all`) from the
 * journeys `applies` names until it ends. The store records it; `decide` enforces it.
 */
export const CooldownSpecSchema = z.strictObject({
  duration: DurationSchema,
  scope: z.enum([...CATEGORIES, "all"]),
  /** Absent = `all_journeys` (documents from before the field); new nodes say `other_journeys`. */
  applies: z.enum(COOLDOWN_APPLIES).optional(),
});
export type CooldownSpec = z.infer<typeof CooldownSpecSchema>;

export const CooldownNodeSchema = z.strictObject({
  id: NodeIdSchema,
  type: z.literal("cooldown"),
  label: z.string().optional(),
  cooldown: CooldownSpecSchema,
  position: PositionSchema.optional(),
});
export type CooldownNode = z.infer<typeof CooldownNodeSchema>;

export function cooldownApplies(spec: Pick<CooldownSpec, "applies">): CooldownApplies {
  return spec.applies ?? LEGACY_COOLDOWN_APPLIES;
}

/** Whether a cooldown node's spec would hold back its own journey's send of `category`. */
export function blocksOwnSend(spec: CooldownSpec, category: Category): boolean {
  return (
    cooldownApplies(spec) === "all_journeys" && (spec.scope === "all" || spec.scope === category)
  );
}

/** "other journeys' promotional sends" / "every journey's promotional sends (this one's included)". */
export function heldSendsLabel(spec: Pick<CooldownSpec, "scope" | "applies">): string {
  const what = spec.scope === "all" ? "sends" : `${spec.scope} sends`;
  return cooldownApplies(spec) === "other_journeys"
    ? `other journeys' ${what}`
    : `every journey's ${what} (this one's included)`;
}

export const cooldownNode = defineNode<CooldownNode>({
  type: "cooldown",
  schema: CooldownNodeSchema,
  outPaths: () => ({ kind: "one" }),
  entry: false,
  entryEvent: () => null,
  sends: false,
  channel: () => null,
  arms: () => null,
  locksContact: false,
  hasSettings: true,
  usesBestHour: () => false,
  engagementEvents: () => [],
  holds: () => false,
  validate: () => [],
  step(node, ctx) {
    const { scope, duration } = node.cooldown;
    const applies = cooldownApplies(node.cooldown);
    const until = addDuration(ctx.now, duration, ctx.zone);
    const detail = `holds ${heldSendsLabel(node.cooldown)} until ${localTime(until, ctx.zone)} (${duration})`;
    return {
      kind: "next",
      effects: [
        { type: "cooldown", nodeId: node.id, scope, applies, until },
        log({ type: "cooldown", at: ctx.now, nodeId: node.id, until, detail }),
      ],
    };
  },
});
