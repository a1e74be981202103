import { useTranslation } from "react-i18next";

/**
 * Dates, numbers, durations and relative times for the console's language, all through `Intl`:
 * the one place pages format them, so "3 分钟前" and "3 minutes ago", "1 小时" and "1 hour"
 * follow the header's language switch. Durations are ISO 8601 in the journey format (`PT1H`)
 * and never shown that way.
 */

type When = string | number | Date;

const toDate = (v: When) => (v instanceof Date ? v : new Date(v));

export function formatNumber(locale: string, n: number, options?: Intl.NumberFormatOptions) {
  return new Intl.NumberFormat(locale, options).format(n);
}

/** A share in 0..1 as "12.5%"; one decimal at most. */
export function formatPercent(locale: string, share: number) {
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(
    share,
  );
}

/**
 * "Dec 6, 2026, 14:03" / "2026年12月6日 14:03". With `zoneName`, the zone is said ("GMT+8"):
 * in `timeZone` (a contact's) when given, else the viewer's own.
 */
export function formatDateTime(
  locale: string,
  value: When,
  { timeZone, zoneName = false }: { timeZone?: string | undefined; zoneName?: boolean } = {},
) {
  const d = toDate(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    ...(timeZone ? { timeZone } : {}),
    ...(timeZone || zoneName ? { timeZoneName: "short" } : {}),
  }).format(d);
}

/**
 * A timeline's time: "14:03:07" today, "Mar 3, 14:03" / "3月3日 14:03" otherwise (the timeline
 * is read as a story of the day).
 */
export function formatShortTime(locale: string, value: When, now = new Date()) {
  const d = toDate(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const sameDay = d.toDateString() === now.toDateString();
  return new Intl.DateTimeFormat(
    locale,
    sameDay
      ? { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }
      : { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
  ).format(d);
}

const RELATIVE_STEPS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 7],
  ["week", 4.35],
  ["month", 12],
  ["year", Number.POSITIVE_INFINITY],
];

/** "3 minutes ago", "in 2 hours", "昨天": the largest unit that keeps the number above one. */
export function formatRelative(locale: string, value: When, now = new Date()) {
  const d = toDate(value);
  if (Number.isNaN(d.getTime())) return String(value);
  let amount = (d.getTime() - now.getTime()) / 1000;
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(amount) < size) return rtf.format(Math.round(amount), unit);
    amount /= size;
  }
  return rtf.format(Math.round(amount), "year");
}

const DURATION =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const DURATION_UNITS = ["year", "month", "week", "day", "hour", "minute", "second"] as const;

/**
 * An ISO 8601 duration as people say it: "PT1H" → "1 hour" / "1小时", "P1DT12H" → "1 day, 12
 * hours" / "1天12小时". Anything else (a half-typed form value) is shown as it is.
 */
export function formatDuration(locale: string, iso: string) {
  const m = DURATION.exec(iso.trim());
  if (!m || iso.trim() === "P" || iso.trim().endsWith("T")) return iso;
  const parts = DURATION_UNITS.flatMap((unit, i) => {
    const n = Number(m[i + 1] ?? 0);
    return n > 0
      ? [new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "long" }).format(n)]
      : [];
  });
  if (parts.length === 0)
    return new Intl.NumberFormat(locale, {
      style: "unit",
      unit: "second",
      unitDisplay: "long",
    }).format(0);
  return new Intl.ListFormat(locale, { type: "unit", style: "long" }).format(parts);
}

/** The formatters bound to the console's language now; components re-render on a switch. */
export function useFormat() {
  const { i18n } = useTranslation();
  const locale = i18n.language;
  return {
    locale,
    number: (n: number, options?: Intl.NumberFormatOptions) => formatNumber(locale, n, options),
    percent: (share: number) => formatPercent(locale, share),
    dateTime: (v: When) => formatDateTime(locale, v),
    shortTime: (v: When) => formatShortTime(locale, v),
    relative: (v: When) => formatRelative(locale, v),
    duration: (iso: string) => formatDuration(locale, iso),
  };
}
