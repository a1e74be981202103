import { useTranslation } from "react-i18next";
import { CATEGORIES, type CapRule, type Category, CHANNELS, type Channel } from "../../api.ts";
import { DurationInput } from "../../components/DurationInput.tsx";
import { CATEGORY_LABELS, CHANNEL_TAGS } from "../../i18n/labels.ts";
import { newCap, WINDOW_SUGGESTIONS } from "./policy-form.ts";

/** Frequency caps as an editable table: one row per channel × category limit. */
export function CapsTable({
  caps,
  onChange,
  problems,
  disabled,
}: {
  caps: readonly CapRule[];
  onChange: (caps: CapRule[]) => void;
  problems: ReadonlyMap<string, string>;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  const set = (i: number, patch: Partial<CapRule>) =>
    onChange(caps.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  return (
    <>
      {caps.length === 0 ? (
        <p className="muted small">{t("settings.caps.none")}</p>
      ) : (
        <table className="edit-table" aria-label={t("settings.caps.title")}>
          <thead>
            <tr>
              <th>{t("settings.caps.col.channel")}</th>
              <th>{t("settings.caps.col.category")}</th>
              <th>{t("settings.caps.col.max")}</th>
              <th>{t("settings.caps.col.window")}</th>
              <th>{t("settings.caps.col.over")}</th>
              <th>
                <span className="sr-only">{t("settings.caps.col.remove")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {caps.map((c, i) => {
              const problem =
                problems.get(`caps.${i}`) ??
                problems.get(`caps.${i}.max`) ??
                problems.get(`caps.${i}.window`);
              return (
                // Caps have no id; position is their identity while editing.
                // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place
                <tr key={i}>
                  <td>
                    <select
                      aria-label={t("settings.caps.aria.channel", { n: i + 1 })}
                      value={c.channel}
                      disabled={disabled}
                      onChange={(e) => set(i, { channel: e.target.value as Channel })}
                    >
                      {CHANNELS.map((ch) => (
                        <option key={ch} value={ch}>
                          {t(CHANNEL_TAGS[ch])}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <select
                      aria-label={t("settings.caps.aria.category", { n: i + 1 })}
                      value={c.category}
                      disabled={disabled}
                      onChange={(e) => set(i, { category: e.target.value as Category })}
                    >
                      {CATEGORIES.map((cat) => (
                        <option key={cat} value={cat}>
                          {t(CATEGORY_LABELS[cat])}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input
                      aria-label={t("settings.caps.aria.max", { n: i + 1 })}
                      type="number"
                      min={0}
                      value={Number.isFinite(c.max) ? c.max : ""}
                      disabled={disabled}
                      onChange={(e) => set(i, { max: e.target.valueAsNumber })}
                    />
                  </td>
                  <td>
                    <DurationInput
                      id={`cap-${i}-window`}
                      label={t("settings.caps.aria.window", { n: i + 1 })}
                      value={c.window}
                      calendarDay
                      suggestions={WINDOW_SUGGESTIONS}
                      disabled={disabled}
                      onChange={(window) => set(i, { window })}
                    />
                    {problem && <span className="field-error">{problem}</span>}
                  </td>
                  <td>
                    <select
                      aria-label={t("settings.caps.aria.over", { n: i + 1 })}
                      value={c.onExceed}
                      disabled={disabled}
                      onChange={(e) =>
                        set(i, { onExceed: e.target.value === "suppress" ? "suppress" : "defer" })
                      }
                    >
                      <option value="defer">{t("settings.caps.defer")}</option>
                      <option value="suppress">{t("settings.caps.suppress")}</option>
                    </select>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="ghost"
                      disabled={disabled}
                      aria-label={t("settings.caps.aria.remove", { n: i + 1 })}
                      onClick={() => onChange(caps.filter((_, j) => j !== i))}
                    >
                      ×
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <button type="button" disabled={disabled} onClick={() => onChange([...caps, newCap()])}>
        {t("settings.caps.add")}
      </button>
    </>
  );
}
