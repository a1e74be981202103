import type { ConsoleLocale } from "../api.ts";

/**
 * The console's languages, in the header's order, each named in its own language (someone who
 * cannot read the current one must still find theirs). A Record, so a locale the API's schema
 * gains (server/api/admin.ts CONSOLE_LOCALES) fails the typecheck until it is listed here.
 */
const NAMES: Record<ConsoleLocale, string> = { en: "English", "zh-CN": "简体中文" };
export const LOCALES = Object.keys(NAMES) as ConsoleLocale[];
export const localeName = (l: ConsoleLocale) => NAMES[l];
export const DEFAULT_LOCALE: ConsoleLocale = "en";

export function isConsoleLocale(value: unknown): value is ConsoleLocale {
  return typeof value === "string" && (LOCALES as string[]).includes(value);
}

/**
 * The first of the browser's languages the console has: any Chinese reads the Simplified
 * catalog (the only Chinese one), any English the English one; otherwise English.
 */
export function browserLocale(languages: readonly string[]): ConsoleLocale {
  for (const tag of languages) {
    const primary = tag.toLowerCase().split("-")[0];
    if (primary === "zh") return "zh-CN";
    if (primary === "en") return "en";
  }
  return DEFAULT_LOCALE;
}
