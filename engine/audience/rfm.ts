import type { RfmCondition } from "./schema.ts";

/** Quintile scores, 1 (lowest) to 5 (highest): recency 5 = bought most recently. */
export const SCORES = [1, 2, 3, 4, 5] as const;
export type Score = (typeof SCORES)[number];

/** The definition behind one cell of the recency × frequency grid: click a cell, get this. */
export function rfmCellDefinition(r: Score, f: Score): RfmCondition {
  return { rfm: { r: [r, r], f: [f, f] } };
}
