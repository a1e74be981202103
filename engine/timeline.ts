import type { Effect, TimelineEntry } from "./effects.ts";
import { formatLocal } from "./time/index.ts";

/** Wraps a timeline entry as a log effect. */
export function log(entry: TimelineEntry): Effect {
  return { type: "log", entry };
}

/** "2025-03-10 08:00 Asia/Shanghai": what support staff read in `detail` strings. */
export function localTime(at: number, zone: string): string {
  return `${formatLocal(at, zone)} ${zone}`;
}
