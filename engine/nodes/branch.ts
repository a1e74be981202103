import { z } from "zod";
import type { Effect } from "../effects.ts";
import {
  ComparisonSchema,
  DurationSchema,
  EventNameSchema,
  NodeIdSchema,
  PositionSchema,
} from "../format/primitives.ts";
import { allHold, matchesEvent } from "../match.ts";
import { assertNever } from "../shared/assert-never.ts";
import type { SendRecord } from "../snapshot.ts";
import { addDuration } from "../time/index.ts";
import { localTime, log } from "../timeline.ts";
import { issue } from "../validate/issue.ts";
import { defineNode, type StepContext, type StepResult } from "./types.ts";

export const ENGAGEMENT_SIGNALS = ["delivered", "opened", "clicked"] as const;
export type EngagementSignal = (typeof ENGAGEMENT_SIGNALS)[number];

export const BranchSpecSchema = z.discriminatedUnion("kind", [
  /** Yes the moment the event arrives (after entering the node), no when `within` ends. */
  z.strictObject({
    kind: z.literal("event"),
    event: EventNameSchema,
    where: z.array(ComparisonSchema).optional(),
    within: DurationSchema,
  }),
  /** Yes if the send node's message got the signal within `within` of being sent. */
  z.strictObject({
    kind: z.literal("engagement"),
    node: NodeIdSchema,
    signal: z.enum(ENGAGEMENT_SIGNALS),
    within: DurationSchema,
  }),
  /** Yes if the contact's attributes pass the comparisons (`all` by default). */
  z.strictObject({
    kind: z.literal("condition"),
    match: z.enum(["all", "any"]).optional(),
    conditions: z.array(ComparisonSchema),
    /** Audience membership: reserved for the audiences issue; not evaluated yet. */
    audience: z.string().min(1).optional(),
  }),
]);
export type BranchSpec = z.infer<typeof BranchSpecSchema>;

export const BranchNodeSchema = z.strictObject({
  id: NodeIdSchema,
  type: z.literal("branch"),
  label: z.string().optional(),
  branch: BranchSpecSchema,
  position: PositionSchema.optional(),
});
export type BranchNode = z.infer<typeof BranchNodeSchema>;

/** Events that carry each signal. For SMS, "opened" means its tracked link was clicked. */
export function signalEvents(signal: EngagementSignal): readonly string[] {
  switch (signal) {
    case "delivered":
      return ["message.delivered"];
    case "clicked":
      return ["message.clicked"];
    case "opened":
      return ["message.opened", "message.clicked"];
    default:
      return assertNever(signal);
  }
}

function signalAt(rec: SendRecord, signal: EngagementSignal): number | undefined {
  switch (signal) {
    case "delivered":
      return rec.delivered;
    case "clicked":
      return rec.clicked;
    case "opened":
      // SMS has no read receipt: only a click proves the message was read.
      if (rec.channel === "sms") return rec.clicked;
      if (rec.opened === undefined) return rec.clicked;
      return rec.clicked === undefined ? rec.opened : Math.min(rec.opened, rec.clicked);
    default:
      return assertNever(signal);
  }
}

function branched(
  node: BranchNode,
  ctx: StepContext,
  yes: boolean,
  detail: string,
  consumed = false,
): StepResult {
  const path = yes ? "yes" : "no";
  const entry = { type: "branched" as const, at: ctx.now, nodeId: node.id, path, detail };
  return { kind: "next", path, effects: [log(entry)], consumedEvent: consumed };
}

function hold(
  node: BranchNode,
  ctx: StepContext,
  until: number,
  waitsFor: readonly string[],
  what: string,
): StepResult {
  if (ctx.enrollment.wakeAt !== null) return { kind: "hold", wakeAt: until, waitsFor };
  const effects: Effect[] = [
    log({
      type: "waiting",
      at: ctx.now,
      nodeId: node.id,
      until,
      detail: `waiting for ${what} until ${localTime(until, ctx.zone)}`,
    }),
  ];
  return { kind: "hold", wakeAt: until, waitsFor, effects };
}

export const branchNode = defineNode<BranchNode>({
  type: "branch",
  schema: BranchNodeSchema,
  outPaths: () => ({ kind: "named", names: ["yes", "no"], missing: "branch_missing_path" }),
  holds: (node) => node.branch.kind !== "condition",
  validate(node, ctx) {
    const b = node.branch;
    const path = [...ctx.path, "branch"];
    if (b.kind === "condition") {
      if (b.audience === undefined) return [];
      const msg = `audience condition "${b.audience}" is not evaluated yet; only attribute comparisons count`;
      return [issue("audience_condition_pending", msg, [...path, "audience"], node.id)];
    }
    if (b.kind !== "engagement") return [];
    const target = ctx.nodesById.get(b.node);
    if (!target) {
      const msg = `engagement branch watches "${b.node}", which is not a node of this journey`;
      return [issue("engagement_target_not_send", msg, [...path, "node"], node.id)];
    }
    if (target.type !== "send") {
      const msg = `engagement branch watches "${b.node}", a ${target.type} node, not a send`;
      return [issue("engagement_target_not_send", msg, [...path, "node"], node.id)];
    }
    const out = [];
    if (!ctx.reaches(b.node, node.id)) {
      const msg = `engagement branch watches "${b.node}", which does not come before it`;
      out.push(issue("engagement_target_not_upstream", msg, [...path, "node"], node.id));
    }
    if (b.signal === "opened" && target.send.channel === "webhook") {
      const msg = `webhook sends never report opens; "${node.id}" would always take "no"`;
      out.push(issue("engagement_signal_channel", msg, [...path, "signal"], node.id));
    }
    return out;
  },
  step(node, ctx) {
    const b = node.branch;
    const e = ctx.enrollment;
    switch (b.kind) {
      case "condition": {
        const attrs = ctx.contact.attributes;
        const yes =
          b.match === "any"
            ? b.conditions.some((c) => allHold(attrs, [c]))
            : allHold(attrs, b.conditions);
        const n = b.conditions.length;
        return branched(
          node,
          ctx,
          yes,
          `${n} condition${n === 1 ? "" : "s"} (${b.match ?? "all"}) ${yes ? "held" : "did not hold"}`,
        );
      }
      case "event": {
        const ev = ctx.event;
        if (ev && ev.at >= e.at && matchesEvent(b, ev)) {
          return branched(node, ctx, true, `${b.event} arrived`, true);
        }
        const deadline = e.wakeAt ?? addDuration(e.at, b.within, ctx.zone);
        if (ctx.now >= deadline)
          return branched(node, ctx, false, `no ${b.event} within ${b.within}`);
        return hold(node, ctx, deadline, [b.event], b.event);
      }
      case "engagement": {
        const rec = e.sends[b.node];
        if (!rec) return branched(node, ctx, false, `${b.node} was not sent`);
        const deadline = e.wakeAt ?? addDuration(rec.at, b.within, ctx.zone);
        const at = signalAt(rec, b.signal);
        if (at !== undefined && at <= deadline) {
          return branched(node, ctx, true, `${b.node} ${b.signal}`);
        }
        if (ctx.now >= deadline) {
          return branched(node, ctx, false, `${b.node} not ${b.signal} within ${b.within}`);
        }
        return hold(node, ctx, deadline, signalEvents(b.signal), `${b.node} to be ${b.signal}`);
      }
      default:
        return assertNever(b);
    }
  },
});
