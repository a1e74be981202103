import { hostname } from "node:os";
import { ConfigError, loadConfig } from "../config.ts";
import { connect, DatabaseConnectError } from "../db/connect.ts";
import { migrateLatest } from "../db/migrate.ts";
import { loadDeliveryConfig } from "../delivery/config.ts";
import { providerRulesInEffect } from "../delivery/provider-rules.ts";
import { createLogger } from "../log.ts";
import { fieldCrypto, loadOrCreateSecret } from "../privacy/keys.ts";
import { createPublisher } from "../realtime/index.ts";
import { liveJourneyCache } from "../runtime/live-journeys.ts";
import { listenForPolicyChanges, policyCache } from "../runtime/policy.ts";
import { startWorkers } from "../runtime/workers.ts";
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
  // A settings change on any server: this worker's next batch uses the new policy.
  const policyChanges = listenForPolicyChanges(config.databaseUrl, db.knex, {
    onError: (err) => log.warn({ err }, "policy listener: reconnecting"),
  });
  const workers = await startWorkers({
    knex: db.knex,
    crypto,
    log,
    delivery,
    live: liveJourneyCache(db.knex),
    policy: policyCache(db.knex, config.workspaceTimezone, undefined, () =>
      providerRulesInEffect(db.knex, crypto, delivery),
    ),
    fallbackLinkBase: "http://localhost:3000",
    workspaceTimezone: config.workspaceTimezone,
    audienceScanMs: config.audienceScanMs,
    workerId,
    databaseUrl: config.databaseUrl,
    ticker: { batchSize: config.tickBatch ?? 1000, concurrency: config.tickConcurrency },
    ...(publisher ? { onBatch: (stats) => publisher.publishBatch(stats) } : {}),
  });
  process.stdout.write(
    `waymark worker ${workerId} running (ticker + delivery) on ${db.location}\n`,
  );
  const stop = async () => {
    await policyChanges.close();
    await workers.stop();
    await publisher?.close();
    await db.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
  return -1;
}
