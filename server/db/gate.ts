/**
 * How a background loop hands its database work to PGlite's lane (server/http/activity.ts):
 * `gate(work)` runs `work` in its turn and resolves as `work` does. One transaction, or one
 * statement outside a transaction, per call: a turn holds PGlite's only connection, and
 * requests wait for it. On PostgreSQL there is no lane and loops run `ungated`.
 *
 * A retry goes around the gate, not inside it (`withDbRetry(() => gate(work))`): a turn that
 * slept out a backoff would hold up every other loop and the API with it.
 */
export type Gate = <T>(work: () => Promise<T>) => Promise<T>;

export const ungated: Gate = (work) => work();
