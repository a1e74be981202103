import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { createApp } from "./app.ts";
import { type AdminSocket, serveAdminSocket } from "./cli/admin-socket.ts";
import type { Config } from "./config.ts";
import { connect, type Database } from "./db/connect.ts";
import { acquireDataDirLock } from "./db/lock.ts";
import { type RunningMaintenance, startMaintenance } from "./db/maintenance.ts";
import { migrateLatest } from "./db/migrate.ts";
import { loadDeliveryConfig } from "./delivery/config.ts";
import { providerRulesInEffect } from "./delivery/provider-rules.ts";
import { createActivity } from "./http/activity.ts";
import type { Logger } from "./log.ts";
import { createMetrics } from "./metrics.ts";
import { fieldCrypto, loadOrCreateSecret } from "./privacy/keys.ts";
import { attachRealtime, type Realtime } from "./realtime/index.ts";
import { liveJourneyCache } from "./runtime/live-journeys.ts";
import { listenForPolicyChanges, policyCache } from "./runtime/policy.ts";
import { startWorkers } from "./runtime/workers.ts";
import { type SeedResult, seedIfEmpty } from "./seed/demo.ts";

export interface Running {
  url: string;
  db: Database;
  http: Server;
  seed: SeedResult;
  close(): Promise<void>;
}

export class PortInUseError extends Error {}

/**
 * Everything `waymark start` runs, in order: take the PGlite folder (one owner, db/lock.ts), bind
 * the port, connect, migrate, seed, serve. The port comes before the seed so that a busy port
 * fails before the first admin and its one-time password exist: the password is printed by the
 * start that created the admin, and that start must be one that runs.
 */
