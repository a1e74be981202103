import type { Knex } from "knex";
import { rfmCellDefinition, SCORES, type Score } from "../../engine/audience/rfm.ts";
import type { RfmCondition } from "../../engine/audience/schema.ts";
import { bounded } from "./queries.ts";
import { ensureRfm } from "./rfm-refresh.ts";
import { param, sql, toRaw } from "./sql.ts";

export interface RfmCell {
  r: Score;
  f: Score;
  count: number;
  /** Mean total spend of the cell's contacts (null for an empty cell). */
  avgMonetary: number | null;
  /** The audience definition for this cell: what clicking it starts from. */
  definition: RfmCondition;
}

export interface RfmGrid {
  /** 25 cells, r-major (r 5 → 1, f 1 → 5), empty cells included so the grid is always whole. */
  cells: RfmCell[];
  /** What each recency score means in days since the last purchase, for the axis labels. */
  recency: { score: Score; minDays: number | null; maxDays: number | null }[];
  /** What each frequency score means in orders. */
  frequency: { score: Score; minOrders: number | null; maxOrders: number | null }[];
  /** Contacts with at least one purchase (they have scores) and all contacts. */
  buyers: number;
  contacts: number;
  /** The `now` the scores were computed for (rfm-refresh.ts); the day ranges use the request's. */
  scoredAt: string | null;
  ms: number;
}

interface Row {
  kind: "cell" | "r" | "f" | "at";
  a: number;
  b: number | null;
  n: string | number | null;
  x: string | number | null;
  y: string | number | null;
}

/**
 * The recency × frequency grid from contact_rfm, the scores the `rfm` condition reads, so a
 * cell's count and its definition's estimate agree. The axis labels are days before the
 * request's `now`: the ranks do not depend on the clock, the days do (rfm-refresh.ts).
 */
export async function rfmGrid(knex: Knex, now: Date): Promise<RfmGrid> {
  const started = performance.now();
  await ensureRfm(knex, now);
  const nowSql = sql`${param(now)}::timestamptz`;
  const q = sql`select 'cell' as kind, r as a, f as b, count(*) as n, avg(monetary)::float8 as x, null::float8 as y
      from contact_rfm group by r, f
    union all
    select 'r', r, null, null,
           extract(epoch from ${nowSql} - max(last_at)) / 86400,
           extract(epoch from ${nowSql} - min(last_at)) / 86400
      from contact_rfm group by r
    union all
    select 'f', f, null, null, min(orders), max(orders) from contact_rfm group by f
    union all
    select 'at', 0, null, null, extract(epoch from as_of) * 1000, null from contact_rfm_state`;
  // One statement, so the cells and the scores' date come from the same snapshot.
  const rows = await bounded(knex, async (trx) => ((await toRaw(trx, q)) as { rows: Row[] }).rows);
  const scoredAt = rows.find((r) => r.kind === "at")?.x;
  const contacts = Number(
    ((await knex("contacts").count("* as n").first()) as { n: string | number } | undefined)?.n ??
      0,
  );
  const cells = rows
    .filter((r) => r.kind === "cell")
    .map((r) => ({ r: r.a, f: r.b, n: r.n, avg_m: r.x }));
  const axes = rows
    .filter((r) => r.kind === "r" || r.kind === "f")
    .map((r) => ({ axis: r.kind, score: r.a, lo: r.x ?? 0, hi: r.y ?? 0 }));
  const byCell = new Map(cells.map((c) => [`${c.r}:${c.f}`, c]));
  const out: RfmCell[] = [];
  for (const r of [...SCORES].reverse()) {
    for (const f of SCORES) {
      const row = byCell.get(`${r}:${f}`);
      out.push({
        r,
        f,
        count: Number(row?.n ?? 0),
        avgMonetary: row?.avg_m == null ? null : Math.round(Number(row.avg_m) * 100) / 100,
        definition: rfmCellDefinition(r, f),
      });
    }
  }
  const axis = (name: "r" | "f", score: Score) =>
    axes.find((a) => a.axis === name && a.score === score);
  return {
    cells: out,
    recency: SCORES.map((score) => {
      const a = axis("r", score);
      return {
        score,
        minDays: a ? Math.floor(Number(a.lo)) : null,
        maxDays: a ? Math.floor(Number(a.hi)) : null,
      };
    }),
    frequency: SCORES.map((score) => {
      const a = axis("f", score);
      return { score, minOrders: a ? Number(a.lo) : null, maxOrders: a ? Number(a.hi) : null };
    }),
    buyers: out.reduce((s, c) => s + c.count, 0),
    contacts,
    scoredAt: scoredAt == null ? null : new Date(Number(scoredAt)).toISOString(),
    ms: Math.round(performance.now() - started),
  };
}
