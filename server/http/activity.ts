import type { RequestHandler } from "express";
import type { Gate } from "../db/gate.ts";

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
 * Background work goes through one lane (`background`, a `Gate`): the ticker's batches,
 * delivery's claims and writes, the audience and date scans' pages, the realtime count refresh
 * and the housekeeping's statements take turns, and each looks for requests in flight when its
 * turn comes, not before. Each looking on its own, a VACUUM that found the API idle queued for the
 * connection behind a ticker batch, and a request arriving meanwhile waited for both
 * (bench/ticker-pglite at batch 500: API p99 384–494 → 165 ms; docs/SCALING.md, "PGlite's
 * housekeeping").
 */
export interface Activity {
  middleware: RequestHandler;
  /**
   * Runs `work` after the background work before it has finished and then no request is in
   * flight (or `maxWaitMs` passed); its result or error is `work`'s.
   */
  background: Gate;
  inFlight: () => number;
}

/**
 * `maxWaitMs` bounds how long a turn waits for requests in flight, so a steady stream of
 * requests cannot stop the background work (100 ms: one request's worth on PGlite).
 */
export function createActivity(maxWaitMs = 100): Activity {
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  let lane: Promise<unknown> = Promise.resolve();
  const settle = () => {
    if (inFlight > 0) return;
    const ready = waiters;
    waiters = [];
    for (const done of ready) done();
  };
  /** Resolves when no request is in flight, or after `ms`. */
  const idle = (ms: number) => {
    if (inFlight === 0) return Promise.resolve();
    return new Promise<void>((done) => {
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== release);
        done();
      }, ms);
      const release = () => {
        clearTimeout(timer);
        done();
      };
      waiters.push(release);
    });
  };
  /**
   * Resolves once a pass through the event loop's I/O phase finds no request in flight, or
   * after `maxWaitMs`. PGlite answers in-process, so a request that has arrived is not read,
   * and not in flight, until the loop polls its socket: without the pass, VACUUMs ran back to
   * back for 300 ms while requests sat unread, and a burst of ingest requests was answered one
   * per ticker batch, the next turn starting as each answer went out (bench/event-latency).
   */
  const quiet = async () => {
    const until = performance.now() + maxWaitMs;
    for (;;) {
      await new Promise((next) => setImmediate(next));
      const left = until - performance.now();
      if (inFlight === 0 || left <= 0) return;
      await idle(left);
    }
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
    background(work) {
      const turn = lane.then(quiet).then(work);
      lane = turn.catch(() => {});
      return turn;
    },
    inFlight: () => inFlight,
  };
}
