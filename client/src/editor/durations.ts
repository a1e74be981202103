import { parseDuration } from "../../../engine/time/index.ts";

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

/** Short form for node cards ("1 d 12 h"), the ISO text when it does not parse. */
export const shortDuration = (iso: string) => humanizeDuration(iso, true) ?? iso;
