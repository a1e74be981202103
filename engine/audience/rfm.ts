import type { RfmCondition } from "./schema.ts";

/** Quintile scores, 1 (lowest) to 5 (highest): recency 5 = bought most recently. */
export const SCORES = [1, 2, 3, 4, 5] as const;
export type Score = (typeof SCORES)[number];

/** The definition behind one cell of the recency × frequency grid: click a cell, get this. */
export function rfmCellDefinition(r: Score, f: Score): RfmCondition {
  return { rfm: { r: [r, r], f: [f, f] } };
}

/**
 * Common named segments as RFM ranges, for the builder's presets. "Dormant, high value" is the
 * win-back target: bought a lot, but long ago.
 */
export const RFM_SEGMENTS = {
  champions: { rfm: { r: [5, 5], f: [4, 5] } },
  loyal: { rfm: { r: [3, 5], f: [4, 5] } },
  at_risk: { rfm: { r: [2, 2], f: [3, 5] } },
  dormant_high_value: { rfm: { r: [1, 2], f: [4, 5], m: [4, 5] } },
  new_buyers: { rfm: { r: [5, 5], f: [1, 1] } },
} as const satisfies Record<string, RfmCondition>;
