import type { Logger } from "../log.ts";
import { maskStrings } from "../privacy/mask.ts";
import { addBatch, type BatchChanges, emptyPending, takeFlush } from "./flush.ts";
import {
  contactRoom,
  type Flush,
  journeyRoom,
  maskedContactRoom,
  type RealtimeServer,
} from "./protocol.ts";

/** Feeds committed ticker batches to the rooms. Wire `onBatch: (s) => publisher.publishBatch(s)`. */
export interface Publisher {
  /** Never throws: it runs after the ticker's commit, where a failure must not look like a failed batch. */
  publishBatch(batch: BatchChanges): void;
  /** Sends what is pending now, ahead of the timer (subscribe bootstrap, shutdown). */
  flush(): void;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
}

export interface PublisherOptions {
  /**
   * Minimum time between two flushes. 250 ms keeps a busy journey's canvas at four updates a
   * second however many batches the ticker commits (1,000-enrollment batches commit several
   * times a second on PostgreSQL), while a lone move still goes out at once.
   */
  flushMs?: number;
  /** Whether other processes exist to tell (the PostgreSQL adapter), or only this one's rooms. */
  clustered: boolean;
  log: Logger;
  now?: () => Date;
}

/**
 * Coalesces batches into one flush per `flushMs`, delivers it to this process's sockets and, when
 * clustered, sends it to every other process as ONE inter-server message (`serverSideEmit`), which
 * each receiver fans out to its own local rooms (`deliverLocally`). The alternative — one
 * `io.to(room).emit` per room — costs one `pg_notify` per contact moved even when nobody watches,
 * because a process cannot know which rooms exist elsewhere; one message per flush costs one.
 */
export function startPublisher(io: RealtimeServer, options: PublisherOptions): Publisher {
  const flushMs = options.flushMs ?? 250;
  const now = options.now ?? (() => new Date());
  const pending = emptyPending();
  let timer: NodeJS.Timeout | null = null;
  let lastFlush = Number.NEGATIVE_INFINITY;
  let closed = false;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    try {
      const out = takeFlush(pending, now());
      if (!out) return;
      lastFlush = performance.now();
      deliverLocally(io, out);
      if (options.clustered) io.serverSideEmit("flush", out);
    } catch (err) {
      options.log.warn({ err }, "realtime: flush failed");
    }
  };

  return {
    publishBatch(batch) {
      if (closed) return;
      try {
        addBatch(pending, batch);
      } catch (err) {
        options.log.warn({ err }, "realtime: cannot read batch");
        return;
      }
      if (timer) return;
      // Leading edge: the first batch after a quiet spell goes out on the next turn of the loop.
      timer = setTimeout(flush, Math.max(0, lastFlush + flushMs - performance.now()));
    },
    flush,
    async close() {
      flush();
      closed = true;
    },
  };
}

/**
 * Emits a flush to the sockets of this process only (`io.local`), skipping rooms nobody here
 * joined: a flush holds every contact the ticker moved, and encoding a packet per contact for
 * an empty room would be most of the work.
 */
export function deliverLocally(io: RealtimeServer, flush: Flush): void {
  const rooms = io.of("/").adapter.rooms;
  for (const [journeyId, deltas] of Object.entries(flush.deltas)) {
    const room = journeyRoom(journeyId);
    if (!rooms.has(room)) continue;
    io.local.to(room).emit("counts", { journeyId, absolute: false, deltas, at: flush.at });
  }
  for (const item of flush.timeline) {
    const room = contactRoom(item.contactId);
    if (rooms.has(room)) io.local.to(room).emit("timeline", item);
    const masked = maskedContactRoom(item.contactId);
    if (rooms.has(masked)) {
      io.local.to(masked).emit("timeline", { ...item, entry: maskStrings(item.entry, null) });
    }
  }
}
