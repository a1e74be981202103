import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import type { JourneyResults } from "../../api.ts";
import { useFormat } from "../../i18n/format.ts";

type Point = JourneyResults["series"][number];

const W = 760;
const H = 220;
const PAD = { top: 16, right: 16, bottom: 28, left: 44 };

const BAR = 36;

/** A day's point as words; the counts unformatted, as tests and screen readers compare them. */
const pointTitle = (t: TFunction, p: Point) =>
  t("results.chart.point", { date: p.date, sends: p.sends, conversions: p.conversions });

/**
 * One day of data: a line needs two points, so a journey's first day drew nothing but a dot.
 * Its sends and conversions are two bars side by side instead, each with its number on top.
 */
function OneDay({ point, cx, y }: { point: Point; cx: number; y: (v: number) => number }) {
  const bars = [
    { key: "sends", value: point.sends, x: cx - BAR - 2, className: "bar-sends" },
    { key: "conversions", value: point.conversions, x: cx + 2, className: "bar-conversions" },
  ] as const;
  const { t } = useTranslation();
  const format = useFormat();
  const base = y(0);
  return (
    <g data-testid="one-day">
      <title>{pointTitle(t, point)}</title>
      {bars.map((b) => (
        <g key={b.key}>
          {/* At least 2 px tall, so a zero still shows where the bar would be. */}
          <rect
            x={b.x}
            y={Math.min(y(b.value), base - 2)}
            width={BAR}
            height={Math.max(2, base - y(b.value))}
            rx={3}
            className={b.className}
          />
          <text
            x={b.x + BAR / 2}
            y={Math.min(y(b.value), base - 2) - 6}
            textAnchor="middle"
            className="bar-label"
          >
            {format.number(b.value)}
          </text>
        </g>
      ))}
    </g>
  );
}

/** Daily sends and conversions as two lines in plain SVG: no chart library for two series. */
export function SeriesChart({ series }: { series: Point[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (series.length === 0)
    return (
      <div className="empty">
        <h3>{t("results.chart.empty")}</h3>
        <p className="muted">{t("results.chart.emptyHint")}</p>
      </div>
    );
  const max = Math.max(1, ...series.map((p) => Math.max(p.sends, p.conversions)));
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const x = (k: number) =>
    PAD.left + (series.length === 1 ? innerW / 2 : (k / (series.length - 1)) * innerW);
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  const line = (key: "sends" | "conversions") =>
    series
      .map((p, k) => `${k === 0 ? "M" : "L"}${x(k).toFixed(1)},${y(p[key]).toFixed(1)}`)
      .join(" ");
  // Whole numbers only, once each: with a peak of 1 the middle tick rounds onto the top one (two
  // grid lines with one React key, which React reported as an error on every such chart). A
  // small peak gets every whole number: 0, 2, 3 for a peak of 3 skipped the 1 a bar stood on.
  const ticks =
    max <= 5
      ? Array.from({ length: max + 1 }, (_, k) => k)
      : [...new Set([0, 0.5, 1].map((t) => Math.round(max * t)))];
  const labelEvery = Math.max(1, Math.ceil(series.length / 8));
  const totalSends = series.reduce((s, p) => s + p.sends, 0);
  const totalConv = series.reduce((s, p) => s + p.conversions, 0);
  return (
    <figure className="series-chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={t("results.chart.label", {
          from: series[0]?.date,
          to: series.at(-1)?.date,
          sends: totalSends,
          conversions: totalConv,
        })}
        data-testid="results-chart"
      >
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} className="grid-line" />
            <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" className="axis-label">
              {t}
            </text>
          </g>
        ))}
        {series.map((p, k) =>
          k % labelEvery === 0 ? (
            <text key={p.date} x={x(k)} y={H - 8} textAnchor="middle" className="axis-label">
              {p.date.slice(5)}
            </text>
          ) : null,
        )}
        {series.length === 1 && series[0] ? (
          <OneDay point={series[0]} cx={x(0)} y={y} />
        ) : (
          <>
            <path d={line("sends")} className="line-sends" />
            <path d={line("conversions")} className="line-conversions" />
          </>
        )}
        {series.length > 1 &&
          series.map((p, k) => (
            <circle
              key={p.date}
              cx={x(k)}
              cy={y(p.conversions)}
              r={2.5}
              className="dot-conversions"
            >
              <title>{pointTitle(t, p)}</title>
            </circle>
          ))}
      </svg>
      <figcaption className="chart-legend">
        <span className="key key-sends" />{" "}
        {t("results.chart.sends", { n: format.number(totalSends) })}
        <span className="key key-conversions" />{" "}
        {t("results.chart.conversions", { n: format.number(totalConv) })}
      </figcaption>
    </figure>
  );
}
