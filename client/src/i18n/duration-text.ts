/**
 * Durations typed as people say them, back to the ISO 8601 the policy stores: "30 days",
 * "1 day 12 hours", "12h", "30天", "1天12小时", "2 周". Either language is read whatever the
 * console's language is (an operator pastes what a colleague wrote), and ISO itself ("P30D")
 * still works for those who know it. `formatDuration` (format.ts) is the other direction.
 */

type Unit = "Y" | "M" | "W" | "D" | "H" | "MIN" | "S";

/** Words for each unit, longest first within a language so "minutes" wins over "min". */
const WORDS: readonly [Unit, readonly string[]][] = [
  ["Y", ["years", "year", "yrs", "yr", "y", "年"]],
  ["M", ["months", "month", "mo", "个月", "月"]],
  ["W", ["weeks", "week", "wks", "wk", "w", "个星期", "星期", "周"]],
  ["D", ["days", "day", "d", "天", "日"]],
  ["H", ["hours", "hour", "hrs", "hr", "h", "个小时", "小时", "钟头"]],
  ["MIN", ["minutes", "minute", "mins", "min", "m", "分钟", "分"]],
  ["S", ["seconds", "second", "secs", "sec", "s", "秒钟", "秒"]],
];

const UNIT_OF = new Map<string, Unit>(WORDS.flatMap(([u, words]) => words.map((w) => [w, u])));
const ALTERNATIVES = [...UNIT_OF.keys()].sort((a, b) => b.length - a.length).join("|");
/** One "number unit" part; what lies between parts is only spaces, commas and "and". */
const PART = new RegExp(`(\\d+)\\s*(${ALTERNATIVES})(?![a-z])`, "gy");
const BETWEEN = /(?:\s|,|，|、|and\b|和|又)*/y;
const ISO = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

/**
 * The ISO duration `text` says, or null when it says something else (or a zero length: no
 * policy window or cooldown is zero long). Whole numbers only.
 */
export function parseDurationText(text: string): string | null {
  const raw = text.trim();
  if (ISO.test(raw.toUpperCase())) return /[1-9]/.test(raw) ? raw.toUpperCase() : null;
  const s = raw.toLowerCase();
  const seen = new Map<Unit, number>();
  let at = 0;
  while (at < s.length) {
    BETWEEN.lastIndex = at;
    at += BETWEEN.exec(s)?.[0].length ?? 0;
    if (at >= s.length) break;
    PART.lastIndex = at;
    const m = PART.exec(s);
    const unit = m?.[2] ? UNIT_OF.get(m[2]) : undefined;
    if (!m || !unit || seen.has(unit)) return null;
    seen.set(unit, Number(m[1]));
    at = PART.lastIndex;
  }
  if (seen.size === 0 || [...seen.values()].every((n) => n === 0)) return null;
  const part = (u: Unit, letter: string) => (seen.get(u) ? `${seen.get(u)}${letter}` : "");
  const date = part("Y", "Y") + part("M", "M") + part("W", "W") + part("D", "D");
  const time = part("H", "H") + part("MIN", "M") + part("S", "S");
  return `P${date}${time ? `T${time}` : ""}`;
}

/** The one non-duration a frequency cap's window may be: the contact's calendar day. */
export const CALENDAR_DAY = "calendar_day";
/** Ways to type it, in either language, besides the code itself. */
const CALENDAR_DAY_WORDS = new Set([CALENDAR_DAY, "calendar day", "自然日", "日历日"]);

/** The stored value `text` says: ISO, `calendar_day` where allowed, else null. */
export function durationValue(text: string, calendarDay: boolean): string | null {
  if (calendarDay && CALENDAR_DAY_WORDS.has(text.trim().toLowerCase())) return CALENDAR_DAY;
  return parseDurationText(text);
}
