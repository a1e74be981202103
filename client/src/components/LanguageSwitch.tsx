import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, type ConsoleLocale } from "../api.ts";
import { applyLocale, currentLocale } from "../i18n/index.ts";
import { isConsoleLocale, LOCALES, localeName } from "../i18n/locales.ts";

/**
 * The header's language switch. The console changes at once; when signed in (`remember`), the
 * choice is saved on the operator (PATCH /api/me), so their next session on any browser opens
 * in it. The sign-in page switches for this browser only.
 */
export function LanguageSwitch({ remember }: { remember: boolean }) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);

  async function choose(locale: ConsoleLocale) {
    setError(null);
    await applyLocale(locale);
    if (!remember) return;
    try {
      await api.setLocale(locale);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t("common.cannotReach"));
    }
  }

  return (
    <span className="language-switch">
      <select
        aria-label={t("header.language")}
        value={currentLocale()}
        onChange={(e) => {
          if (isConsoleLocale(e.target.value)) void choose(e.target.value);
        }}
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {localeName(l)}
          </option>
        ))}
      </select>
      {error && (
        <span className="error small" role="alert">
          {t("header.languageNotSaved", { message: error })}
        </span>
      )}
    </span>
  );
}
