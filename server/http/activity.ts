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
 */
export interface Activity {
  middleware: RequestHandler;
  /** Resolves when no request is in flight, or after `maxWaitMs`. */
  idle: (maxWaitMs: number) => Promise<void>;
  inFlight: () => number;
}

export function createActivity(): Activity {
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  const settle = () => {
    if (inFlight > 0) return;
    const ready = waiters;
    waiters = [];
    for (const done of ready) done();
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
    idle(maxWaitMs) {
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
    },
    inFlight: () => inFlight,
  };
}
