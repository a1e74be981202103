import { z } from "zod";
import { NodeIdSchema, PositionSchema } from "../format/primitives.ts";
import { log } from "../timeline.ts";
import { defineNode } from "./types.ts";

export const ExitNodeSchema = z.strictObject({
  id: NodeIdSchema,
  type: z.literal("exit"),
  label: z.string().optional(),
  position: PositionSchema.optional(),
});
export type ExitNode = z.infer<typeof ExitNodeSchema>;

/** The end of a path: the enrollment completes (status `completed`). */
export const exitNode = defineNode<ExitNode>({
  type: "exit",
  schema: ExitNodeSchema,
  outPaths: () => ({ kind: "none" }),
  entry: false,
  entryEvent: () => null,
  sends: false,
  channel: () => null,
  arms: () => null,
  locksContact: false,
  hasSettings: false,
  usesBestHour: () => false,
  engagementEvents: () => [],
  holds: () => false,
  validate: () => [],
  step(node, ctx) {
    const entry = {
      type: "exited" as const,
      at: ctx.now,
      nodeId: node.id,
      reason: "exit_node",
      detail: "reached exit",
    };
    return { kind: "end", status: "completed", reason: "exit_node", effects: [log(entry)] };
  },
});
