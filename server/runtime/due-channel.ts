import type { Knex } from "knex";
import pg from "pg";

/**
 * Tells ticker loops in other processes that users became due, over PostgreSQL's LISTEN/NOTIFY:
 * an API server ingests an event that wakes waiters, and a separate `waymark worker` looks now
 * instead of at its next idle poll. In-process tickers are nudged directly (server.ts); this is
 * the same signal for the others, and like the nudge it only makes a tick earlier — a lost
 * notification costs at most one poll interval, never a user.
 */
export const DUE_CHANNEL = "waymark_due";

/**
 * Inside the transaction that made users due: PostgreSQL delivers a NOTIFY at commit, so a
 * listener never looks before the wake-ups are visible, and not at all if the transaction
 * rolls back. Notifications with the same payload in one transaction are folded into one.
 */
export async function notifyDue(trx: Knex.Transaction): Promise<void> {
  await trx.raw("select pg_notify(?, '')", [DUE_CHANNEL]);
}

export interface DueListener {
  close: () => Promise<void>;
}

/**
 * One dedicated connection that LISTENs and calls `onDue` per notification; reconnects after
 * `retryMs` when the connection drops (a restart, a failover, a terminated backend).
 */
export function listenForDue(
  url: string,
  onDue: () => void,
  options: { retryMs?: number; onError?: (err: unknown) => void } = {},
): DueListener {
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
    c.on("notification", (n) => {
      if (n.channel === DUE_CHANNEL) onDue();
    });
    c.on("error", (err) => {
      options.onError?.(err);
      reconnect();
    });
    c.on("end", reconnect);
    try {
      await c.connect();
      await c.query(`listen ${DUE_CHANNEL}`);
      // Anything made due while we were not listening is found by this tick.
      onDue();
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
