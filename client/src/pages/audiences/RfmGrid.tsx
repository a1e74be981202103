import type { RfmGrid as Grid, RfmCell, Score } from "../../api.ts";
import { formatCount } from "./conditions.ts";

const SCORES: readonly Score[] = [1, 2, 3, 4, 5];

/** Where a cell sits in the marketer's vocabulary: the corners have names. */
export function cellName(r: Score, f: Score): string | null {
  if (r <= 2 && f >= 4) return "dormant, high value";
  if (r >= 4 && f >= 4) return "champions";
  if (r >= 4 && f <= 2) return "new or occasional";
  if (r <= 2 && f <= 2) return "lost";
  return null;
}

function recencyLabel(g: Grid, r: Score): string {
  const row = g.recency.find((x) => x.score === r);
  if (!row || row.minDays === null || row.maxDays === null) return "";
  return `${row.minDays}–${row.maxDays} days`;
}

function frequencyLabel(g: Grid, f: Score): string {
  const col = g.frequency.find((x) => x.score === f);
  if (!col || col.minOrders === null || col.maxOrders === null) return "";
  return col.minOrders === col.maxOrders
    ? `${col.minOrders} order${col.minOrders === 1 ? "" : "s"}`
    : `${col.minOrders}–${col.maxOrders} orders`;
}

/**
 * Recency rows (5 = bought most recently, on top) × frequency columns (5 = most orders, on the
 * right); each cell's colour is its share of the fullest cell. Clicking one starts an audience.
 */
export function RfmGrid({ grid, onPick }: { grid: Grid; onPick: (cell: RfmCell) => void }) {
  const max = Math.max(1, ...grid.cells.map((c) => c.count));
  const at = (r: Score, f: Score) => grid.cells.find((c) => c.r === r && c.f === f);
  const money = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  return (
    <div className="rfm">
      <table className="rfm-grid" data-testid="rfm-grid">
        <caption className="sr-only">
          Contacts by recency (rows) and frequency (columns) score
        </caption>
        <thead>
          <tr>
            <th scope="col" className="rfm-corner">
              <span className="muted small">Recency ↓ · Frequency →</span>
            </th>
            {SCORES.map((f) => (
              <th key={f} scope="col">
                F{f}
                <div className="muted small">{frequencyLabel(grid, f)}</div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[...SCORES].reverse().map((r) => (
            <tr key={r}>
              <th scope="row">
                R{r}
                <div className="muted small">{recencyLabel(grid, r)}</div>
              </th>
              {SCORES.map((f) => {
                const cell = at(r, f);
                const count = cell?.count ?? 0;
                const share = count / max;
                const name = cellName(r, f);
                const avg =
                  cell?.avgMonetary == null
                    ? "no buyers"
                    : `avg spend ${money.format(cell.avgMonetary)}`;
                return (
                  <td key={f}>
                    <button
                      type="button"
                      className="rfm-cell"
                      data-r={r}
                      data-f={f}
                      disabled={!cell}
                      style={{
                        background: `rgba(79, 70, 229, ${(0.06 + share * 0.84).toFixed(3)})`,
                        color: share > 0.45 ? "#fff" : "var(--text)",
                      }}
                      title={`R${r} F${f}${name ? ` (${name})` : ""}: ${formatCount(count)} contacts, ${avg}`}
                      aria-label={`Recency ${r}, frequency ${f}${name ? `, ${name}` : ""}: ${formatCount(count)} contacts, ${avg}. Start an audience from this cell`}
                      onClick={() => cell && onPick(cell)}
                    >
                      <span className="rfm-count">{formatCount(count)}</span>
                      {name && (r === 1 || r === 5) && (f === 1 || f === 5) && (
                        <span className="rfm-name">{name}</span>
                      )}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        {formatCount(grid.buyers)} of {formatCount(grid.contacts)} contacts have purchases and a
        score · computed in {grid.ms} ms · click a cell to start an audience from it.
      </p>
    </div>
  );
}
