import { localInstants, localParts, parseHhmm } from "./time/index.ts";

/**
 * Date attributes (`birthday`, `renewal_date`, `last_purchase_at`) come from customers'
 * systems in several shapes. A calendar date ("1990-05-17") has no instant until we pick a
 * local time in the contact's zone; a date-time ("2025-05-01T10:00:00Z") or epoch ms is an
 * instant already.
 */
export type DateValue =
  | { kind: "date"; year: number; month: number; day: number }
  | { kind: "instant"; at: number };

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseDateValue(value: unknown): DateValue | null {
  if (typeof value === "number" && Number.isFinite(value)) return { kind: "instant", at: value };
  if (typeof value !== "string") return null;
  const m = DATE_ONLY.exec(value.trim());
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    if (month < 1 || month > 12 || day < 1 || day > 31) return null;
    return { kind: "date", year, month, day };
  }
  const at = Date.parse(value);
  return Number.isFinite(at) ? { kind: "instant", at } : null;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The instant a calendar date (shifted by `offsetDays`) reads `hhmm` in `zone`. Feb 29 in a
 * non-leap year becomes Feb 28 (a birthday is celebrated, not skipped).
 */
export function localDateAt(
  year: number,
  month: number,
  day: number,
  offsetDays: number,
  hhmm: string,
  zone: string,
): number {
  const clamped = Math.min(day, daysInMonth(year, month));
  // A UTC Date is used as a pure calendar counter for the day offset.
  const d = new Date(Date.UTC(year, month - 1, clamped) + offsetDays * 86_400_000);
  const minute = parseHhmm(hhmm) ?? 9 * 60;
  const instants = localInstants(
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    minute,
    zone,
  );
  return instants[0] ?? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** The date value as an instant: a calendar date at `hhmm` local time, or the instant itself. */
export function dateValueAt(v: DateValue, hhmm: string, zone: string): number {
  return v.kind === "instant" ? v.at : localDateAt(v.year, v.month, v.day, 0, hhmm, zone);
}

/** The calendar date (in `zone`) of a date value. */
export function calendarDate(
  v: DateValue,
  zone: string,
): { year: number; month: number; day: number } {
  if (v.kind === "date") return v;
  const p = localParts(v.at, zone);
  return { year: p.year, month: p.month, day: p.day };
}
