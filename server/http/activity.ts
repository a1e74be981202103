import type { RequestHandler } from "express";

/**
 * Requests in flight, so the ticker can let them finish first on PGlite.
 *
 * PGlite has one connection. An API request that runs three queries re-acquires it three times,
 * and a ticker batch (~80 ms at 500 users) can slip in before each one: the request then waits
 * for three batches, not one (bench/ticker-pglite measured API p99 of 300–500 ms that way).
 * With this gate the ticker starts a batch only when no request is in flight, or after
 * `maxWaitMs` so a steady stream of requests cannot stop it; a request then waits for at most
 * the batch already running.
 *
 * Background work goes through one lane (`background`): the ticker's batches and the
 * housekeeping's statements take turns, and each looks for requests in flight when its turn
 * comes, not before. Each looking on its own, a VACUUM that found the API idle queued for the
 * connection behind a ticker batch, and a request arriving meanwhile waited for both
 * (bench/ticker-pglite at batch 500, with the yield below: API p99 384–494 → 186–199 ms;
 * docs/SCALING.md, "PGlite's housekeeping").
 */
export interface Activity {
  middleware: RequestHandler;
  /**
   * Runs `work` after the background work before it has finished and then no request is in
   * flight (or `maxWaitMs` passed); its result or error is `work`'s.
   */
  background: <T>(maxWaitMs: number, work: () => Promise<T>) => Promise<T>;
  inFlight: () => number;
}

export function createActivity(): Activity {
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  let lane: Promise<unknown> = Promise.resolve();
  const settle = () => {
    if (inFlight > 0) return;
    const ready = waiters;
    waiters = [];
    for (const done of ready) done();
  };
  /** Resolves when no request is in flight, or after `maxWaitMs`. */
  const idle = (maxWaitMs: number) => {
    if (inFlight === 0) return Promise.resolve();
    return new Promise<void>((done) => {
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== release);
        done();
      }, maxWaitMs);
      const release = () => {
        clearTimeout(timer);
        done();
      };
      waiters.push(release);
    });
  };
  return {
    middleware(_req, res, next) {
      inFlight++;
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        inFlight--;
        settle();
      };
      res.once("finish", end);
      res.once("close", end);
      next();
    },
    background(maxWaitMs, work) {
      // Through the event loop's I/O phase first: PGlite answers in-process, so without it a
      // request that has arrived is not yet read, and not yet in flight, when the next turn
      // looks (VACUUMs ran back to back for 300 ms while requests sat unread).
      const turn = lane
        .then(() => new Promise((next) => setImmediate(next)))
        .then(() => idle(maxWaitMs))
        .then(work);
      lane = turn.catch(() => {});
      return turn;
    },
    inFlight: () => inFlight,
  };
}
