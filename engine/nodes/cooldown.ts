import { z } from "zod";
import { DurationSchema, NodeIdSchema, PositionSchema } from "../format/primitives.ts";
import { CATEGORIES } from "../shared/channels.ts";
import { addDuration } from "../time/index.ts";
import { localTime, log } from "../timeline.ts";
import { defineNode } from "./types.ts";

/**
 * Starts a cooldown for the contact: no sends of `scope` (a category, or `all`) from any
 * journey until it ends. The store records it; `decide` enforces it.
 */
export const CooldownSpecSchema = z.strictObject({
  duration: DurationSchema,
  scope: z.enum([...CATEGORIES, "all"]),
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

export const cooldownNode = defineNode<CooldownNode>({
  type: "cooldown",
  schema: CooldownNodeSchema,
  outPaths: () => ({ kind: "one" }),
  holds: () => false,
  validate: () => [],
  step(node, ctx) {
    const { scope, duration } = node.cooldown;
    const until = addDuration(ctx.now, duration, ctx.zone);
    const detail = `no ${scope === "all" ? "" : `${scope} `}sends until ${localTime(until, ctx.zone)} (${duration})`;
    return {
      kind: "next",
      effects: [
        { type: "cooldown", nodeId: node.id, scope, until },
        log({ type: "cooldown", at: ctx.now, nodeId: node.id, until, detail }),
      ],
    };
  },
});
