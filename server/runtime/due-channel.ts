import type { Knex } from "knex";
import { type Listening, listenForever } from "../db/listen.ts";

/**
 * Tells loops in other processes that work is waiting, over PostgreSQL's LISTEN/NOTIFY:
 *  - `waymark_due`: an API server ingests an event that wakes waiters, and the ticker of a
 *    separate `waymark worker` looks now instead of at its next idle poll;
 *  - `waymark_outbox`: a ticker batch queued messages, and the delivery workers of other
 *    processes claim them now instead of at their next poll (500 ms).
 * In-process loops are woken directly (server.ts); this is the same signal for the others, and
 * like that wake it only makes a look earlier — a lost notification costs at most one poll
 * interval, never a user or a message. One connection per process listens to both.
 */
export const DUE_CHANNEL = "waymark_due";
export const OUTBOX_CHANNEL = "waymark_outbox";

/**
 * Inside the transaction that made users due: PostgreSQL delivers a NOTIFY at commit, so a
 * listener never looks before the wake-ups are visible, and not at all if the transaction
 * rolls back. Notifications with the same payload in one transaction are folded into one.
 */
export async function notifyDue(trx: Knex.Transaction): Promise<void> {
  await trx.raw("select pg_notify(?, '')", [DUE_CHANNEL]);
}

/** Inside the ticker batch that queued messages; delivered at its commit, like notifyDue. */
export async function notifyOutbox(trx: Knex.Transaction): Promise<void> {
  await trx.raw("select pg_notify(?, '')", [OUTBOX_CHANNEL]);
}

/** What to call per channel; a channel without a handler is not listened to. */
export interface WorkHandlers {
  due?: () => void;
  outbox?: () => void;
}

/**
 * One dedicated connection (db/listen.ts: reconnects with backoff, TCP keepalive) that LISTENs
 * on every channel given a handler and calls it per notification; after every (re)connect it
 * calls each handler once, since anything queued while it was not listening is found by a look.
 */
export function listenForWork(
  url: string,
  handlers: WorkHandlers,
  options: { minRetryMs?: number; onError?: (err: unknown) => void } = {},
): Listening {
  const byChannel = new Map<string, () => void>();
  if (handlers.due) byChannel.set(DUE_CHANNEL, handlers.due);
  if (handlers.outbox) byChannel.set(OUTBOX_CHANNEL, handlers.outbox);
  return listenForever(url, [...byChannel.keys()], {
    applicationName: "waymark-due",
    onNotify: (channel) => byChannel.get(channel)?.(),
    onConnect: () => {
      for (const handler of byChannel.values()) handler();
    },
    ...(options.minRetryMs !== undefined ? { minRetryMs: options.minRetryMs } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
}
