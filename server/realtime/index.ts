import type { Server as HttpServer } from "node:http";
import type { Knex } from "knex";
import type { Gate } from "../db/gate.ts";
import type { Logger } from "../log.ts";
import { enforceCredentials, handshakeAuth } from "./auth.ts";
import { createCluster } from "./cluster.ts";
import type { RealtimeServer } from "./protocol.ts";
import { deliverLocally, type Publisher, startPublisher } from "./publisher.ts";
import { snapshotCounts } from "./snapshot.ts";
import { handleSubscriptions, startResync } from "./subscriptions.ts";

export type { BatchChanges } from "./flush.ts";
export type * from "./protocol.ts";
export type { Publisher } from "./publisher.ts";

export interface RealtimeOptions {
  knex: Knex;
  dbKind: "pglite" | "postgres";
  /** PostgreSQL URL (the same DATABASE_URL); required with `dbKind: "postgres"`. */
  pgUrl?: string | undefined;
  log: Logger;
  /** Minimum time between two pushes of coalesced counts (and timeline entries). */
  flushMs?: number;
  /** How often journey rooms get absolute counts again; 0 turns it off. */
  resyncMs?: number;
  /** PGlite: the resync's reads take turns with the other background work (db/gate.ts). */
  gate?: Gate;
  /** How often sockets' sessions and keys are re-checked (expiry, CLI changes); 0 turns it off. */
  credentialCheckMs?: number;
}

export interface Realtime {
  io: RealtimeServer;
  /** This process's publisher: wire it to the ticker's `onBatch`. */
  publisher: Publisher;
  /** Active enrollments per node, the absolute counts a journey subscriber gets first. */
  snapshotCounts(journeyId: string): Promise<Record<string, number>>;
  /** Flushes, disconnects sockets and leaves the cluster; the HTTP server stays open. */
  close(): Promise<void>;
}

/**
 * socket.io on the app's HTTP server at `/socket.io`: sockets authenticate on connect with the
 * session cookie or a secret key, join `journey:<id>` / `contact:<id>` rooms with `subscribe`,
 * and receive `counts` and `timeline` pushes from every process's ticker.
 */
export async function attachRealtime(
  http: HttpServer,
  options: RealtimeOptions,
): Promise<Realtime> {
  const cluster = await createCluster(http, options);
  const { io } = cluster;
  const publisher = startPublisher(io, {
    clustered: cluster.clustered,
    log: options.log,
    ...(options.flushMs !== undefined ? { flushMs: options.flushMs } : {}),
  });
  const deps = {
    knex: options.knex,
    log: options.log,
    publisher,
    snapshotCounts: (journeyId: string) => snapshotCounts(options.knex, journeyId),
  };
  // Flushes from other processes' publishers; our own never come back (the adapter drops them).
  io.on("flush", (flush) => deliverLocally(io, flush));
  io.use(handshakeAuth(options.knex, options.log));
  io.on("connection", (socket) => handleSubscriptions(socket, deps));
  const stopCredentials = enforceCredentials(io, {
    knex: options.knex,
    log: options.log,
    everyMs: options.credentialCheckMs ?? 30_000,
  });
  const stopResync = startResync(io, deps, options.resyncMs ?? 30_000, options.gate);
  return {
    io,
    publisher,
    snapshotCounts: deps.snapshotCounts,
    async close() {
      await stopResync();
      await stopCredentials();
      await publisher.close();
      await cluster.close();
    },
  };
}

export interface PublisherProcessOptions {
  /** PostgreSQL URL: a process without HTTP only makes sense next to servers on a shared database. */
  pgUrl: string;
  log: Logger;
  flushMs?: number;
}

/**
 * For `waymark worker` (ticker, no HTTP): a socket.io server with no listener, joined to the
 * PostgreSQL adapter, so its flushes reach the sockets of every server process. Its `close`
 * also leaves the cluster.
 */
export async function createPublisher(options: PublisherProcessOptions): Promise<Publisher> {
  const cluster = await createCluster(null, {
    dbKind: "postgres",
    pgUrl: options.pgUrl,
    log: options.log,
  });
  const publisher = startPublisher(cluster.io, {
    clustered: true,
    log: options.log,
    ...(options.flushMs !== undefined ? { flushMs: options.flushMs } : {}),
  });
  return {
    publishBatch: publisher.publishBatch,
    flush: publisher.flush,
    async close() {
      await publisher.close();
      await cluster.close();
    },
  };
}
