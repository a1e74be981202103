import { z } from "zod";
import { NodeIdSchema, PositionSchema } from "../format/primitives.ts";
import { bucket } from "../hash.ts";
import { log } from "../timeline.ts";
import { issue } from "../validate/issue.ts";
import { defineNode } from "./types.ts";

export const SplitArmSchema = z.strictObject({
  /** Also the `path` of the arm's out-edge. */
  name: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, "arm names are 1-32 letters, digits, '_' or '-'"),
  percent: z.number().min(0).max(100),
});

export const SplitNodeSchema = z.strictObject({
  id: NodeIdSchema,
  type: z.literal("split"),
  label: z.string().optional(),
  split: z.strictObject({ arms: z.array(SplitArmSchema).min(1).max(26) }),
  position: PositionSchema.optional(),
});
export type SplitNode = z.infer<typeof SplitNodeSchema>;

/** Percentages are decimals authors type (33.33 + 33.33 + 33.34): compare with a tolerance. */
const EPSILON = 1e-6;

/**
 * The arm for a contact: a hash of contact, journey and node, not `ports.random`, so the arm
 * never changes across runs, retries or journey versions. The node id is part of the key so
 * two splits in one journey are independent experiments.
 */
export function splitArm(node: SplitNode, contactId: string, journeyId: string): string {
  const point = bucket(`${contactId}:${journeyId}:${node.id}`);
  let acc = 0;
  for (const arm of node.split.arms) {
    acc += arm.percent;
    if (point < acc) return arm.name;
  }
  // Rounding (sum 99.9999) or a validation error: the last arm with a share takes the rest.
  const last = [...node.split.arms].reverse().find((a) => a.percent > 0) ?? node.split.arms.at(-1);
  return last?.name ?? "";
}

export const splitNode = defineNode<SplitNode>({
  type: "split",
  schema: SplitNodeSchema,
  outPaths: (node) => ({
    kind: "named",
    names: node.split.arms.map((a) => a.name),
    missing: "split_arm_without_edge",
  }),
  entry: false,
  entryEvent: () => null,
  sends: false,
  channel: () => null,
  arms: (node) => node.split.arms,
  locksContact: false,
  hasSettings: true,
  usesBestHour: () => false,
  engagementEvents: () => [],
  holds: () => false,
  validate(node, ctx) {
    const out = [];
    const sum = node.split.arms.reduce((s, a) => s + a.percent, 0);
    if (Math.abs(sum - 100) > EPSILON) {
      const msg = `split percentages add up to ${Number(sum.toFixed(6))}, not 100`;
      out.push(
        issue("split_percent_sum", msg, [...ctx.path, "split", "arms"], node.id, {
          sum: Number(sum.toFixed(6)),
        }),
      );
    }
    const seen = new Set<string>();
    node.split.arms.forEach((arm, i) => {
      if (seen.has(arm.name)) {
        const msg = `split arm "${arm.name}" appears twice`;
        out.push(
          issue("split_duplicate_arm", msg, [...ctx.path, "split", "arms", i, "name"], node.id, {
            arm: arm.name,
          }),
        );
      }
      seen.add(arm.name);
    });
    return out;
  },
  step(node, ctx) {
    const arm = splitArm(node, ctx.contact.id, ctx.journey.id);
    const pct = node.split.arms.find((a) => a.name === arm)?.percent ?? 0;
    const entry = {
      type: "branched" as const,
      at: ctx.now,
      nodeId: node.id,
      path: arm,
      detail: `arm ${arm} (${pct}%)`,
    };
    return { kind: "next", path: arm, effects: [log(entry)] };
  },
});
