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
  const set = (key: number, patch: Partial<LineRow>) =>
    onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <>
      <table className="edit-table" aria-label="Opt-out lines">
        <thead>
          <tr>
            <th style={{ width: 160 }}>Locale</th>
            <th>Line appended to marketing SMS</th>
            <th>
              <span className="sr-only">Remove</span>
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
                    aria-label={`Locale of line ${i + 1}`}
                    className="mono-input"
                    placeholder="zh-CN"
                    value={r.locale}
                    disabled={disabled}
                    onChange={(e) => set(r.key, { locale: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Opt-out line for ${r.locale || `line ${i + 1}`}`}
                    placeholder="Reply STOP to opt out"
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
                    aria-label={`Remove the ${r.locale || "empty"} line`}
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
        Add a locale
      </button>
    </>
  );
}
