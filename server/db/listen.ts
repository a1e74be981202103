import pg from "pg";

/**
 * One PostgreSQL connection that LISTENs on some channels for as long as the process runs, and
 * survives the database going away: a terminated backend, a restart or a failover ends the
 * connection, and it comes back with a growing, jittered pause (250 ms doubling to 5 s) until
 * the database answers again. Notifications sent while it was away are lost — PostgreSQL keeps
 * none for a session that is gone — so `onConnect` runs after every (re)connect for the caller to
 * catch up (re-read what a notification would have announced).
 *
 * TCP keepalive finds a peer that vanished without closing the connection (a failover whose old
 * primary just stopped answering), which an idle LISTEN connection would otherwise never notice.
 */
export interface ListenOptions {
  applicationName: string;
  onNotify: (channel: string, payload: string) => void;
  onConnect?: () => void;
  onDisconnect?: () => void;
  onError?: (err: unknown) => void;
  minRetryMs?: number;
  maxRetryMs?: number;
}

export interface Listening {
  /** True between a successful LISTEN and the connection's end. */
  readonly connected: boolean;
  close(): Promise<void>;
}

export function listenForever(
  url: string,
  channels: readonly string[],
  options: ListenOptions,
): Listening {
  const listened = new Set(channels);
  const minMs = options.minRetryMs ?? 250;
  const maxMs = options.maxRetryMs ?? 5000;
  let closed = false;
  let connected = false;
  let failures = 0;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;

  const lost = (c: pg.Client) => {
    if (client !== c) return;
    client = null;
    if (connected) {
      connected = false;
      options.onDisconnect?.();
    }
    if (closed || retry) return;
    const pause = Math.min(maxMs, minMs * 2 ** failures) * (0.5 + Math.random());
    failures = Math.min(failures + 1, 16);
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, pause);
  };

  const connect = async () => {
    const c = new pg.Client({
      connectionString: url,
      application_name: options.applicationName,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    client = c;
    c.on("notification", (n) => {
      if (listened.has(n.channel)) options.onNotify(n.channel, n.payload ?? "");
    });
    // Every error of this connection lands here (a client with no `error` listener would
    // take the whole process down); the `end` that follows schedules the reconnect.
    c.on("error", (err) => options.onError?.(err));
    c.on("end", () => lost(c));
    try {
      await c.connect();
      for (const channel of listened) await c.query(`listen ${pg.escapeIdentifier(channel)}`);
      if (closed || client !== c) return;
      connected = true;
      failures = 0;
      options.onConnect?.();
    } catch (err) {
      options.onError?.(err);
      await c.end().catch(() => {});
      lost(c);
    }
  };

  void connect();
  return {
    get connected() {
      return connected;
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      connected = false;
      await c?.end().catch(() => {});
    },
  };
}
