import { type ReactNode, useEffect, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { msgKey } from "../../i18n/index.ts";
import { humanizeDuration } from "../durations.ts";
import { durationHint, durationValue, isTime } from "./labels.ts";

/**
 * Inputs for the schema-derived form. Each reports `onChange(value, mergeKey)`: typing into
 * one field merges into one undo step (the merge key), discrete choices are steps of their own.
 */
export type Change<T> = (value: T, mergeKey: string | null) => void;

export function Hint({
  text,
  tone = "muted",
}: {
  text: string | undefined;
  tone?: "muted" | "error";
}) {
  if (!text) return null;
  return <span className={`field-hint ${tone === "error" ? "error" : "muted"}`}>{text}</span>;
}

/**
 * A field: its label bound to the control by id, and hints bound by aria-describedby, so the
 * accessible name is just the label (a hint inside the <label> would become part of it).
 */
function Frame({
  label,
  hints,
  children,
  className = "field",
}: {
  label: string;
  hints: readonly { text: string | undefined; tone?: "muted" | "error" }[];
  children: (ids: { id: string; describedBy: string | undefined }) => ReactNode;
  className?: string;
}) {
  const id = useId();
  const shown = hints.filter((h) => h.text);
  const describedBy =
    shown.length > 0 ? shown.map((_, i) => `${id}-hint-${i}`).join(" ") : undefined;
  return (
    <div className={className}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children({ id, describedBy })}
      {shown.map((h, i) => (
        <span
          key={h.text}
          id={`${id}-hint-${i}`}
          className={`field-hint ${h.tone === "error" ? "error" : "muted"}`}
        >
          {h.text}
        </span>
      ))}
    </div>
  );
}

export function TextInput({
  label,
  value,
  onChange,
  mergeKey,
  hint,
  list,
  placeholder,
  multiline = false,
}: {
  label: string;
  value: string;
  onChange: Change<string>;
  mergeKey: string;
  hint?: string | undefined;
  list?: string;
  placeholder?: string;
  multiline?: boolean;
}) {
  return (
    <Frame label={label} hints={[{ text: hint }]}>
      {({ id, describedBy }) =>
        multiline ? (
          <textarea
            id={id}
            aria-describedby={describedBy}
            value={value}
            rows={4}
            onChange={(e) => onChange(e.target.value, mergeKey)}
          />
        ) : (
          <input
            id={id}
            aria-describedby={describedBy}
            value={value}
            list={list}
            placeholder={placeholder}
            spellCheck={false}
            onChange={(e) => onChange(e.target.value, mergeKey)}
          />
        )
      }
    </Frame>
  );
}

export function DurationInput({
  label,
  value,
  onChange,
  mergeKey,
  hint,
}: {
  label: string;
  value: string;
  onChange: Change<string>;
  mergeKey: string;
  hint?: string | undefined;
}) {
  const { t } = useTranslation();
  // While the field has focus it shows what is being typed; otherwise the stored ISO value as
  // people say it ("1 hour" / "1小时"), never "PT1H".
  const [typed, setTyped] = useState<string | null>(null);
  const shown = typed ?? humanizeDuration(value) ?? value;
  const read = durationHint(value, shown);
  return (
    <Frame
      label={label}
      hints={[
        { text: read.text, tone: read.ok || value === "" ? "muted" : "error" },
        { text: hint },
      ]}
    >
      {({ id, describedBy }) => (
        <input
          id={id}
          aria-describedby={describedBy}
          value={shown}
          placeholder={t("panel.duration.placeholder")}
          spellCheck={false}
          aria-invalid={!read.ok}
          onFocus={() => setTyped(shown)}
          onBlur={() => setTyped(null)}
          onChange={(e) => {
            setTyped(e.target.value);
            onChange(durationValue(e.target.value), mergeKey);
          }}
        />
      )}
    </Frame>
  );
}

