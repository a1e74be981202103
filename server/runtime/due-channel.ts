import type { Knex } from "knex";
import pg from "pg";

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

export interface DueListener {
  close: () => Promise<void>;
}

/**
 * One dedicated connection that LISTENs on every channel given a handler and calls it per
 * notification; reconnects after `retryMs` when the connection drops (a restart, a failover, a
 * terminated backend), and then calls every handler once: anything queued while it was not
 * listening is found by that look.
 */
export function listenForWork(
  url: string,
  handlers: WorkHandlers,
  options: { retryMs?: number; onError?: (err: unknown) => void } = {},
): DueListener {
  const byChannel = new Map<string, () => void>();
  if (handlers.due) byChannel.set(DUE_CHANNEL, handlers.due);
  if (handlers.outbox) byChannel.set(OUTBOX_CHANNEL, handlers.outbox);
  let closed = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  const reconnect = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, options.retryMs ?? 1_000);
  };
  const connect = async () => {
    const c = new pg.Client({ connectionString: url, application_name: "waymark-due" });
    client = c;
    c.on("notification", (n) => byChannel.get(n.channel)?.());
    c.on("error", (err) => {
      options.onError?.(err);
      reconnect();
    });
    c.on("end", reconnect);
    try {
      await c.connect();
      // Channel names are our own constants, never input: safe to splice into the statement.
      for (const channel of byChannel.keys()) await c.query(`listen ${channel}`);
      for (const handler of byChannel.values()) handler();
    } catch (err) {
      options.onError?.(err);
      await c.end().catch(() => {});
      reconnect();
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}

/** The ticker's half alone (kept for callers that only tick). */
export function listenForDue(
  url: string,
  onDue: () => void,
  options: { retryMs?: number; onError?: (err: unknown) => void } = {},
): DueListener {
  return listenForWork(url, { due: onDue }, options);
}
