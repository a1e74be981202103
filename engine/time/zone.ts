import { DateTime, IANAZone } from "luxon";
import { offsetMs, wallClock } from "./offsets.ts";

/** Wall-clock reading of an instant in a zone. `weekday` is ISO: 1 = Monday … 7 = Sunday. */
export type LocalParts = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
  /** Offset from UTC in minutes at that instant (e.g. 480 for Asia/Shanghai). */
  offsetMinutes: number;
};

/**
 * True for names the runtime's IANA database knows ("Asia/Shanghai", "UTC").
 * Intl accepts them case-insensitively, so "asia/shanghai" passes too; luxon handles both.
 */
export function isValidZone(zone: string | null | undefined): zone is string {
  if (typeof zone !== "string" || zone.length === 0) return false;
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    if (zoneValidity.size < 10_000) zoneValidity.set(zone, valid);
  }
  return valid;
}

/**
 * luxon's `isValidZone` builds an Intl.DateTimeFormat on every call (~20 µs); the ticker asks
 * for every contact of every batch, and it was 22% of a ticker profile. Zone names are few.
 */
const zoneValidity = new Map<string, boolean>();

export function localParts(at: number, zone: string): LocalParts {
  return wallClock(at, zone);
}

/** The luxon reading, kept as the reference the fast path is tested against. */
export function localPartsReference(at: number, zone: string): LocalParts {
  const dt = DateTime.fromMillis(at, { zone });
  if (!dt.isValid) throw new RangeError(`invalid zone or instant: ${zone} @ ${at}`);
  return {
    year: dt.year,
    month: dt.month,
    day: dt.day,
    hour: dt.hour,
    minute: dt.minute,
    second: dt.second,
    weekday: dt.weekday,
    offsetMinutes: dt.offset,
  };
}

/** UTC offset in minutes of `zone` at instant `at`. */
export function offsetAt(at: number, zone: string): number {
  return Math.round(offsetMs(at, zone) / 60_000);
}

/** "2025-03-09 08:00 America/New_York" — for support-facing detail strings. */
export function formatLocal(at: number, zone: string): string {
  const w = wallClock(at, zone);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${w.year}-${p(w.month)}-${p(w.day)} ${p(w.hour)}:${p(w.minute)}`;
}
