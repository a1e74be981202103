import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import type { RfmGrid as Grid, RfmCell, Score } from "../../api.ts";
import { msgKey } from "../../i18n/index.ts";
import { formatCount } from "./conditions.ts";

const SCORES: readonly Score[] = [1, 2, 3, 4, 5];

/**
 * Where a cell sits in the marketer's vocabulary: the corners have names (catalog keys; the
 * caller says them in the console's language).
 */
export function cellName(r: Score, f: Score): string | null {
  if (r <= 2 && f >= 4) return msgKey("rfm.name.dormant");
  if (r >= 4 && f >= 4) return msgKey("rfm.name.champions");
  if (r >= 4 && f <= 2) return msgKey("rfm.name.new");
  if (r <= 2 && f <= 2) return msgKey("rfm.name.lost");
  return null;
}

function recencyLabel(t: TFunction, g: Grid, r: Score): string {
  const row = g.recency.find((x) => x.score === r);
  if (!row || row.minDays === null || row.maxDays === null) return "";
  return t("rfm.days", { min: row.minDays, max: row.maxDays });
}

function frequencyLabel(t: TFunction, g: Grid, f: Score): string {
  const col = g.frequency.find((x) => x.score === f);
  if (!col || col.minOrders === null || col.maxOrders === null) return "";
  return col.minOrders === col.maxOrders
    ? t("rfm.orders", { count: col.minOrders })
    : t("rfm.orderRange", { min: col.minOrders, max: col.maxOrders });
}

/**
 * Recency rows (5 = bought most recently, on top) × frequency columns (5 = most orders, on the
 * right); each cell's colour is its share of the fullest cell. Clicking one starts an audience.
 */
export function RfmGrid({ grid, onPick }: { grid: Grid; onPick: (cell: RfmCell) => void }) {
  const max = Math.max(1, ...grid.cells.map((c) => c.count));
  const at = (r: Score, f: Score) => grid.cells.find((c) => c.r === r && c.f === f);
  const { t, i18n } = useTranslation();
  const money = new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 0 });
  return (
    <div className="rfm">
      <table className="rfm-grid" data-testid="rfm-grid">
        <caption className="sr-only">{t("rfm.caption")}</caption>
        <thead>
          <tr>
            <th scope="col" className="rfm-corner">
              <span className="muted small">{t("rfm.corner")}</span>
            </th>
            {SCORES.map((f) => (
              <th key={f} scope="col">
                F{f}
                <div className="muted small">{frequencyLabel(t, grid, f)}</div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[...SCORES].reverse().map((r) => (
            <tr key={r}>
              <th scope="row">
                R{r}
                <div className="muted small">{recencyLabel(t, grid, r)}</div>
              </th>
              {SCORES.map((f) => {
                const cell = at(r, f);
                const count = cell?.count ?? 0;
                const share = count / max;
                const nameKey = cellName(r, f);
                const name = nameKey ? t(nameKey) : null;
                const avg =
                  cell?.avgMonetary == null
                    ? t("rfm.noBuyers")
                    : t("rfm.avgSpend", { amount: money.format(cell.avgMonetary) });
                const facts = { r, f, count: formatCount(count), avg };
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
                      title={
                        name
                          ? t("rfm.cellTitleNamed", { ...facts, name })
                          : t("rfm.cellTitle", facts)
                      }
                      aria-label={
                        name
                          ? t("rfm.cellLabelNamed", { ...facts, name })
                          : t("rfm.cellLabel", facts)
                      }
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
        {t("rfm.footer", {
          buyers: formatCount(grid.buyers),
          contacts: formatCount(grid.contacts),
          ms: grid.ms,
        })}
      </p>
    </div>
  );
}
