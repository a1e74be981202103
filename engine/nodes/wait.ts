import { DateTime, Duration } from "luxon";
import { z } from "zod";
import { dateValueAt, parseDateValue } from "../dates.ts";
import type { Effect } from "../effects.ts";
import {
  DurationSchema,
  NodeIdSchema,
  PositionSchema,
  TimeOfDaySchema,
  WeekdaysSchema,
} from "../format/primitives.ts";
import { assertNever } from "../shared/assert-never.ts";
import { own } from "../shared/own.ts";
import { addDuration, formatHhmm, nextTimeOfDay } from "../time/index.ts";
import { localTime, log } from "../timeline.ts";
import { defineNode, type StepContext, type StepResult } from "./types.ts";

export const WaitSpecSchema = z.discriminatedUnion("kind", [
  /** Elapsed/calendar time from entering the node: P1D keeps the wall time across DST. */
  z.strictObject({ kind: z.literal("duration"), duration: DurationSchema }),
  /** The next `time` in the contact's zone (now, if it is exactly that time), on allowed weekdays. */
  z.strictObject({
    kind: z.literal("time_of_day"),
    time: TimeOfDaySchema,
    weekdays: WeekdaysSchema.optional(),
  }),
  /** A date attribute, shifted by `offset` before or after; date-only values use `time` (09:00). */
  z.strictObject({
    kind: z.literal("until_attribute"),
    attribute: z.string().min(1),
    offset: DurationSchema.optional(),
    direction: z.enum(["before", "after"]).optional(),
    time: TimeOfDaySchema.optional(),
  }),
  /** The contact's most active hour (ports.bestHour), else `fallback`. */
  z.strictObject({ kind: z.literal("best_hour"), fallback: TimeOfDaySchema }),
]);
export type WaitSpec = z.infer<typeof WaitSpecSchema>;

export const WaitNodeSchema = z.strictObject({
  id: NodeIdSchema,
  type: z.literal("wait"),
  label: z.string().optional(),
  wait: WaitSpecSchema,
  position: PositionSchema.optional(),
});
export type WaitNode = z.infer<typeof WaitNodeSchema>;

type Target = { at: number; why: string } | { missing: string };

function target(node: WaitNode, ctx: StepContext): Target {
  const w = node.wait;
  const from = ctx.enrollment.at;
  switch (w.kind) {
    case "duration":
      return { at: addDuration(from, w.duration, ctx.zone), why: w.duration };
    case "time_of_day":
      return { at: nextTimeOfDay(from, w.time, ctx.zone, w.weekdays), why: `next ${w.time}` };
    case "best_hour": {
      const hour = ctx.ports.bestHour?.(ctx.contact) ?? null;
      const valid = hour !== null && Number.isInteger(hour) && hour >= 0 && hour <= 23;
      const time = valid ? formatHhmm(hour * 60) : w.fallback;
      const why = valid ? `best hour ${time}` : `no activity data, fallback ${time}`;
      return { at: nextTimeOfDay(from, time, ctx.zone), why };
    }
    case "until_attribute": {
      const value = parseDateValue(own(ctx.contact.attributes, w.attribute));
      if (!value) return { missing: w.attribute };
      const base = dateValueAt(value, w.time ?? "09:00", ctx.zone);
      if (!w.offset) return { at: base, why: w.attribute };
      // Calendar arithmetic in the contact's zone both ways: P1D before = same wall time the
      // previous day, even across a DST change.
      const at =
        w.direction === "before"
          ? DateTime.fromMillis(base, { zone: ctx.zone })
              .minus(Duration.fromISO(w.offset))
              .toMillis()
          : addDuration(base, w.offset, ctx.zone);
      return { at, why: `${w.offset} ${w.direction ?? "after"} ${w.attribute}` };
    }
    default:
      return assertNever(w);
  }
}

export const waitNode = defineNode<WaitNode>({
  type: "wait",
  schema: WaitNodeSchema,
  outPaths: () => ({ kind: "one" }),
  entry: false,
  entryEvent: () => null,
  sends: false,
  channel: () => null,
  arms: () => null,
  locksContact: false,
  hasSettings: true,
  usesBestHour: (node) => node.wait.kind === "best_hour",
  engagementEvents: () => [],
  holds: () => true,
  // Durations and times are checked by the schema (bad_duration, bad_time).
  validate: () => [],
  step(node, ctx): StepResult {
    const e = ctx.enrollment;
    if (e.wakeAt !== null) {
      return ctx.now >= e.wakeAt ? { kind: "next" } : { kind: "hold", wakeAt: e.wakeAt };
    }
    const t = target(node, ctx);
    if ("missing" in t) {
      const effects: Effect[] = [
        log({
          type: "exited",
          at: ctx.now,
          nodeId: node.id,
          reason: "missing_attribute",
          detail: `attribute "${t.missing}" is missing or not a date`,
        }),
      ];
      return { kind: "end", status: "exited", reason: "missing_attribute", effects };
    }
    if (t.at <= ctx.now) return { kind: "next" };
    const entry = {
      type: "waiting" as const,
      at: ctx.now,
      nodeId: node.id,
      until: t.at,
      detail: `waiting until ${localTime(t.at, ctx.zone)} (${t.why})`,
    };
    return { kind: "hold", wakeAt: t.at, effects: [log(entry)] };
  },
});
