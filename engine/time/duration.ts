import { Duration } from "luxon";
import { addIsoDuration } from "./offsets.ts";

/**
 * A parsed, strictly positive ISO 8601 duration. Calendar units (years, months, weeks, days)
 * are kept apart from clock units because they mean different things across DST changes:
 * P1D is "same wall time tomorrow", PT24H is "24 elapsed hours".
 */
export type DurationSpec = {
  /** The source string, as given. */
  iso: string;
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
  milliseconds: number;
};

const UNITS = [
  "years",
  "months",
  "weeks",
  "days",
  "hours",
  "minutes",
  "seconds",
  "milliseconds",
] as const;

function toLuxon(iso: string): Duration | null {
  const d = Duration.fromISO(iso);
  if (!d.isValid) return null;
  const values = UNITS.map((u) => d.get(u));
  // luxon accepts "P", "PT0S" and negative components; none of them is a usable wait or window.
  if (values.some((v) => v < 0 || !Number.isFinite(v))) return null;
  if (values.every((v) => v === 0)) return null;
  return d;
}

/** Parses `PT2H`, `P3D`, `P2W`, `P1Y2M3DT4H5M6S`…; null when invalid, zero or negative. */
export function parseDuration(iso: string): DurationSpec | null {
  const d = toLuxon(iso);
  if (!d) return null;
  return {
    iso,
    years: d.get("years"),
    months: d.get("months"),
    weeks: d.get("weeks"),
    days: d.get("days"),
    hours: d.get("hours"),
    minutes: d.get("minutes"),
    seconds: d.get("seconds"),
    milliseconds: d.get("milliseconds"),
  };
}

/**
 * `at` plus the duration, computed on the calendar of `zone`: calendar units keep the local
 * wall time (P1D across spring-forward is 23 real hours), clock units are elapsed time.
 * If the wall time lands in a DST gap, it moves forward by the gap's length (luxon's rule;
 * computed in offsets.ts without luxon because this is on the ticker's hot path).
 * Throws RangeError on an invalid duration or zone: callers validate journeys first.
 */
export function addDuration(at: number, iso: string, zone: string): number {
  return addIsoDuration(at, iso, zone);
}

/**
 * APPROXIMATE length in ms, for ordering and validation only ("is this wait longer than the
 * journey's timeout?"): luxon's casual matrix, 1 month = 30 days, 1 year = 365 days, 1 day =
 * 24 h. Never use it to schedule; use `addDuration`. Null when invalid, zero or negative.
 */
export function durationMs(iso: string): number | null {
  const d = toLuxon(iso);
  return d ? d.toMillis() : null;
}
