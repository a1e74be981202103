import { CATEGORIES, type CapRule, type Category, CHANNELS, type Channel } from "../../api.ts";
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
  const set = (i: number, patch: Partial<CapRule>) =>
    onChange(caps.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  return (
    <>
      {caps.length === 0 ? (
        <p className="muted small">No caps: every message a journey sends goes out.</p>
      ) : (
        <table className="edit-table" aria-label="Frequency caps">
          <thead>
            <tr>
              <th>Channel</th>
              <th>Category</th>
              <th>At most</th>
              <th>Per window</th>
              <th>Over the cap</th>
              <th>
                <span className="sr-only">Remove</span>
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
                      aria-label={`Cap ${i + 1} channel`}
                      value={c.channel}
                      disabled={disabled}
                      onChange={(e) => set(i, { channel: e.target.value as Channel })}
                    >
                      {CHANNELS.map((ch) => (
                        <option key={ch} value={ch}>
                          {ch.toUpperCase()}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <select
                      aria-label={`Cap ${i + 1} category`}
                      value={c.category}
                      disabled={disabled}
                      onChange={(e) => set(i, { category: e.target.value as Category })}
                    >
                      {CATEGORIES.map((cat) => (
                        <option key={cat} value={cat}>
                          {cat}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input
                      aria-label={`Cap ${i + 1} maximum`}
                      type="number"
                      min={0}
                      value={Number.isFinite(c.max) ? c.max : ""}
                      disabled={disabled}
                      onChange={(e) => set(i, { max: e.target.valueAsNumber })}
                    />
                  </td>
                  <td>
                    <input
                      aria-label={`Cap ${i + 1} window`}
                      className="mono-input"
                      list="cap-windows"
                      value={c.window}
                      disabled={disabled}
                      onChange={(e) => set(i, { window: e.target.value.trim() })}
                    />
                    {problem && <span className="field-error">{problem}</span>}
                  </td>
                  <td>
                    <select
                      aria-label={`Cap ${i + 1} over the cap`}
                      value={c.onExceed}
                      disabled={disabled}
                      onChange={(e) =>
                        set(i, { onExceed: e.target.value === "suppress" ? "suppress" : "defer" })
                      }
                    >
                      <option value="defer">defer (send later)</option>
                      <option value="suppress">suppress (skip)</option>
                    </select>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="ghost"
                      disabled={disabled}
                      aria-label={`Remove cap ${i + 1}`}
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
      <datalist id="cap-windows">
        {WINDOW_SUGGESTIONS.map((w) => (
          <option key={w} value={w} />
        ))}
      </datalist>
      <button type="button" disabled={disabled} onClick={() => onChange([...caps, newCap()])}>
        Add a cap
      </button>
    </>
  );
}
