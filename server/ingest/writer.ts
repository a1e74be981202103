import type { Knex } from "knex";
import { isConnectionLoss, isRetryableDbError, withDbRetry } from "../db/retry.ts";
import type { LiveJourney } from "../runtime/live-journeys.ts";
import { type Applied, applyCommands, type Outcome } from "./apply.ts";
import type { Command } from "./normalize.ts";
import { purgeAnonymous } from "./sql/anonymous.ts";

/**
 * Group commit for ingest. Requests hand their checked calls to the writer and wait; a few
 * lanes (transactions at a time) each take every call queued so far, up to a cap, and write
 * them in one transaction (apply.ts), then answer each request. Under load one transaction
 * carries many requests, so the per-transaction cost (BEGIN, COMMIT and its WAL flush, the
 * statements' round trips) is paid once per group instead of once per SDK flush: the default
 * `flushAt: 15` then costs little more than `flushAt: 100` (bench/ingest).
 *
 * Admission: a request waits at most `maxWaitMs` for a lane, and the queue holds at most
 * `maxQueued` calls; beyond either it is refused with Overloaded (the route answers 503 with
 * Retry-After, which both SDKs retry) before anything is written, instead of being accepted and
 * timing out in a pool queue after the client gave up. A 200 is sent only after the commit.
 * `admit()` lets the route refuse before it even reads the body, once the queue holds more
 * than the recent commit rate can write within the wait: past saturation, parsing requests
 * that will be refused anyway only takes CPU from the ones being written (bench/ingest's ramp
 * saw accepted events/s fall as the offered rate rose, without it).
 */

export class Overloaded extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super("ingest is saturated");
  }
}

/** The database is unreachable or saturated right now: worth a 503 and a retry, not a 500. */
export function isTransient(err: unknown): boolean {
  if (err instanceof Overloaded) return true;
  // knex's pool gave up waiting for a connection.
  if (err instanceof Error && err.name === "KnexTimeoutError") return true;
  return isRetryableDbError(err) || isConnectionLoss(err);
}

export interface WriterOptions {
  knex: Knex;
  live: { get(): Promise<LiveJourney[]> };
  now: () => Date;
  notifyOthers: boolean;
  /** Transactions at a time. PGlite has one connection: 1. */
  lanes: number;
  /** Calls per transaction at most; bounds how long one transaction holds its locks. */
  maxGroup: number;
  maxWaitMs: number;
  maxQueued: number;
  onCommitted?: (applied: Applied, requests: number) => void;
  onError?: (err: unknown) => void;
}

