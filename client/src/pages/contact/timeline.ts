/**
 * How the console words and colours timeline rows. The server's `detail` is the sentence support
 * reads ("deferred to 08:00 Asia/Shanghai — quiet hours"); this only adds a short label and a
 * tone per entry type, and a known type list so a new server type still renders (as neutral).
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
] as const;
export type KnownType = (typeof KNOWN_TYPES)[number];
export type Tone = "neutral" | "progress" | "good" | "warn" | "bad";

function isKnown(type: string): type is KnownType {
  return (KNOWN_TYPES as readonly string[]).includes(type);
}

export function typeLabel(type: string): string {
  if (!isKnown(type)) return type;
  switch (type) {
    case "entered":
      return "Entered";
    case "waiting":
      return "Waiting";
    case "event":
      return "Event";
    case "branched":
      return "Branched";
    case "sent":
      return "Sent";
    case "deferred":
      return "Deferred";
    case "suppressed":
      return "Suppressed";
    case "cooldown":
      return "Cooldown";
    case "converted":
      return "Converted";
    case "exited":
      return "Exited";
    case "skipped":
      return "Skipped";
    case "updated":
      return "Updated";
    case "update_failed":
      return "Not updated";
  }
}

export function typeTone(type: string): Tone {
  if (!isKnown(type)) return "neutral";
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

/** "14:03:07" today, "Mar 3, 14:03" otherwise: the timeline is read as a story of the day. */
export function shortTime(iso: string | number, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay
    ? d.toLocaleTimeString([], {
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
      })
    : d.toLocaleString([], {
        month: "short",
        day: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      });
}
