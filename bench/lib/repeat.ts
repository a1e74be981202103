/** Median and spread of repeated measurements: one run on a shared machine says little. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] ?? Number.NaN)
      : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
  return {
    median,
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
    n: sorted.length,
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** "25,663 (24,100–26,020)", or the one value when there was one run. */
export function formatSpread(s: Spread): string {
  return s.n > 1 ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : fmt(s.median);
}

/**
 * Runs every configuration `repeat` times, interleaved (A B C A B C …, not A A A B B B), so a
 * slow minute on a shared machine lands on all of them rather than on one.
 */
export async function interleaved<C, R>(
  configs: readonly C[],
  repeat: number,
  run: (config: C, round: number) => Promise<R>,
): Promise<R[][]> {
  const results: R[][] = configs.map(() => []);
  for (let round = 0; round < repeat; round++) {
    for (let i = 0; i < configs.length; i++) {
      (results[i] as R[]).push(await run(configs[i] as C, round));
    }
  }
  return results;
}
