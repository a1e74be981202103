import { useTranslation } from "react-i18next";
import { type LineRow, newLineRow } from "./policy-form.ts";

/** Opt-out lines per locale: the text appended to every marketing SMS in that language. */
export function OptOutLines({
  rows,
  onChange,
  problems,
  disabled,
}: {
  rows: readonly LineRow[];
  onChange: (rows: LineRow[]) => void;
  problems: ReadonlyMap<string, string>;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  const set = (key: number, patch: Partial<LineRow>) =>
    onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <>
      <table className="edit-table" aria-label={t("settings.lines.title")}>
        <thead>
          <tr>
            <th style={{ width: 160 }}>{t("settings.lines.col.locale")}</th>
            <th>{t("settings.lines.col.line")}</th>
            <th>
              <span className="sr-only">{t("settings.caps.col.remove")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => {
            const problem =
              problems.get(`optOutLines.${r.locale.trim()}`) ?? problems.get(`optOutLines.${i}`);
            return (
              <tr key={r.key}>
                <td>
                  <input
                    aria-label={t("settings.lines.aria.locale", { n: i + 1 })}
                    className="mono-input"
                    placeholder="zh-CN"
                    value={r.locale}
                    disabled={disabled}
                    onChange={(e) => set(r.key, { locale: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    aria-label={t("settings.lines.aria.line", {
                      locale: r.locale || t("settings.lines.aria.lineN", { n: i + 1 }),
                    })}
                    placeholder={t("settings.lines.placeholder")}
                    value={r.line}
                    disabled={disabled}
                    onChange={(e) => set(r.key, { line: e.target.value })}
                  />
                  {problem && <span className="field-error">{problem}</span>}
                </td>
                <td>
                  <button
                    type="button"
                    className="ghost"
                    disabled={disabled}
                    aria-label={t("settings.lines.aria.remove", {
                      locale: r.locale || t("settings.lines.aria.empty"),
                    })}
                    onClick={() => onChange(rows.filter((x) => x.key !== r.key))}
                  >
                    ×
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <button type="button" disabled={disabled} onClick={() => onChange([...rows, newLineRow()])}>
        {t("settings.lines.add")}
      </button>
    </>
  );
}
