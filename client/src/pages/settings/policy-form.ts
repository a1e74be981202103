import type { TFunction } from "i18next";
import type { CapRule, Category, Policy } from "../../api.ts";
import { CALENDAR_DAY, durationValue } from "../../i18n/duration-text.ts";

/**
 * The Settings form's pure parts: opt-out lines as editable rows (a record cannot hold two rows
 * being typed with the same locale), checks the server would also make but worth saying before
 * a round trip, and the server's problems grouped by the field they belong to.
 */
export interface LineRow {
  /** Stable React key: a row keeps its identity while its locale is being retyped. */
  key: number;
  locale: string;
  line: string;
}

let nextKey = 1;
export function lineRows(lines: Record<string, string>): LineRow[] {
  return Object.entries(lines)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([locale, line]) => ({ key: nextKey++, locale, line }));
}
export function newLineRow(): LineRow {
  return { key: nextKey++, locale: "", line: "" };
}

export function linesFromRows(rows: readonly LineRow[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows) {
    const locale = r.locale.trim();
    if (locale) out[locale] = r.line.trim();
  }
  return out;
}

export function newCap(): CapRule {
  return { channel: "sms", category: "promotional", max: 1, window: "P1D", onExceed: "defer" };
}

export const WINDOW_SUGGESTIONS = [CALENDAR_DAY, "P1D", "P7D", "P30D", "PT12H"] as const;
export const COOLDOWN_SUGGESTIONS = ["P7D", "P14D", "P30D", "P90D"] as const;

/** A window or cooldown as stored: what its DurationInput passed up when the text said one. */
const saysDuration = (value: string, calendarDay: boolean) =>
  durationValue(value, calendarDay) === value;

/**
 * Problems found before saving, keyed like the server's paths ("optOutLines.zh-CN"), in the
 * console's language. The server's own problems arrive in English (problemMap).
 */
export function localProblems(
  t: TFunction,
  policy: Policy,
  rows: readonly LineRow[],
): Map<string, string> {
  const out = new Map<string, string>();
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    const locale = r.locale.trim();
    if (!locale && !r.line.trim()) return;
    if (!locale) out.set(`optOutLines.${i}`, t("settings.problem.noLocale"));
    else if (seen.has(locale))
      out.set(`optOutLines.${locale}`, t("settings.problem.twice", { locale }));
    else if (!r.line.trim()) out.set(`optOutLines.${locale}`, t("settings.problem.emptyLine"));
    seen.add(locale);
  });
  if (policy.quietHours && policy.quietHours.start === policy.quietHours.end)
    out.set("quietHours", t("settings.problem.sameTime"));
  policy.caps.forEach((c, i) => {
    if (!Number.isInteger(c.max) || c.max < 0)
      out.set(`caps.${i}.max`, t("settings.problem.wholeNumber"));
    if (!saysDuration(c.window, true)) out.set(`caps.${i}.window`, t("settings.problem.duration"));
  });
  if (policy.unopenedStreak && !saysDuration(policy.unopenedStreak.cooldown, false))
    out.set("unopenedStreak.cooldown", t("settings.problem.duration"));
  return out;
}

/** Server problems ({path: "caps.0.window"}) into a map; unknown paths stay under their text. */
export function problemMap(problems: readonly { path: string; message: string }[]) {
  const out = new Map<string, string>();
  for (const p of problems) {
    // The body is `{ policy }`: strip that prefix so paths match the form's fields.
    const path = p.path.replace(/^policy\.?/, "");
    out.set(path, out.has(path) ? `${out.get(path)}; ${p.message}` : p.message);
  }
  return out;
}

export function toggle(list: readonly Category[], c: Category, on: boolean): Category[] {
  return on ? [...new Set([...list, c])] : list.filter((x) => x !== c);
}
