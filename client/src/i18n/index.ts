import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import type { ConsoleLocale } from "../api.ts";
import en from "./catalogs/en.json";
import zhCN from "./catalogs/zh-CN.json";
import { browserLocale, isConsoleLocale } from "./locales.ts";

/*
 * One i18next instance for the console. Catalogs are bundled (two small JSON files), so the
 * first paint is already in the right language: no loading state, no flash of English.
 *
 * Plurals use i18next's own suffixes (`key_one`, `key_other`, chosen by `Intl.PluralRules`)
 * rather than ICU message syntax through i18next-icu: the catalogs stay flat JSON a translator
 * edits without a parser, `count` picks the form in both languages (Chinese has only `other`),
 * and the catalog check (scripts/i18n-catalogs.ts) can match keys without parsing ICU.
 */

/**
 * Where this browser keeps the last language chosen (the header's switch, or the sign-in
 * page's), so the sign-in page after a sign-out keeps it; the operator's own choice, saved on
 * the server, wins once signed in.
 */
const STORED = "waymark.locale";

function initialLocale(): ConsoleLocale {
  const stored = globalThis.localStorage?.getItem(STORED);
  if (isConsoleLocale(stored)) return stored;
  return browserLocale(globalThis.navigator?.languages ?? []);
}

export const i18n = i18next.createInstance();
void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, "zh-CN": { translation: zhCN } },
  lng: initialLocale(),
  fallbackLng: "en",
  // React escapes what it renders; escaping here too would show `&amp;`.
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});
syncDocument();

function syncDocument() {
  if (typeof document !== "undefined") document.documentElement.lang = i18n.language;
}

/** The console's language now. */
export function currentLocale(): ConsoleLocale {
  return isConsoleLocale(i18n.language) ? i18n.language : "en";
}

/**
 * Shows the console in `locale`, the operator's remembered choice. Null (they never chose)
 * follows this browser: a language picked on its sign-in page, else its own language.
 * Components re-render through react-i18next.
 */
export async function applyLocale(locale: ConsoleLocale | null): Promise<void> {
  if (locale) globalThis.localStorage?.setItem(STORED, locale);
  const next = locale ?? initialLocale();
  if (next !== i18n.language) await i18n.changeLanguage(next);
  syncDocument();
}

/**
 * Marks a catalog key chosen at run time (`t(LABELS[status])`), so the catalog check
 * (scripts/i18n-catalogs.ts) sees it: the check reads t and msgKey calls of string literals
 * only, and refuses a `t()` of a template string it cannot read.
 */
export const msgKey = <K extends string>(key: K): K => key;
