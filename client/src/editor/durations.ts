import { parseDuration } from "../../../engine/time/index.ts";
import { currentLocale, i18n, msgKey } from "../i18n/index.ts";

/*
 * Durations as people say them, in the console's language: the journey format keeps ISO 8601
 * (`PT1H`), the canvas and the forms say "1 hour" / "1小时" and read back what people type
 * ("2 days", "1 天 12 小时", or the ISO text itself).
 */

const UNITS = [
  ["years", "year", msgKey("editor.unit.year")],
  ["months", "month", msgKey("editor.unit.month")],
  ["weeks", "week", msgKey("editor.unit.week")],
  ["days", "day", msgKey("editor.unit.day")],
  ["hours", "hour", msgKey("editor.unit.hour")],
  ["minutes", "minute", msgKey("editor.unit.minute")],
  ["seconds", "second", msgKey("editor.unit.second")],
] as const;

/**
 * "PT1H" → "1 hour" / "1小时", "P1DT12H" → "1 day 12 hours" / "1天12小时"; `short` gives the
 * card's "1 d 12 h" / "1天12小时". Null when the duration is not valid (the form says so).
 */
export function humanizeDuration(iso: string, short = false): string | null {
  const d = parseDuration(iso);
  if (!d) return null;
  const locale = currentLocale();
  const parts: string[] = [];
  for (const [key, unit, abbr] of UNITS) {
    const n = d[key];
    if (n === 0) continue;
    parts.push(
      short
        ? i18n.t(abbr, { n })
        : new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "long" }).format(n),
    );
  }
  return new Intl.ListFormat(locale, { type: "unit", style: "narrow" }).format(parts);
}

/** Short form for node cards ("1 d 12 h"), the ISO text when it does not parse. */
export const shortDuration = (iso: string) => humanizeDuration(iso, true) ?? iso;

/** Unit words people type, English and Chinese, longest first so "min" wins over "m". */
const SPOKEN: readonly [RegExp, "Y" | "MO" | "W" | "D" | "H" | "M" | "S"][] = [
  [/^(?:years?|yrs?|y|年)$/i, "Y"],
  [/^(?:months?|mos?|个月|月)$/i, "MO"],
  [/^(?:weeks?|wks?|w|周|星期|个星期)$/i, "W"],
  [/^(?:days?|d|天|日)$/i, "D"],
  [/^(?:hours?|hrs?|h|小时|个小时|时)$/i, "H"],
  [/^(?:minutes?|mins?|m|分钟|分)$/i, "M"],
  [/^(?:seconds?|secs?|s|秒|秒钟)$/i, "S"],
];

/**
 * What a person typed as an ISO duration: "2 days" → "P2D", "1小时30分钟" → "PT1H30M";
 * ISO text is kept (upper-cased). Null when it is neither (the form keeps the text and
 * validation flags it).
 */
export function parseSpokenDuration(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  if (/^p/i.test(trimmed))
    return parseDuration(trimmed.toUpperCase()) ? trimmed.toUpperCase() : null;
  const amounts = new Map<string, number>();
  const rest = trimmed
    .replace(/(\d+)\s*([a-z]+|[\u4e00-\u9fff]+)/gi, (_, n: string, word: string) => {
      const unit = SPOKEN.find(([re]) => re.test(word))?.[1];
      if (!unit || amounts.has(unit)) return "\u0000";
      amounts.set(unit, Number(n));
      return "";
    })
    .replace(/,|、|，|\band\b|和|又|\s/gi, "");
  if (rest !== "" || amounts.size === 0) return null;
  const get = (u: string) => (amounts.get(u) ? `${amounts.get(u)}${u === "MO" ? "M" : u}` : "");
  const date = ["Y", "MO", "W", "D"].map(get).join("");
  const time = ["H", "M", "S"].map(get).join("");
  const iso = `P${date}${time ? `T${time}` : ""}`;
  return parseDuration(iso) ? iso : null;
}
