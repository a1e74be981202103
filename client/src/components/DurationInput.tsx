import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { CALENDAR_DAY, durationValue } from "../i18n/duration-text.ts";
import { formatDuration } from "../i18n/format.ts";

/**
 * A duration typed and shown as people say it ("30 days", "30天"), stored as ISO 8601. While
 * the text says no duration, the raw text is passed up, so the form can flag the field (the
 * form's check: `durationValue(value) === value`). A language switch re-says a valid value.
 */
export function DurationInput({
  value,
  onChange,
  calendarDay = false,
  suggestions,
  label,
  disabled,
  id,
}: {
  value: string;
  onChange: (value: string) => void;
  /** Allow `calendar_day` (frequency cap windows). */
  calendarDay?: boolean;
  /** ISO values (or `calendar_day`) offered as the user types, said in the console's language. */
  suggestions: readonly string[];
  label: string;
  disabled: boolean;
  id: string;
}) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const say = (v: string) =>
    v === CALENDAR_DAY ? t("components.duration.calendarDay") : formatDuration(locale, v);
  const [text, setText] = useState(() => say(value));
  const shownFor = useRef({ value, locale });
  // `text` and `say` are read, not watched: typing must not re-format under the cursor.
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  useEffect(() => {
    // Re-say the value when it changed from outside (Reset, a save) or the language changed;
    // not while the user's own text already says it.
    const before = shownFor.current;
    shownFor.current = { value, locale };
    if (before.locale !== locale || durationValue(text, calendarDay) !== value)
      setText(value === text ? text : say(value));
  }, [value, locale]);
  return (
    <>
      <input
        id={id}
        aria-label={label}
        list={`${id}-suggestions`}
        value={text}
        disabled={disabled}
        placeholder={t("components.duration.placeholder")}
        onChange={(e) => {
          setText(e.target.value);
          onChange(durationValue(e.target.value, calendarDay) ?? e.target.value);
        }}
      />
      <datalist id={`${id}-suggestions`}>
        {suggestions.map((s) => (
          <option key={s} value={say(s)} />
        ))}
      </datalist>
    </>
  );
}
