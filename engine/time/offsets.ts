import { Duration } from "luxon";
import type { LocalParts } from "./zone.ts";

/**
 * Fast zone arithmetic for the hot path. luxon computes a zone offset with
 * Intl.formatToParts on every DateTime (~8 µs) and `plus` costs ~29 µs; the ticker and the
 * rules ask thousands of times per batch (bench/engine went from ~10k to ~30k steps/s with
 * this). Offsets are cached per zone per UTC hour when the offset is the same at both ends of
 * the hour: every real transition (DST, zone changes) happens on a whole or half hour, and an
 * hour containing one is never cached but computed exactly. tests/engine/time/offsets.test.ts
 * checks these functions against luxon over random instants in DST-observing zones.
 */

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    // Throws RangeError for an unknown zone, as luxon-based callers expect.
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(zone, f);
  }
  return f;
}

/** The exact offset (ms) of `zone` at `at`, from Intl. */
function exactOffset(at: number, zone: string): number {
  const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatFor(zone).formatToParts(at)) {
    if (p.type in fields) fields[p.type as keyof typeof fields] = Number(p.value);
  }
  const ms = ((at % 1000) + 1000) % 1000;
  return (
    Date.UTC(
      fields.year,
      fields.month - 1,
      fields.day,
      fields.hour,
      fields.minute,
      fields.second,
      ms,
    ) - at
  );
}

const HOUR = 3_600_000;
const offsets = new Map<string, Map<number, number>>();

/** Offset of `zone` at `at` in ms (UTC+8 → 28,800,000). */
export function offsetMs(at: number, zone: string): number {
  let byHour = offsets.get(zone);
  if (!byHour) {
    byHour = new Map();
    offsets.set(zone, byHour);
  }
  const hour = Math.floor(at / HOUR);
  let cached = byHour.get(hour);
  if (cached === undefined) {
    const start = exactOffset(hour * HOUR, zone);
    const end = exactOffset(hour * HOUR + HOUR - 1, zone);
    cached = start === end ? start : Number.NaN;
    if (byHour.size > 100_000) byHour.clear();
    byHour.set(hour, cached);
  }
  return Number.isNaN(cached) ? exactOffset(at, zone) : cached;
}

/** Wall-clock reading of `at` in `zone`. */
export function wallClock(at: number, zone: string): LocalParts {
  const offset = offsetMs(at, zone);
  const d = new Date(at + offset);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: ((d.getUTCDay() + 6) % 7) + 1,
    offsetMinutes: Math.round(offset / 60_000),
  };
}

type Parts = { clock: number; years: number; months: number; days: number };
const parsed = new Map<string, Parts | null>();

function partsOf(iso: string): Parts | null {
  let p = parsed.get(iso);
  if (p !== undefined) return p;
  const d = Duration.fromISO(iso);
  p = d.isValid
    ? {
        clock:
          d.get("hours") * HOUR +
          d.get("minutes") * 60_000 +
          d.get("seconds") * 1000 +
          d.get("milliseconds"),
        years: d.get("years"),
        months: d.get("months"),
        days: d.get("days") + 7 * d.get("weeks"),
      }
    : null;
  if (parsed.size < 10_000) parsed.set(iso, p);
  return p;
}

/**
 * `at` + an ISO duration on the calendar of `zone`, with luxon's semantics: calendar units
 * (years, months, weeks, days) keep the local wall time (clamped to the month's last day),
 * clock units are elapsed time, and a wall time inside a DST gap moves forward by the gap.
 */
export function addIsoDuration(at: number, iso: string, zone: string): number {
  const p = partsOf(iso);
  if (!p) throw new RangeError(`invalid ISO 8601 duration: ${iso}`);
  if (p.years === 0 && p.months === 0 && p.days === 0) {
    formatFor(zone); // still reject an unknown zone
    return at + p.clock;
  }
  const w = wallClock(at, zone);
  const ms = ((at % 1000) + 1000) % 1000;
  const monthIndex = w.month - 1 + p.months + 12 * p.years;
  const year = w.year + Math.floor(monthIndex / 12);
  const month = ((monthIndex % 12) + 12) % 12;
  const daysInMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const wallUtc = Date.UTC(
    year,
    month,
    Math.min(w.day, daysInMonth) + p.days,
    w.hour,
    w.minute,
    w.second,
    ms,
  );
  const before = offsetMs(at, zone);
  let guess = wallUtc - before;
  const after = offsetMs(guess, zone);
  if (after !== before) {
    const other = wallUtc - after;
    if (offsetMs(other, zone) === after) guess = other;
  }
  return guess + p.clock;
}
