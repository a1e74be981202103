/**
 * The opt-out line appended to every promotional SMS. Chinese defaults follow the source
 * articles ("回TD退订"); English follows US carrier practice.
 */
export const DEFAULT_OPT_OUT_LINES: Readonly<Record<string, string>> = {
  en: "Reply STOP to opt out",
  zh: "回TD退订",
  "zh-CN": "回TD退订",
  "zh-Hans": "回TD退订",
  "zh-TW": "回TD退訂",
  "zh-HK": "回TD退訂",
  "zh-Hant": "回TD退訂",
  ja: "配信停止はSTOPと返信",
  es: "Responde STOP para darte de baja",
  fr: "Répondez STOP pour vous désabonner",
  de: "Antworte STOP zum Abbestellen",
  pt: "Responda STOP para cancelar",
};

function lookup(table: Readonly<Record<string, string>>, tag: string): string | undefined {
  const wanted = tag.toLowerCase();
  for (const [key, line] of Object.entries(table)) {
    if (key.toLowerCase() === wanted) return line;
  }
  return undefined;
}

/**
 * "zh_Hant_TW" → ["zh-Hant-TW", "zh-Hant", "zh-TW", "zh"]: most specific first. A send's
 * variant is chosen by the same chain (engine/nodes/send-variants.ts), so a contact's message
 * and its opt-out line fall back alike. A script subtag (four letters, BCP 47) is also dropped
 * on its own: a phone reporting "zh-Hans-CN" reads the workspace's "zh-CN" message rather than
 * falling past it to "zh" or the default.
 */
export function candidates(locale: string): string[] {
  const parts = locale.trim().replaceAll("_", "-").split("-").filter(Boolean);
  const out: string[] = [];
  for (let n = parts.length; n > 0; n--) {
    out.push(parts.slice(0, n).join("-"));
    const [language, script, region] = parts;
    if (n === 2 && parts.length >= 3 && /^[a-z]{4}$/i.test(script ?? "") && region)
      out.push(`${language}-${region}`);
  }
  return out;
}

/**
 * The line for a contact's locale: exact tag, then shorter tags down to the language, then the
 * same for `fallbackLocale`. Within the contact's locale, any workspace override (exact or
 * language-level) beats every default, so a workspace can override "zh" without restating
 * "zh-CN"; but a default in the contact's language beats an override for the fallback
 * language (a Chinese reader gets Chinese). Matching is case-insensitive and accepts "_"
 * ("zh_cn"). Last resort is the English default: a promotional SMS never goes out without one.
 */
export function optOutLineFor(
  locale: string | null | undefined,
  overrides?: Readonly<Record<string, string>>,
  fallbackLocale = "en",
): string {
  // Every promotional send asks, with the same few locales and the policy's one overrides
  // object: remember the answers per overrides object (the ticker's profile showed the lookup
  // at ~3 µs per send). A new policy object gets a new memo.
  const memo = memoFor(overrides);
  const key = `${locale ?? ""}|${fallbackLocale}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  const line = resolveLine(locale, overrides, fallbackLocale);
  if (memo.size < 1_000) memo.set(key, line);
  return line;
}

const NO_OVERRIDES: Readonly<Record<string, string>> = {};
const memos = new WeakMap<object, Map<string, string>>();

function memoFor(overrides: Readonly<Record<string, string>> | undefined): Map<string, string> {
  const owner = overrides ?? NO_OVERRIDES;
  let memo = memos.get(owner);
  if (!memo) {
    memo = new Map();
    memos.set(owner, memo);
  }
  return memo;
}

function resolveLine(
  locale: string | null | undefined,
  overrides: Readonly<Record<string, string>> | undefined,
  fallbackLocale: string,
): string {
  for (const tags of [locale ? candidates(locale) : [], candidates(fallbackLocale)]) {
    for (const table of [overrides ?? {}, DEFAULT_OPT_OUT_LINES]) {
      for (const tag of tags) {
        const line = lookup(table, tag);
        if (line?.trim()) return line;
      }
    }
  }
  return DEFAULT_OPT_OUT_LINES.en ?? "Reply STOP to opt out";
}

const CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * Appends the opt-out line once. Separator rule: a single space when the line starts with a
 * CJK character (Chinese/Japanese SMS are one paragraph, and the space keeps a trailing
 * short link from swallowing the line, which would break the URL), otherwise a newline (the
 * Latin convention of a footer line; same cost in GSM-7 as a space). Trailing whitespace of
 * the body is dropped first. Idempotent: a body that already ends with the line (compared
 * after NFKC, so full-width variants count) is returned unchanged.
 */
export function appendOptOut(body: string, line: string): string {
  const trimmedLine = line.trim();
  const trimmedBody = body.trimEnd();
  if (trimmedLine === "") return body;
  if (trimmedBody === "") return trimmedLine;
  if (trimmedBody.normalize("NFKC").endsWith(trimmedLine.normalize("NFKC"))) return trimmedBody;
  const separator = CJK.test(trimmedLine) ? " " : "\n";
  return `${trimmedBody}${separator}${trimmedLine}`;
}
