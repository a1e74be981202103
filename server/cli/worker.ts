import { hostname } from "node:os";
import { startAudienceScanner } from "../audiences/membership.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { connect, DatabaseConnectError } from "../db/connect.ts";
import { migrateLatest } from "../db/migrate.ts";
import { loadDeliveryConfig } from "../delivery/config.ts";
import { createProviders } from "../delivery/providers/index.ts";
import { startDeliveryWorker } from "../delivery/worker.ts";
import { createLogger } from "../log.ts";
import { fieldCrypto, loadOrCreateSecret } from "../privacy/keys.ts";
import { createPublisher } from "../realtime/index.ts";
import { startDateScanner } from "../runtime/date-scan.ts";
import { listenForWork } from "../runtime/due-channel.ts";
import { liveJourneyCache } from "../runtime/live-journeys.ts";
import { listenForPolicyChanges, policyCache } from "../runtime/policy.ts";
import { startTicker } from "../runtime/ticker.ts";
import { guardProcess } from "./process-guard.ts";

/**
 * `waymark worker`: the ticker and delivery without HTTP, so several processes on several
 * machines can share one PostgreSQL with nothing else in between. Needs DATABASE_URL (PGlite
 * lives inside one process) and the same WAYMARK_SECRET as the servers.
 */
export async function run(_args: string[]): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  let delivery: ReturnType<typeof loadDeliveryConfig>;
  try {
    config = loadConfig();
    delivery = loadDeliveryConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`waymark: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  if (!config.databaseUrl) {
    process.stderr.write(
      "waymark worker: set DATABASE_URL (a separate worker needs a shared PostgreSQL)\n",
    );
    return 1;
  }
  const log = createLogger(config.logLevel);
  guardProcess(log);
  let db: Awaited<ReturnType<typeof connect>>;
  try {
    db = await connect({ url: config.databaseUrl, poolMax: config.tickConcurrency + 4 });
  } catch (err) {
    if (err instanceof DatabaseConnectError) {
      process.stderr.write(`waymark: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  await migrateLatest(db.knex);
  const crypto = fieldCrypto(loadOrCreateSecret(config.secret, config.dataDir));
  const pgUrl = config.databaseUrl;
  // Live views are a convenience: a worker that cannot reach the adapter still does its job.
  const publisher = await createPublisher({ pgUrl, log }).catch((err: unknown) => {
    log.warn({ err }, "realtime unavailable: live views will miss this worker's moves");
    return null;
  });
  const workerId = `${hostname()}:${process.pid}`;
  const ticker = startTicker({
    knex: db.knex,
    crypto,
    policy: policyCache(db.knex, config.workspaceTimezone),
    linkBase: delivery.publicUrl ?? "http://localhost:3000",
    linkTtlMs: delivery.linkTtlMs,
    batchSize: config.tickBatch ?? 1000,
    concurrency: config.tickConcurrency,
    onError: (err) => log.error({ err }, "ticker batch failed"),
    onBatch: (stats) => publisher?.publishBatch(stats),
    onMessages: () => deliveryWorker.wake(),
    notifyOutbox: true,
  });
  // A settings change on any server: this worker's next batch uses the new policy.
  const policyChanges = listenForPolicyChanges(config.databaseUrl, db.knex, {
    onError: (err) => log.warn({ err }, "policy listener: reconnecting"),
  });
  const dateScanner = startDateScanner({
    knex: db.knex,
    crypto,
    live: liveJourneyCache(db.knex),
    workspaceTimezone: config.workspaceTimezone,
    now: () => new Date(),
    onError: (err) => log.error({ err }, "date-trigger scan failed"),
  });
  const audienceScanner = startAudienceScanner({
    knex: db.knex,
    live: liveJourneyCache(db.knex),
    now: () => new Date(),
    everyMs: config.audienceScanMs,
    onError: (err) => log.error({ err }, "audience scan failed"),
  });
  const deliveryWorker = startDeliveryWorker({
    knex: db.knex,
    crypto,
    providers: createProviders(delivery, log),
    log,
    workerId,
    ...delivery.worker,
  });
  // Ingest on an API server NOTIFYs, and so do other processes' batches that queue messages;
  // this worker ticks and delivers then instead of at its next poll.
  const due = listenForWork(
    config.databaseUrl,
    { due: ticker.nudge, outbox: deliveryWorker.wake },
    { onError: (err) => log.warn({ err }, "due-channel listener: reconnecting") },
  );
  process.stdout.write(
    `waymark worker ${workerId} running (ticker + delivery) on ${db.location}\n`,
  );
  const stop = async () => {
    await due.close();
    await policyChanges.close();
    await ticker.stop();
    await publisher?.close();
    await dateScanner.stop();
    await audienceScanner.stop();
    await deliveryWorker.stop();
    await db.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
  return -1;
}