export function TimeInput({
  label,
  value,
  onChange,
  mergeKey,
}: {
  label: string;
  value: string;
  onChange: Change<string>;
  mergeKey: string;
}) {
  const { t } = useTranslation();
  const ok = isTime(value);
  const hint = ok ? t("panel.time.hint") : t("panel.time.invalid");
  return (
    <Frame label={label} hints={[{ text: hint, tone: ok ? "muted" : "error" }]}>
      {({ id, describedBy }) => (
        <input
          id={id}
          aria-describedby={describedBy}
          className="mono-input"
          value={value}
          placeholder="10:00"
          inputMode="numeric"
          aria-invalid={!ok}
          onChange={(e) => onChange(e.target.value, mergeKey)}
        />
      )}
    </Frame>
  );
}

/**
 * A number field that lets the user pass through invalid text ("", "-") while typing and
 * commits only numbers; the document never holds NaN.
 */
export function NumberInput({
  label,
  value,
  onChange,
  mergeKey,
  min,
  max,
  int,
  hint,
}: {
  label: string;
  value: number | undefined;
  onChange: Change<number | undefined>;
  mergeKey: string;
  min: number | null;
  max: number | null;
  int: boolean;
  hint?: string | undefined;
}) {
  const [text, setText] = useState(value === undefined ? "" : String(value));
  useEffect(() => {
    setText((t) =>
      Number(t) === value && t.trim() !== "" ? t : value === undefined ? "" : String(value),
    );
  }, [value]);
  return (
    <Frame label={label} hints={[{ text: hint }]}>
      {({ id, describedBy }) => (
        <input
          id={id}
          aria-describedby={describedBy}
          type="number"
          value={text}
          min={min ?? undefined}
          max={max ?? undefined}
          step={int ? 1 : "any"}
          onChange={(e) => {
            setText(e.target.value);
            if (e.target.value.trim() === "") onChange(undefined, mergeKey);
            else if (Number.isFinite(e.target.valueAsNumber))
              onChange(e.target.valueAsNumber, mergeKey);
          }}
        />
      )}
    </Frame>
  );
}

export function Toggle({
  label,
  checked,
  onChange,
  hint,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: string | undefined;
}) {
  const hintId = useId();
  return (
    <div className="field">
      <label className="toggle">
        <input
          type="checkbox"
          role="switch"
          aria-checked={checked}
          checked={checked}
          aria-describedby={hint ? hintId : undefined}
          onChange={(e) => onChange(e.target.checked)}
        />
        <span className="toggle-track" aria-hidden />
        <span className="field-label">{label}</span>
      </label>
      {hint && (
        <span id={hintId} className="field-hint muted">
          {hint}
        </span>
      )}
    </div>
  );
}

export function Select({
  label,
  value,
  options,
  onChange,
  hint,
}: {
  label: string;
  value: string;
  options: readonly { value: string; label: string }[];
  onChange: (value: string) => void;
  hint?: string | undefined;
}) {
  return (
    <Frame label={label} hints={[{ text: hint }]}>
      {({ id, describedBy }) => (
        <select
          id={id}
          aria-describedby={describedBy}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Frame>
  );
}

const DAYS = [
  msgKey("panel.weekday.1"),
  msgKey("panel.weekday.2"),
  msgKey("panel.weekday.3"),
  msgKey("panel.weekday.4"),
  msgKey("panel.weekday.5"),
  msgKey("panel.weekday.6"),
  msgKey("panel.weekday.7"),
];

/** ISO weekdays 1-7 as toggle buttons; none selected = every day (the field is unset). */
export function WeekdaysInput({
  label,
  value,
  onChange,
  hint,
}: {
  label: string;
  value: readonly number[] | undefined;
  onChange: (value: number[] | undefined) => void;
  hint?: string | undefined;
}) {
  const { t } = useTranslation();
  const on = new Set(value ?? []);
  return (
    <fieldset className="field weekdays">
      <legend className="field-label">{label}</legend>
      <div className="weekday-row">
        {DAYS.map((day, i) => {
          const iso = i + 1;
          return (
            <button
              key={day}
              type="button"
              className="chip"
              aria-pressed={on.has(iso)}
              onClick={() => {
                const next = new Set(on);
                if (next.has(iso)) next.delete(iso);
                else next.add(iso);
                onChange(next.size === 0 ? undefined : [...next].sort((a, b) => a - b));
              }}
            >
              {t(day)}
            </button>
          );
        })}
      </div>
      <Hint text={hint} />
    </fieldset>
  );
}
