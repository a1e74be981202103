import { localParts, offsetAt } from "./zone.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Minutes since local midnight for "HH:MM" (00:00–23:59), or null if malformed. */
export function parseHhmm(hhmm: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) return null;
  return Number(m[1]) * 60 + Number(m[2]);
}

export function formatHhmm(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}

/**
 * Every instant at which the clock in `zone` reads `minuteOfDay` on the local date
 * y-m-d, ascending. Usually one; two on a fall-back day when the time repeats.
 *
 * When the time does not exist (spring-forward gap, e.g. 02:30 in New York on the second
 * Sunday of March) we return the instant the clock jumps (03:00 EDT): it is the first
 * instant at which local time is past the requested time, which is exactly when a window
 * defined as "start <= local time" opens. luxon's own choice (shift by the gap: 03:30) would
 * leave half an hour where a send is allowed yet "next opening" points later.
 */
export function localInstants(
  year: number,
  month: number,
  day: number,
  minuteOfDay: number,
  zone: string,
): number[] {
  // The wall time read as if it were UTC; subtracting a real offset gives a real instant.
  const naive = Date.UTC(year, month - 1, day, Math.floor(minuteOfDay / 60), minuteOfDay % 60);
  // Offsets in force within a day either side cover any transition affecting this date
  // (real zones never move by more than a few hours, nor twice in a day).
  const offsets = new Set<number>();
  for (let k = -4; k <= 4; k++) offsets.add(offsetAt(naive + k * 6 * HOUR, zone));
  const hits: number[] = [];
  for (const offset of offsets) {
    const candidate = naive - offset * MINUTE;
    if (offsetAt(candidate, zone) === offset) hits.push(candidate);
  }
  if (hits.length > 0) return [...new Set(hits)].sort((a, b) => a - b);

  // Gap: every candidate is mapped by an offset that is not in force then. The transition
  // lies between the smallest and largest candidate; binary-search the offset change.
  const candidates = [...offsets].map((o) => naive - o * MINUTE);
  let lo = Math.min(...candidates);
  let hi = Math.max(...candidates);
  const after = offsetAt(hi, zone);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(mid, zone) === after) hi = mid;
    else lo = mid;
  }
  return [hi];
}

/**
 * The earliest instant >= `at` at which local time in `zone` reads `hhmm` on an allowed ISO
 * weekday (1 = Monday … 7 = Sunday; omitted = every day). DST behaviour: see
 * `localInstants` — a non-existent time maps to the moment the clock jumps past it; a
 * repeated time (fall-back) yields whichever occurrence comes first at or after `at`.
 * Throws RangeError on a malformed `hhmm` or an empty/invalid weekday list (validated
 * upstream; an impossible schedule must not silently become "never").
 */
export function nextTimeOfDay(
  at: number,
  hhmm: string,
  zone: string,
  weekdays?: readonly number[],
): number {
  const minuteOfDay = parseHhmm(hhmm);
  if (minuteOfDay === null) throw new RangeError(`invalid time of day: ${hhmm}`);
  if (
    weekdays &&
    (weekdays.length === 0 || weekdays.some((w) => !Number.isInteger(w) || w < 1 || w > 7))
  ) {
    throw new RangeError(`invalid weekdays: ${JSON.stringify(weekdays)}`);
  }
  const start = localParts(at, zone);
  // Walk local calendar dates with a UTC Date as a pure date counter (no zone involved).
  const cursor = new Date(Date.UTC(start.year, start.month - 1, start.day));
  // 8 dates: today (time may already have passed) plus a full week.
  for (let i = 0; i < 8; i++) {
    const isoWeekday = ((cursor.getUTCDay() + 6) % 7) + 1;
    if (!weekdays || weekdays.includes(isoWeekday)) {
      const hit = localInstants(
        cursor.getUTCFullYear(),
        cursor.getUTCMonth() + 1,
        cursor.getUTCDate(),
        minuteOfDay,
        zone,
      ).find((t) => t >= at);
      if (hit !== undefined) return hit;
    }
    cursor.setTime(cursor.getTime() + DAY);
  }
  // Unreachable for real zones: some allowed weekday occurs within 8 local dates.
  throw new RangeError(`no ${hhmm} found within a week in ${zone}`);
}

/** The next local midnight strictly after `at` (start of the next local calendar day). */
export function nextLocalMidnight(at: number, zone: string): number {
  const p = localParts(at, zone);
  const next = new Date(Date.UTC(p.year, p.month - 1, p.day) + DAY);
  const instants = localInstants(
    next.getUTCFullYear(),
    next.getUTCMonth() + 1,
    next.getUTCDate(),
    0,
    zone,
  );
  // Midnight can be repeated or skipped (e.g. America/Santiago); the first occurrence wins.
  return instants[0] ?? at + DAY;
}

/** Start of the local calendar day containing `at` (the jump instant where midnight is skipped). */
export function startOfLocalDay(at: number, zone: string): number {
  const p = localParts(at, zone);
  return localInstants(p.year, p.month, p.day, 0, zone)[0] ?? at;
}
