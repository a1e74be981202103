import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { createApp } from "./app.ts";
import { startAudienceScanner } from "./audiences/membership.ts";
import type { Config } from "./config.ts";
import { connect, type Database } from "./db/connect.ts";
import { migrateLatest } from "./db/migrate.ts";
import { loadDeliveryConfig } from "./delivery/config.ts";
import { createProviders } from "./delivery/providers/index.ts";
import { startDeliveryWorker } from "./delivery/worker.ts";
import { createActivity } from "./http/activity.ts";
import type { Logger } from "./log.ts";
import { createMetrics } from "./metrics.ts";
import { fieldCrypto, loadOrCreateSecret } from "./privacy/keys.ts";
import { attachRealtime, type Realtime } from "./realtime/index.ts";
import { startDateScanner } from "./runtime/date-scan.ts";
import { listenForDue } from "./runtime/due-channel.ts";
import { liveJourneyCache } from "./runtime/live-journeys.ts";
import { policyCache } from "./runtime/policy.ts";
import { startTicker } from "./runtime/ticker.ts";
import { type SeedResult, seedIfEmpty } from "./seed/demo.ts";

export interface Running {
  url: string;
  db: Database;
  http: Server;
  seed: SeedResult;
  close(): Promise<void>;
}

export class PortInUseError extends Error {}

/** Everything `waymark start` runs, in order: connect, migrate, seed, listen. */
export async function startServer(config: Config, log: Logger): Promise<Running> {
  const db = await connect({
    url: config.databaseUrl,
    pgliteDir: config.dataDir,
    poolMax: config.dbPool,
  });
  let realtime: Realtime | undefined;
  try {
    const applied = await migrateLatest(db.knex);
    if (applied.length) log.info({ applied }, "migrations applied");
    const crypto = fieldCrypto(loadOrCreateSecret(config.secret, config.dataDir));
    const seed = await seedIfEmpty(db.knex, crypto, { demo: config.demoSeed });
    const delivery = loadDeliveryConfig();
    const metrics = createMetrics(db.knex);
    // PGlite's one connection: the ticker waits for requests in flight (server/http/activity.ts).
    const activity = db.kind === "pglite" ? createActivity() : undefined;
    // The ticker starts after the app; requests that make users due reach it through this.
    let nudgeTicker = () => {};
    const app = createApp({
      db,
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
    const http = createServer(app);
    realtime = await attachRealtime(http, {
      knex: db.knex,
      dbKind: db.kind,
      pgUrl: config.databaseUrl,
      log,
    });
    const rt = realtime;
    await listen(http, config.port, config.host);
    const { port } = http.address() as AddressInfo;
    const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
    const url = `http://${host}:${port}`;
    // PGlite runs one transaction at a time: batches of 500 and a 2 ms pause between them keep
    // API p99 under 200 ms while the ticker drains (bench/ticker-pglite: ~6,200 users/s).
    const ticker = config.runWorkers
      ? startTicker({
          knex: db.knex,
          crypto,
          policy: policyCache(db.knex, config.workspaceTimezone),
          linkBase: delivery.publicUrl ?? url,
          batchSize: config.tickBatch ?? (db.kind === "pglite" ? 500 : 1000),
          concurrency: db.kind === "pglite" ? 1 : config.tickConcurrency,
          ...(activity
            ? { yieldMs: 2, nudgeGapMs: 50, beforeBatch: () => activity.idle(100) }
            : {}),
          onError: (err) => log.error({ err }, "ticker batch failed"),
          onBatch: (stats) => {
            metrics.observeBatch(stats);
            rt.publisher.publishBatch(stats);
          },
        })
      : null;
    if (ticker) nudgeTicker = ticker.nudge;
    // Other API servers on the same PostgreSQL NOTIFY when their requests make users due.
    const due =
      ticker && config.databaseUrl
        ? listenForDue(config.databaseUrl, ticker.nudge, {
            onError: (err) => log.warn({ err }, "due-channel listener: reconnecting"),
          })
        : null;
    const dateScanner = config.runWorkers
      ? startDateScanner({
          knex: db.knex,
          crypto,
          live: liveJourneyCache(db.knex),
          workspaceTimezone: config.workspaceTimezone,
          now: () => new Date(),
          onError: (err) => log.error({ err }, "date-trigger scan failed"),
        })
      : null;
    const audienceScanner = config.runWorkers
      ? startAudienceScanner({
          knex: db.knex,
          live: liveJourneyCache(db.knex),
          now: () => new Date(),
          everyMs: config.audienceScanMs,
          onError: (err) => log.error({ err }, "audience scan failed"),
        })
      : null;
    const deliveryWorker = config.runWorkers
      ? startDeliveryWorker({
          knex: db.knex,
          crypto,
          providers: createProviders(delivery, log),
          log,
          workerId: `${hostname()}:${process.pid}`,
          ...delivery.worker,
        })
      : null;
    return {
      url,
      db,
      http,
      seed,
      async close() {
        await due?.close();
        await ticker?.stop();
        await dateScanner?.stop();
        await audienceScanner?.stop();
        await deliveryWorker?.stop();
        await rt.close();
        http.closeAllConnections();
        await new Promise<void>((done) => http.close(() => done()));
        await db.close();
      },
    };
  } catch (err) {
    await realtime?.close().catch(() => {});
    await db.close().catch(() => {});
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