interface Work {
  commands: readonly Command[];
  resolve: (outcomes: Outcome[]) => void;
  reject: (err: unknown) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

const PURGE_EVERY_MS = 3_600_000;
const ADMIT_QUEUE_MS = 1000;
const ADMIT_FLOOR = 5000;

/**
 * externalId → contact id for contacts this process saw committed, so a track for a known user
 * costs no lookup; likewise anonymous id → contact for merged anonymous ids, so calls carrying
 * both ids (analytics.js sends both on every call after sign-in) cost no lock. Contacts are
 * never renamed and merges are final; should a contact be deleted, the event insert's foreign
 * key fails and the writer forgets everything and writes the group again. Bounded: the oldest
 * entries go first.
 */
export class RememberedIds extends Map<string, number> {
  constructor(readonly max = 100_000) {
    super();
  }
  remember(entries: Iterable<[string, number]>) {
    for (const [k, v] of entries) {
      if (this.has(k)) continue;
      if (this.size >= this.max) {
        const oldest = this.keys().next();
        if (!oldest.done) this.delete(oldest.value);
      }
      this.set(k, v);
    }
  }
}

const isForeignKeyViolation = (err: unknown) =>
  typeof err === "object" && err !== null && "code" in err && err.code === "23503";

export function createWriter(options: WriterOptions) {
  const queue: Work[] = [];
  let queued = 0;
  /** Calls committed per 250 ms slot over the last 2 s: the recent commit rate. */
  const slots = new Array<number>(8).fill(0);
  let slotAt = 0;
  const advanceSlots = (t: number) => {
    const slot = Math.floor(t / 250);
    if (slot - slotAt >= slots.length) slots.fill(0);
    else for (let i = slotAt + 1; i <= slot; i++) slots[i % slots.length] = 0;
    slotAt = Math.max(slotAt, slot);
  };
  const committedPerSecond = () => {
    advanceSlots(Date.now());
    return slots.reduce((a, n) => a + n, 0) / 2;
  };
  let running = 0;
  let lastPurge = 0;
  const contactIds = new RememberedIds();
  const anonymousIds = new RememberedIds();

  const retryAfter = () => Math.max(1, Math.ceil(options.maxWaitMs / 1000));

  const write = async (group: Work[]) => {
    const live = await options.live.get();
    const now = options.now();
    const attempt = () =>
      withDbRetry(() =>
        options.knex.transaction((trx) =>
          applyCommands(
            trx,
            group.map((w) => w.commands),
            live,
            now,
            options.notifyOthers,
            contactIds,
            anonymousIds,
          ),
        ),
      );
    const applied = await attempt().catch((err: unknown) => {
      // A remembered contact no longer exists: forget them all, and look them up again.
      if (!isForeignKeyViolation(err) || contactIds.size + anonymousIds.size === 0) throw err;
      contactIds.clear();
      anonymousIds.clear();
      return attempt();
    });
    contactIds.remember(applied.contacts);
    anonymousIds.remember(applied.anonymous);
    advanceSlots(Date.now());
    const calls = applied.outcomes.reduce((n, o) => n + o.length, 0);
    slots[slotAt % slots.length] = (slots[slotAt % slots.length] ?? 0) + calls;
    group.forEach((w, i) => {
      w.resolve(applied.outcomes[i] ?? []);
    });
    options.onCommitted?.(applied, group.length);
    if (now.getTime() - lastPurge > PURGE_EVERY_MS) {
      lastPurge = now.getTime();
      purgeAnonymous(options.knex, now, 5000).catch((err: unknown) => options.onError?.(err));
    }
  };

  const run = async (group: Work[]) => {
    try {
      await write(group);
    } catch (err) {
      if (group.length > 1 && !isTransient(err)) {
        // Something in one request fails the whole group: write each alone, so only that one
        // request fails.
        for (const w of group) await write([w]).catch((e: unknown) => w.reject(e));
      } else for (const w of group) w.reject(err);
    }
  };

  /**
   * Starts groups while lanes are free. The group is collected on the next turn of the event
   * loop (setImmediate), not at once: requests that arrived meanwhile — on PGlite, which runs
   * a whole transaction without letting the loop read sockets, that is every request sent
   * during it — get parsed and join this group instead of each waiting for a group of its own.
   */
  let scheduled = false;
  const pump = () => {
    if (scheduled || running >= options.lanes || queue.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      startGroups();
    });
  };
  const startGroups = () => {
    while (running < options.lanes && queue.length > 0) {
      const group: Work[] = [];
      let size = 0;
      while (queue.length > 0) {
        const next = queue[0] as Work;
        if (group.length > 0 && size + next.commands.length > options.maxGroup) break;
        queue.shift();
        if (next.timer) clearTimeout(next.timer);
        size += next.commands.length;
        group.push(next);
      }
      queued -= size;
      running++;
      void run(group).finally(() => {
        running--;
        pump();
      });
    }
  };

  return {
    /** Writes the calls; resolves with one outcome each once committed. */
    submit(commands: readonly Command[]): Promise<Outcome[]> {
      if (commands.length === 0) return Promise.resolve([]);
      if (queued + commands.length > options.maxQueued && queue.length > 0) {
        return Promise.reject(new Overloaded(retryAfter()));
      }
      return new Promise<Outcome[]>((resolve, reject) => {
        const work: Work = { commands, resolve, reject, timer: null };
        work.timer = setTimeout(() => {
          const at = queue.indexOf(work);
          if (at < 0) return;
          queue.splice(at, 1);
          queued -= commands.length;
          reject(new Overloaded(retryAfter()));
        }, options.maxWaitMs);
        queue.push(work);
        queued += commands.length;
        pump();
      });
    },
    /**
     * Whether a new request can expect to start writing soon: the queue is under what the
     * recent commit rate writes in ADMIT_QUEUE_MS (and never under ADMIT_FLOOR calls or two
     * full groups per lane, so a burst on a server that was idle is not refused). A second of
     * backlog keeps the event → decision latency of what is accepted near a second past
     * saturation; `maxWaitMs` stays the hard bound.
     */
    admit(): boolean {
      const floor = Math.max(ADMIT_FLOOR, options.maxGroup * options.lanes * 2);
      return queued < Math.max(floor, (committedPerSecond() * ADMIT_QUEUE_MS) / 1000);
    },
    overloaded: () => new Overloaded(retryAfter()),
    /** Calls waiting for a lane (metrics, tests). */
    queued: () => queued,
  };
}

export type Writer = ReturnType<typeof createWriter>;