export async function startServer(config: Config, log: Logger): Promise<Running> {
  const lock = config.databaseUrl ? null : acquireDataDirLock(config.dataDir, "start");
  // Until the app is ready the port answers 503 (Retry-After) instead of hanging.
  let handle: RequestListener = (_req, res) => {
    res.writeHead(503, { "content-type": "application/json", "retry-after": "1" });
    res.end(
      JSON.stringify({
        error: { code: "starting", message: "Waymark is starting", details: null },
      }),
    );
  };
  const http = createServer((req, res) => handle(req, res));
  // Idle keep-alive sockets live longer than a client's or proxy's reuse window (load
  // balancers keep theirs 60 s): with Node's default 5 s, a request sent on a socket the server
  // was just closing got ECONNRESET (a POST is not retried) — seen from Playwright's request
  // client in tests/browser/roles.test.ts, and the classic 502 behind a proxy.
  http.keepAliveTimeout = 65_000;
  http.headersTimeout = 66_000;
  try {
    await listen(http, config.port, config.host);
  } catch (err) {
    lock?.release();
    throw err;
  }
  let db: Database | undefined;
  let realtime: Realtime | undefined;
  let admin: AdminSocket | undefined;
  let maintenance: RunningMaintenance | undefined;
  try {
    db = await connect({
      url: config.databaseUrl,
      pgliteDir: config.dataDir,
      poolMax: config.dbPool,
    });
    const applied = await migrateLatest(db.knex);
    if (applied.length) log.info({ applied }, "migrations applied");
    const crypto = fieldCrypto(loadOrCreateSecret(config.secret, config.dataDir));
    const seed = await seedIfEmpty(db.knex, crypto, { demo: config.demoSeed });
    const delivery = loadDeliveryConfig();
    const knex = db.knex;
    const metrics = createMetrics(db.knex);
    // PGlite's one connection: the ticker waits for requests in flight (server/http/activity.ts).
    const activity = db.kind === "pglite" ? createActivity() : undefined;
    // The ticker starts after the app; requests that make users due reach it through this.
    let nudgeTicker = () => {};
    // One live-journey cache for the API and the scanners: a publish invalidates it for both.
    const live = liveJourneyCache(db.knex);
    const app = createApp({
      db,
      live,
      onDue: () => nudgeTicker(),
      log,
      crypto,
      delivery,
      metrics,
      workspaceTimezone: config.workspaceTimezone,
      serveClient: config.serveClient,
      secureCookies: config.secureCookies,
      ingest: { concurrency: config.ingestConcurrency },
      ...(activity ? { activity } : {}),
    });
    handle = app;
    realtime = await attachRealtime(http, {
      knex: db.knex,
      dbKind: db.kind,
      pgUrl: config.databaseUrl,
      log,
      ...(activity ? { gate: activity.background } : {}),
    });
    const rt = realtime;
    // The CLI's keys/operators commands run here while we hold the folder (cli/admin-socket.ts).
    // Before the loops start, so that a failure here leaves nothing running.
    admin = lock
      ? await serveAdminSocket({ dir: config.dataDir, token: lock.owner.token, knex: db.knex, log })
      : undefined;
    const adminSocket = admin;
    const { port } = http.address() as AddressInfo;
    const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
    const url = `http://${host}:${port}`;
    // A settings change in another process on the same PostgreSQL: re-read the policy now.
    const policyChanges = config.databaseUrl
      ? listenForPolicyChanges(config.databaseUrl, db.knex, {
          onError: (err) => log.warn({ err }, "policy listener: reconnecting"),
        })
      : null;
    // PGlite runs one transaction at a time: batches of 500 and a 2 ms pause between them keep
    // the API answering while the ticker drains (bench/ticker-pglite measures both).
    const workers = config.runWorkers
      ? await startWorkers({
          knex: db.knex,
          crypto,
          log,
          delivery,
          live,
          policy: policyCache(db.knex, config.workspaceTimezone, undefined, () =>
            providerRulesInEffect(knex, crypto, delivery),
          ),
          fallbackLinkBase: url,
          workspaceTimezone: config.workspaceTimezone,
          audienceScanMs: config.audienceScanMs,
          workerId: `${hostname()}:${process.pid}`,
          databaseUrl: config.databaseUrl,
          ticker: {
            batchSize: config.tickBatch ?? (db.kind === "pglite" ? 500 : 1000),
            concurrency: db.kind === "pglite" ? 1 : config.tickConcurrency,
            exclusive: db.kind === "pglite",
            // PGlite: a batch holds the API's thread, so its time, not its count, is the bound.
            ...(activity && config.tickBatch === undefined ? { batchMs: config.tickBatchMs } : {}),
            ...(activity ? { yieldMs: 2, nudgeGapMs: 50 } : {}),
          },
          ...(activity ? { gate: activity.background } : {}),
          onBatch: (stats) => {
            metrics.observeBatch(stats);
            rt.publisher.publishBatch(stats);
          },
        })
      : null;
    if (workers) nudgeTicker = workers.nudgeTicker;
    // PGlite has no autovacuum or checkpointer of its own (db/maintenance.ts).
    maintenance = activity
      ? startMaintenance({
          knex: db.knex,
          log,
          everyMs: config.housekeepingMs,
          gate: activity.background,
        })
      : undefined;
    const housekeeping = maintenance;
    const database = db;
    return {
      url,
      db,
      http,
      seed,
      async close() {
        await adminSocket?.close();
        await policyChanges?.close();
        await workers?.stop();
        await housekeeping?.stop();
        await rt.close();
        http.closeAllConnections();
        await new Promise<void>((done) => http.close(() => done()));
        await database.close();
        lock?.release();
      },
    };
  } catch (err) {
    await admin?.close().catch(() => {});
    await maintenance?.stop().catch(() => {});
    await realtime?.close().catch(() => {});
    http.closeAllConnections();
    await new Promise<void>((done) => http.close(() => done()));
    await db?.close().catch(() => {});
    lock?.release();
    throw err;
  }
}

function listen(http: Server, port: number, host: string): Promise<void> {
  return new Promise((done, fail) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") {
        fail(
          new PortInUseError(
            `port ${port} is already in use (is Waymark already running?); set PORT to use another`,
          ),
        );
      } else fail(err);
    };
    http.once("error", onError);
    http.listen(port, host, () => {
      http.off("error", onError);
      done();
    });
  });
}
