import { z } from "zod";
import type { ContactView } from "../contact.ts";
import type { Effect } from "../effects.ts";
import { OPEN_EVENTS, openedAt } from "../engagement.ts";
import type { Journey } from "../format/journey.ts";
import {
  ComparisonSchema,
  DurationSchema,
  EventNameSchema,
  NodeIdSchema,
  PositionSchema,
} from "../format/primitives.ts";
import { allHold, matchesEvent } from "../match.ts";
import { assertNever } from "../shared/assert-never.ts";
import { own } from "../shared/own.ts";
import type { SendRecord } from "../snapshot.ts";
import { addDuration } from "../time/index.ts";
import { localTime, log } from "../timeline.ts";
import { type Issue, issue } from "../validate/issue.ts";
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
  /**
   * Yes if the contact's attributes pass the comparisons (`all` by default) and, when
   * `audience` is set, the contact is in that saved audience as well (see `conditionHolds`).
   */
  z.strictObject({
    kind: z.literal("condition"),
    match: z.enum(["all", "any"]).optional(),
    conditions: z.array(ComparisonSchema),
    /** A saved audience's id (server/audiences); membership is evaluated when the branch runs. */
    audience: z.string().min(1).optional(),
  }),
]);
export type BranchSpec = z.infer<typeof BranchSpecSchema>;
type ConditionSpec = Extract<BranchSpec, { kind: "condition" }>;

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
      return OPEN_EVENTS;
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
      return openedAt(rec.channel, rec.opened, rec.clicked);
    default:
      return assertNever(signal);
  }
}

/**
 * The condition branch's answer and the log detail that explains it. The audience is one more
 * requirement ANDed with the attribute part; `match` combines the `conditions` only. With an
 * audience and no conditions, membership alone decides (an empty `any` would otherwise never
 * hold); without an audience, an empty `all` holds and an empty `any` does not, as before.
 */
export function conditionHolds(
  b: ConditionSpec,
  contact: Pick<ContactView, "attributes" | "audiences">,
): { yes: boolean; detail: string } {
  const n = b.conditions.length;
  const match = b.match ?? "all";
  const attrs =
    match === "any"
      ? b.conditions.some((c) => allHold(contact.attributes, [c]))
      : allHold(contact.attributes, b.conditions);
  const attrDetail = `${n} condition${n === 1 ? "" : "s"} (${match}) ${attrs ? "held" : "did not hold"}`;
  if (b.audience === undefined) return { yes: attrs, detail: attrDetail };
  const member = contact.audiences?.includes(b.audience) ?? false;
  // Absent memberships mean the caller did not load them, not "in none": say so in the log.
  const unloaded = contact.audiences === undefined ? " (memberships not loaded)" : "";
  const audDetail = `${member ? "in" : "not in"} audience ${JSON.stringify(b.audience)}${unloaded}`;
  if (n === 0) return { yes: member, detail: audDetail };
  return { yes: member && attrs, detail: `${audDetail}; ${attrDetail}` };
}

/** The saved audiences the journey's condition branches read, each once, in document order. */
export function conditionAudiences(journey: Pick<Journey, "nodes">): string[] {
  const ids = new Set<string>();
  for (const n of journey.nodes) {
    if (n.type === "branch" && n.branch.kind === "condition" && n.branch.audience !== undefined)
      ids.add(n.branch.audience);
  }
  return [...ids];
}

/**
 * `audience_unknown` for every condition branch naming an audience not in `known`. The engine
 * has no audience store, so the caller passes the ids it has (the server, on publish); the
 * check stays data in, data out like `validate`.
 */
export function unknownAudienceIssues(
  journey: Pick<Journey, "nodes">,
  known: ReadonlySet<string>,
): Issue[] {
  const out: Issue[] = [];
  for (const [i, n] of journey.nodes.entries()) {
    if (n.type !== "branch" || n.branch.kind !== "condition") continue;
    const id = n.branch.audience;
    if (id === undefined || known.has(id)) continue;
    const msg = `condition branch "${n.id}" reads audience "${id}", which does not exist`;
    out.push(
      issue("audience_unknown", msg, ["nodes", i, "branch", "audience"], n.id, { audience: id }),
    );
  }
  return out;
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
  entry: false,
  entryEvent: () => null,
  sends: false,
  channel: () => null,
  arms: () => null,
  locksContact: false,
  hasSettings: true,
  usesBestHour: () => false,
  engagementEvents: (node) =>
    node.branch.kind === "engagement" ? signalEvents(node.branch.signal) : [],
  holds: (node) => node.branch.kind !== "condition",
  validate(node, ctx) {
    const b = node.branch;
    const path = [...ctx.path, "branch"];
    // Condition branches: whether `audience` exists is the server's check (unknownAudienceIssues).
    if (b.kind !== "engagement") return [];
    const target = ctx.nodesById.get(b.node);
    if (!target) {
      const msg = `engagement branch watches "${b.node}", which is not a node of this journey`;
      return [
        issue("engagement_target_not_send", msg, [...path, "node"], node.id, { target: b.node }),
      ];
    }
    if (target.type !== "send") {
      const msg = `engagement branch watches "${b.node}", a ${target.type} node, not a send`;
      return [
        issue("engagement_target_not_send", msg, [...path, "node"], node.id, { target: b.node }),
      ];
    }
    const out = [];
    if (!ctx.reaches(b.node, node.id)) {
      const msg = `engagement branch watches "${b.node}", which does not come before it`;
      out.push(
        issue("engagement_target_not_upstream", msg, [...path, "node"], node.id, {
          target: b.node,
        }),
      );
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
        const { yes, detail } = conditionHolds(b, ctx.contact);
        return branched(node, ctx, yes, detail);
      }
      case "event": {
        const ev = ctx.event;
        const deadline = e.wakeAt ?? addDuration(e.at, b.within, ctx.zone);
        // Inside the window by when it happened: a ticker running behind may read an event made
        // after the deadline before it reads the deadline itself.
        if (ev && ev.at >= e.at && ev.at <= deadline && matchesEvent(b, ev)) {
          return branched(node, ctx, true, `${b.event} arrived`, true);
        }
        if (ctx.now >= deadline)
          return branched(node, ctx, false, `no ${b.event} within ${b.within}`);
        return hold(node, ctx, deadline, [b.event], b.event);
      }
      case "engagement": {
        const rec = own(e.sends, b.node);
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
