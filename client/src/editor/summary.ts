import type { JourneyNode, NodeType } from "../../../engine/index.ts";
import { type CooldownSpec, cooldownApplies } from "../../../engine/nodes/cooldown.ts";
import { assertNever } from "../../../engine/shared/assert-never.ts";
import { parseDuration } from "../../../engine/time/index.ts";

/**
 * Palette and node-card metadata per type. The colour is set as `--node-color` on the card
 * and used by the minimap, so each type has one colour everywhere.
 */
export const NODE_META: Record<NodeType, { label: string; hint: string; color: string }> = {
  trigger: { label: "Trigger", hint: "How users enter", color: "#4f46e5" },
  wait: { label: "Wait", hint: "A delay, a time of day, a date", color: "#d97706" },
  branch: { label: "Branch", hint: "Yes / no: an event, opened, attributes", color: "#0891b2" },
  send: { label: "Send", hint: "SMS, email, push or webhook", color: "#16a34a" },
  cooldown: {
    label: "Cooldown",
    hint: "Hold other journeys' sends for a while",
    color: "#2563eb",
  },
  split: { label: "A/B split", hint: "Arms by percentage, stable per user", color: "#db2777" },
  exit: { label: "Exit", hint: "The end of a path", color: "#64748b" },
};

const UNIT_WORDS = [
  ["years", "year", "y"],
  ["months", "month", "mo"],
  ["weeks", "week", "w"],
  ["days", "day", "d"],
  ["hours", "hour", "h"],
  ["minutes", "minute", "min"],
  ["seconds", "second", "s"],
] as const;

/**
 * "PT1H" → "1 hour", "P1DT12H" → "1 day 12 hours"; `short` gives "1 d 12 h" for node cards.
 * Null when the duration is not valid (the form shows the engine's message instead).
 */
export function humanizeDuration(iso: string, short = false): string | null {
  const d = parseDuration(iso);
  if (!d) return null;
  const parts: string[] = [];
  for (const [key, word, abbr] of UNIT_WORDS) {
    const v = d[key];
    if (v === 0) continue;
    parts.push(short ? `${v} ${abbr}` : `${v} ${word}${v === 1 ? "" : "s"}`);
  }
  return parts.join(" ");
}

const dur = (iso: string) => humanizeDuration(iso, true) ?? iso;

/**
 * Whom a cooldown holds back and for how long, in words: "Holds other journeys' promotional
 * sends for 7 days". The card and the form both say it, because a marketer reads "cooldown" as
 * a pause of other campaigns (issue 16); absent `applies` is the old all-journeys meaning.
 */
export function describeCooldown(c: CooldownSpec): string {
  const what = c.scope === "all" ? "sends" : `${c.scope} sends`;
  const long = humanizeDuration(c.duration) ?? c.duration;
  return cooldownApplies(c) === "other_journeys"
    ? `Holds other journeys' ${what} for ${long}`
    : `Holds every journey's ${what} for ${long}, this one's included`;
}

/** The one-line summary under a node's title: what it does, at a glance. */
export function summarize(node: JourneyNode): string {
  switch (node.type) {
    case "trigger": {
      const t = node.trigger;
      switch (t.kind) {
        case "event":
          return `on ${t.event || "…"}${t.where?.length ? ` (${t.where.length} filter${t.where.length === 1 ? "" : "s"})` : ""}`;
        case "audience":
          return `joins ${t.audience || "…"}`;
        case "date_attribute": {
          const off =
            t.offsetDays === 0 ? "" : ` ${t.offsetDays > 0 ? "+" : "−"}${Math.abs(t.offsetDays)} d`;
          return `${t.attribute || "…"}${off} at ${t.time ?? "09:00"}${t.yearly ? ", yearly" : ""}`;
        }
        case "api":
          return "entered by API call";
        default:
          return assertNever(t);
      }
    }
    case "wait": {
      const w = node.wait;
      switch (w.kind) {
        case "duration":
          return `wait ${dur(w.duration)}`;
        case "time_of_day":
          return `until ${w.time || "…"}${w.weekdays ? ` on ${w.weekdays.length} day${w.weekdays.length === 1 ? "" : "s"}` : ""}`;
        case "until_attribute":
          return `until ${w.offset ? `${dur(w.offset)} ${w.direction ?? "after"} ` : ""}${w.attribute || "…"}`;
        case "best_hour":
          return `best hour, else ${w.fallback}`;
        default:
          return assertNever(w);
      }
    }
    case "branch": {
      const b = node.branch;
      switch (b.kind) {
        case "event":
          return `${b.event || "…"} within ${dur(b.within)}?`;
        case "engagement":
          return `${b.node || "…"} ${b.signal} within ${dur(b.within)}?`;
        case "condition": {
          const n = b.conditions.length;
          return n === 0
            ? "no conditions yet"
            : `${n} condition${n === 1 ? "" : "s"} (${b.match ?? "all"})`;
        }
        default:
          return assertNever(b);
      }
    }
    case "send":
      return `${node.send.channel === "sms" ? "SMS" : node.send.channel} · ${node.send.category}`;
    case "cooldown":
      return describeCooldown(node.cooldown);
    case "split":
      return node.split.arms.map((a) => `${a.name} ${a.percent}%`).join(" · ");
    case "exit":
      return "end of path";
    default:
      return assertNever(node);
  }
}
