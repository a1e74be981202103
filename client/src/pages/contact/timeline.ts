import { formatShortTime } from "../../i18n/format.ts";
import { i18n, msgKey } from "../../i18n/index.ts";

/**
 * How the console labels and colours timeline rows: a short label and a tone per entry type,
 * and a known type list so a new server type still renders (as neutral). The sentence beside
 * the label is made in sentences.ts.
 */
export const KNOWN_TYPES = [
  "entered",
  "waiting",
  "event",
  "branched",
  "sent",
  "deferred",
  "suppressed",
  "cooldown",
  "converted",
  "exited",
  "skipped",
  "updated",
  "update_failed",
  "opened",
] as const;
export type KnownType = (typeof KNOWN_TYPES)[number];
export type Tone = "neutral" | "progress" | "good" | "warn" | "bad";

export function isKnownType(type: string): type is KnownType {
  return (KNOWN_TYPES as readonly string[]).includes(type);
}

const TYPE_LABELS: Record<KnownType, string> = {
  entered: msgKey("timeline.type.entered"),
  waiting: msgKey("timeline.type.waiting"),
  event: msgKey("timeline.type.event"),
  branched: msgKey("timeline.type.branched"),
  sent: msgKey("timeline.type.sent"),
  deferred: msgKey("timeline.type.deferred"),
  suppressed: msgKey("timeline.type.suppressed"),
  cooldown: msgKey("timeline.type.cooldown"),
  converted: msgKey("timeline.type.converted"),
  exited: msgKey("timeline.type.exited"),
  skipped: msgKey("timeline.type.skipped"),
  updated: msgKey("timeline.type.updated"),
  update_failed: msgKey("timeline.type.update_failed"),
  opened: msgKey("channels.type.opened"),
};

/**
 * The type's label in the console's language now. Through the shared instance rather than a
 * hook, so the editor's simulator (a caller outside React's render of this page) reads it too;
 * a language switch re-renders the tree, which calls it again.
 */
export function typeLabel(type: string): string {
  return isKnownType(type) ? i18n.t(TYPE_LABELS[type]) : type;
}

export function typeTone(type: string): Tone {
  if (!isKnownType(type)) return "neutral";
  switch (type) {
    case "entered":
    case "branched":
    case "event":
      return "progress";
    case "waiting":
    case "exited":
    case "updated":
      return "neutral";
    case "sent":
    case "converted":
    case "opened":
      return "good";
    case "deferred":
    case "cooldown":
    case "skipped":
    case "update_failed":
      return "warn";
    case "suppressed":
      return "bad";
  }
}

/** "14:03:07" today, "Mar 3, 14:03" otherwise, in the console's language (i18n/format.ts). */
export function shortTime(iso: string | number, now = new Date()): string {
  return formatShortTime(i18n.language, iso, now);
}
