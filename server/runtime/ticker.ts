import type { Knex } from "knex";
import type { AdvancePolicy } from "../../engine/ports.ts";
import { type Gate, ungated } from "../db/gate.ts";
import { withDbRetry } from "../db/retry.ts";
import { LINK_TTL_DAYS } from "../delivery/config.ts";
import { linkMinter } from "../delivery/links.ts";
import { recordOptOut } from "../events/record.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { batchSizer, fixedBatchSize } from "./batch-size.ts";
import { notifyOutbox } from "./due-channel.ts";
import { loadVersions } from "./live-journeys.ts";
import { loadAudienceMemberships } from "./sql/audience-membership.ts";
import { claimDue } from "./sql/claim.ts";
import { loadBatchContacts, phoneDayStart } from "./sql/contact-state.ts";
import { writeBatch } from "./sql/write-batch.ts";
import { type BatchWrites, stepBatch } from "./step-batch.ts";

export interface TickerOptions {
  knex: Knex;
  crypto: FieldCrypto;
  policy: (now?: number) => Promise<AdvancePolicy>;
  /** Public base URL for tracked links (`${linkBase}/l/<token>`). */
  linkBase: string;
  /**
   * How long a tracked link resolves after its message is queued: WAYMARK_LINK_TTL_DAYS
   * (DeliveryConfig.linkTtlMs; startWorkers passes it). Absent: that setting's default.
   */
  linkTtlMs?: number;
  /** Enrollments per transaction. PGlite runs one transaction at a time: keep it small there. */
  batchSize?: number;
  /**
   * PGlite: aim each full batch at this many ms instead of a fixed count; `batchSize` is then
   * the first batch's size (batch-size.ts says why). startTicker only; tickOnce takes a count.
   */
  batchMs?: number;
  /** Parallel batch loops (PostgreSQL only; PGlite has one connection). */
  concurrency?: number;
  /** Idle poll interval when nothing is due. */
  pollMs?: number;
  /**
   * The database runs one transaction at a time (PGlite's one connection): claims and contacts
   * are read without row locks, which only keep concurrent batches apart and each cost a WAL
   * record and a dirtied page.
   */
  exclusive?: boolean;
  /** Pause between full batches so other queries get the connection (PGlite). */
  yieldMs?: number;
  /**
   * Least time from one batch's start to a batch a nudge starts (PGlite): a nudge per ingest
   * request would otherwise run a batch per request, and on PGlite's one connection their fixed
   * cost starved the API at 1,000 events/s (bench/event-latency).
   */
  nudgeGapMs?: number;
  /**
   * Runs each batch: on PGlite, in turn with the housekeeping and after API requests in flight
   * (server/http/activity.ts).
   */
  gate?: Gate;
  now?: () => Date;
  /** Called after each committed batch with what moved, for the realtime layer and metrics. */
  onBatch?: (stats: BatchStats) => void;
  /** Called after a batch that queued messages commits: wakes this process's delivery worker. */
  onMessages?: () => void;
  /** PostgreSQL: such a batch also NOTIFYs `waymark_outbox` for other processes' delivery. */
  notifyOutbox?: boolean;
  onError?: (err: unknown) => void;
  /** The engine step; bench/ticker swaps in a trivial one to measure the SQL-only floor. */
  step?: typeof stepBatch;
}

export interface BatchStats {
  claimed: number;
  messages: number;
  moves: BatchWrites["moves"];
  log: BatchWrites["log"];
  ms: number;
  /** Where the batch spent its time (ms): claim, load contacts, engine, writes. */
  phases: { claim: number; load: number; step: number; write: number };
}

/**
 * One batch, one transaction: claim due enrollments (SKIP LOCKED), lock and load their
 * contacts, run the engine, write snapshots + log + outbox + cooldowns set-based, commit. A
 * crash anywhere before commit leaves everything as it was; retried SQLSTATEs replay the
 * whole batch, which reproduces the same idempotency keys.
 */
