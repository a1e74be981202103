import { randomBytes } from "node:crypto";
import type { Server as HttpServer } from "node:http";
import { createAdapter } from "@socket.io/postgres-adapter";
import pg from "pg";
import { Server } from "socket.io";
import type { Logger } from "../log.ts";
import type { RealtimeServer } from "./protocol.ts";

export interface ClusterOptions {
  dbKind: "pglite" | "postgres";
  /** PostgreSQL URL; required with `dbKind: "postgres"`. */
  pgUrl?: string | undefined;
  log: Logger;
  /** How long to wait for the adapter's LISTEN connection before giving up. */
  readyTimeoutMs?: number;
}

export interface Cluster {
  io: RealtimeServer;
  /** True when other processes share the rooms (PostgreSQL adapter). */
  clustered: boolean;
  close(): Promise<void>;
}

export const SOCKET_PATH = "/socket.io";

/**
 * A socket.io server, on `http` or (for a worker that only publishes) on nothing. On PGlite,
 * which lives inside one process, the default in-memory adapter. On PostgreSQL, the postgres
 * adapter: every process LISTENs on one channel, and a broadcast or `serverSideEmit` is a
 * `pg_notify` (payloads over 8,000 bytes go through the `socket_io_attachments` table). A
 * `Server` with no HTTP listener is a full cluster member that simply has no sockets, which is
 * what `@socket.io/postgres-emitter` would give a worker, without the extra package.
 */
export async function createCluster(
  http: HttpServer | null,
  options: ClusterOptions,
): Promise<Cluster> {
  const base = { path: SOCKET_PATH, serveClient: false };
  if (options.dbKind === "pglite") {
    const io: RealtimeServer = new Server(base);
    if (http) io.attach(http);
    return { io, clustered: false, close: () => closeIo(io, http) };
  }
  if (!options.pgUrl) throw new Error("realtime on PostgreSQL needs pgUrl");
  const { log } = options;
  // A name of our own lets the readiness check find this pool's LISTEN connection.
  const applicationName = `waymark-realtime-${process.pid}-${randomBytes(4).toString("hex")}`;
  // One connection stays checked out for LISTEN; the others publish and clean up attachments.
  const pool = new pg.Pool({
    connectionString: options.pgUrl,
    max: 4,
    application_name: applicationName,
    connectionTimeoutMillis: 5000,
  });
  // pg-pool hangs the whole client object on the error; the message and code are what matter.
  pool.on("error", (err) =>
    log.warn(
      { err: { message: err.message, code: (err as { code?: string }).code } },
      "realtime: PostgreSQL connection lost",
    ),
  );
  const listenPool = withOwnListenConnection(
    pool,
    {
      connectionString: options.pgUrl,
      application_name: applicationName,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    },
    (err) => log.warn({ err }, "realtime: PostgreSQL LISTEN connection lost; reconnecting"),
  );
  try {
    await createAttachmentsTable(pool);
    const io: RealtimeServer = new Server({
      ...base,
      adapter: createAdapter(listenPool, {
        errorHandler: (err) => log.warn({ err }, "realtime: PostgreSQL adapter error"),
      }),
    });
    try {
      await listening(pool, applicationName, options.readyTimeoutMs ?? 10_000);
    } catch (err) {
      await closeIo(io, null);
      throw err;
    }
    if (http) io.attach(http);
    return {
      io,
      clustered: true,
      async close() {
        await closeIo(io, http);
        await pool.end();
      },
    };
  } catch (err) {
    // Not awaited: a LISTEN connection the adapter acquires late is never released, and start-up
    // must fail with the error rather than hang on it.
    pool.end().catch(() => {});
    throw err;
  }
}

/**
 * The adapter checks one client out of its pool for LISTEN and keeps it. A checked-out pg client
 * has no `error` listener (the pool only listens while a client is idle), so when that connection
 * died — a terminated backend, a database restart, a failover — the `error` event had no
 * listener and took the whole process down (issue #12); and the dead client was never released,
 * so every reconnect would also have leaked a pool slot. So the adapter gets the pool with one
 * change: `connect()` opens a client of its own, outside the pool, with an error listener, whose
 * `release()` ends it. The adapter's `end` handler then reconnects by itself (1–3 s, jittered)
 * and LISTENs again. Everything else (`query` for NOTIFY and attachments) is the pool's.
 */
function withOwnListenConnection(
  pool: pg.Pool,
  config: pg.ClientConfig,
  onError: (err: Error) => void,
): pg.Pool {
  const connect = async (): Promise<pg.PoolClient> => {
    const client = new pg.Client(config);
    client.on("error", onError);
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    return Object.assign(client, {
      release: () => {
        client.end().catch(() => {});
      },
    }) as pg.PoolClient;
  };
  return new Proxy(pool, {
    get(target, prop) {
      if (prop === "connect") return connect;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * Not `io.close()`: that also closes the HTTP server, whose lifecycle belongs to the caller
 * (server.ts closes it after draining requests). Closing the adapter releases its LISTEN
 * connection and stops its heartbeat and cleanup timers.
 */
async function closeIo(io: RealtimeServer, http: HttpServer | null): Promise<void> {
  io.local.disconnectSockets(true);
  await io.of("/").adapter.close();
  if (http) io.engine.close();
}

/** The adapter's README table, created idempotently; two processes starting at once may race. */
async function createAttachmentsTable(pool: pg.Pool): Promise<void> {
  try {
    await pool.query(`create table if not exists socket_io_attachments (
      id bigserial unique,
      created_at timestamptz default now(),
      payload bytea
    )`);
  } catch (err) {
    // 23505/42P07: the other process created it between our check and our create.
    const code = (err as { code?: string }).code;
    if (code !== "23505" && code !== "42P07") throw err;
  }
}

/**
 * The adapter connects and LISTENs in the background and offers no promise for it; until it is
 * listening, pushes from other processes are silently missed. pg_stat_activity shows a session's
 * last statement, so our pool's session whose last statement was LISTEN, now idle, means ready.
 */
async function listening(pool: pg.Pool, applicationName: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rowCount } = await pool.query(
      `select 1 from pg_stat_activity
        where application_name = $1 and state = 'idle' and query like 'LISTEN %'`,
      [applicationName],
    );
    if (rowCount) return;
    if (Date.now() > deadline) {
      throw new Error(`realtime: the PostgreSQL adapter is not listening after ${timeoutMs} ms`);
    }
    await new Promise((done) => setTimeout(done, 25));
  }
}
