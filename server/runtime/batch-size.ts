/**
 * PGlite's ticker batch size, set by time instead of by count. On PGlite a batch holds the
 * server's thread and its one connection, so a request that arrives meanwhile waits for the
 * whole batch: the API's tail is the batch's duration. A fixed count is a different duration
 * on every host — 800 users took ~115 ms on one 2-core host and ~190 ms on a slower one
 * (bench/ticker-pglite: API p99 135 vs 279 ms) — so the ticker aims each full batch at
 * `targetMs` and sizes the next from the time per user the last ones took.
 *
 * Only full batches teach it: a short batch carries the same fixed cost over fewer users and
 * would overstate the time per user. The estimate is smoothed (a slow batch from a checkpoint
 * or a garbage collection moves it a third of the way) and the size stays within [min, max].
 */
export interface BatchSizer {
  /** How many users the next batch claims. */
  size(): number;
  /** A batch claimed `claimed` users (of `size()` asked) and held the connection `ms`. */
  observe(claimed: number, ms: number): void;
}

export interface BatchSizerOptions {
  /** The duration to aim a full batch at (ms). */
  targetMs: number;
  /** The first batch's size, before anything was measured. */
  initial: number;
  min: number;
  max: number;
}

const SMOOTHING = 1 / 3;

export function batchSizer(options: BatchSizerOptions): BatchSizer {
  const clamp = (n: number) => Math.max(options.min, Math.min(options.max, Math.round(n)));
  let size = clamp(options.initial);
  let msPerUser: number | undefined;
  return {
    size: () => size,
    observe(claimed, ms) {
      if (claimed < size || claimed <= 0 || !(ms > 0)) return;
      const sample = ms / claimed;
      msPerUser = msPerUser === undefined ? sample : msPerUser + SMOOTHING * (sample - msPerUser);
      size = clamp(options.targetMs / msPerUser);
    },
  };
}

/** A fixed size: the ticker on PostgreSQL, and PGlite when a batch size is configured. */
export function fixedBatchSize(size: number): BatchSizer {
  return { size: () => size, observe() {} };
}