export async function tickOnce(options: TickerOptions): Promise<BatchStats> {
  const started = performance.now();
  const now = (options.now ?? (() => new Date()))();
  // Retried like the batch: while the database is unreachable the tick waits it out here
  // (db/retry.ts) instead of failing, and logging, every poll.
  const policy = await withDbRetry(() => options.policy(now.getTime()));
  const batchSize = options.batchSize ?? 500;
  const phases = { claim: 0, load: 0, step: 0, write: 0 };
  let mark = performance.now();
  const lap = (phase: keyof typeof phases) => {
    const t = performance.now();
    phases[phase] += t - mark;
    mark = t;
  };
  const result = await withDbRetry(
    () =>
      options.knex.transaction(async (trx) => {
        // The batch's commit need not wait for its WAL flush. Nothing it writes leaves the
        // database before a synchronous commit that follows it: the delivery worker claims a
        // message in its own (synchronous) transaction before calling the provider, and flushing
        // that commit flushes every earlier WAL record, this batch's included. If PostgreSQL
        // itself crashes first, the batch is lost whole and re-run with the same idempotency keys.
        // Short, index-driven statements: JIT compilation only adds tens of ms to each. (Both
        // settings in one round trip; set_config(…, true) is SET LOCAL.)
        await trx.raw(
          "select set_config('synchronous_commit', 'off', true), set_config('jit', 'off', true)",
        );
        const claimed = await claimDue(trx, now, batchSize, options.exclusive);
        lap("claim");
        if (claimed.length === 0) return { claimed: 0, messages: 0, moves: [], log: [] };
        const versions = await loadVersions(trx, new Set(claimed.map((c) => c.versionId)));
        const needBestHour = [...versions.values()].some((v) => v.usesBestHour);
        const contactIds = [...new Set(claimed.map((c) => c.contactId))].sort((a, b) => a - b);
        const minCursor = Math.min(...claimed.map((c) => c.eventCursor));
        const sending = new Set<number>();
        for (const c of claimed) {
          const node = c.snapshot?.context.node ?? c.currentNode;
          if (versions.get(c.versionId)?.canStillSend.has(node) !== false) sending.add(c.contactId);
        }
        const contacts = await loadBatchContacts(
          trx,
          options.crypto,
          contactIds,
          minCursor,
          now,
          needBestHour,
          sending,
          phoneDayStart(policy.providerRules, now),
          options.exclusive,
        );
        const memberships = await loadAudienceMemberships(trx, versions, contactIds, now);
        for (const [id, audiences] of memberships) {
          const view = contacts.views.get(id);
          if (view) view.audiences = audiences;
        }
        lap("load");
        const writes = (options.step ?? stepBatch)(claimed, {
          versions,
          contacts,
          policy,
          now: now.getTime(),
          random: Math.random,
          links: linkMinter(options.linkBase),
        });
        lap("step");
        const { messages } = await writeBatch(trx, writes, now, {
          linkTtlMs: options.linkTtlMs ?? LINK_TTL_DAYS.default * 86_400_000,
        });
        if (messages > 0 && options.notifyOutbox) await notifyOutbox(trx);
        for (const o of writes.optOuts) {
          await recordOptOut(
            trx,
            {
              contactId: o.contactId,
              channel: "sms",
              category: "*",
              reason: "keyword",
              source: `journey:${o.journeyId}`,
              detail: o.keyword,
            },
            now,
          );
        }
        return { claimed: claimed.length, messages, moves: writes.moves, log: writes.log };
      }),
    5,
  );
  lap("write");
  if (result.messages > 0) options.onMessages?.();
  const stats = { ...result, ms: performance.now() - started, phases };
  options.onBatch?.(stats);
  return stats;
}

export interface RunningTicker {
  stop: () => Promise<void>;
  /**
   * Something just became due (an event woke enrollments, a user enrolled): idle loops tick now
   * instead of at their next poll. Busy loops are unaffected; they look again when their batch
   * is done. Only this process hears it; other `waymark worker` processes keep their poll.
   */
  nudge: () => void;
}

/** Runs batches until stopped: back-to-back while work is due, polling when idle. */
export function startTicker(options: TickerOptions): RunningTicker {
  let stopped = false;
  const sleeping = new Set<(byNudge: boolean) => void>();
  // A nudge while every loop is mid-batch: that batch may have claimed before the wake-up
  // committed, so the next loop to go idle looks once more before sleeping.
  let missed = false;
  const loops: Promise<void>[] = [];
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const batchSize = options.batchSize ?? 500;
  // One sizer for all loops: with several (PostgreSQL) there is no batchMs and it is fixed.
  const sizer = options.batchMs
    ? batchSizer({ targetMs: options.batchMs, initial: batchSize, min: 50, max: 5000 })
    : fixedBatchSize(batchSize);
  for (let i = 0; i < concurrency; i++) {
    loops.push(
      (async () => {
        let started = 0;
        // After a nudge: a timer turn, and no sooner than nudgeGapMs after the last batch began.
        const spaced = (atLeastMs: number) => {
          const gap = started + (options.nudgeGapMs ?? 0) - performance.now();
          return new Promise((done) => setTimeout(done, Math.max(atLeastMs, gap)));
        };
        while (!stopped) {
          let claimed = 0;
          const size = sizer.size();
          try {
            const batch = () => {
              started = performance.now();
              return tickOnce(size === batchSize ? options : { ...options, batchSize: size });
            };
            const stats = await (options.gate ?? ungated)(batch);
            claimed = stats.claimed;
            sizer.observe(stats.claimed, stats.ms);
          } catch (err) {
            options.onError?.(err);
          }
          if (claimed < size && !stopped && missed) {
            missed = false;
            // Look again soon, through the timer queue: on PGlite every query resolves
            // in-process, and a loop that never yields to it would starve the HTTP server.
            await spaced(options.yieldMs ?? 0);
          } else if (claimed < size && !stopped) {
            const nudged = await new Promise<boolean>((done) => {
              const wake = (byNudge: boolean) => {
                clearTimeout(t);
                sleeping.delete(wake);
                done(byNudge);
              };
              const t = setTimeout(() => wake(false), options.pollMs ?? 250);
              sleeping.add(wake);
            });
            if (nudged && !stopped) await spaced(0);
          } else if (options.yieldMs !== undefined) {
            // Let queued API queries have the connection between back-to-back batches: on
            // PGlite there is one, and the next batch would otherwise take it straight back.
            await new Promise((done) => setTimeout(done, options.yieldMs));
          }
        }
      })(),
    );
  }
  return {
    async stop() {
      stopped = true;
      for (const wake of [...sleeping]) wake(false);
      await Promise.all(loops);
    },
    nudge() {
      if (sleeping.size === 0) missed = true;
      for (const wake of [...sleeping]) wake(true);
    },
  };
}
