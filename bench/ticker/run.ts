import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connect } from "../../server/db/connect.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { fieldCrypto } from "../../server/privacy/keys.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { tickOnce } from "../../server/runtime/ticker.ts";
import { freshBenchDatabase } from "../lib/database.ts";
import { describeEnvironment, environmentLine } from "../lib/environment.ts";
import { type ClusterConfig, startOwnCluster } from "../lib/own-cluster.ts";
import { interleaved } from "../lib/repeat.ts";
import { writeSection } from "../lib/report.ts";
import { type Config, numbers, parseFloors, parseRefetch, sweep } from "./configs.ts";
import { BENCH_DUE, resetBench, seedBench } from "./fixture.ts";
import { runGraphile } from "./graphile.ts";
import { runPgBoss } from "./pgboss.ts";
import { recordingStep, sampleHighestIdsFirst, saveSample } from "./replay-step.ts";
import { type Measured, reportBody } from "./report.ts";
import { rowFingerprint, runTickerWorkers, storedBytes } from "./ticker-runs.ts";

/**
 * bench/ticker: N due users advancing wait → send → wait on real PostgreSQL, for each worker
 * count and batch size, next to two floors (replay: the engine's own rows with no engine;
 * physical: claim, one update, one outbox insert) and two do-it-yourself baselines (one
 * pg-boss job, or one graphile-worker job, per user step), each swept over its settings.
 * Everything runs in one invocation, `--repeat` times interleaved, so ratios compare like with
 * like; docs/SCALING.md "How the benchmark is fair" says what each row is.
 *
 *   npm run bench -- ticker [--users 100000] [--repeat 3] [--own-cluster stock,tuned]
 *     [--database-url postgres://…] [--batches 500,1000,2000] [--workers 1,2] [--no-report]
 */
const { values } = parseArgs({
  options: {
    users: { type: "string", default: "100000" },
    repeat: { type: "string", default: "1" },
    batches: { type: "string", default: "500,1000,2000" },
    workers: { type: "string", default: "1,2" },
    floors: { type: "string", default: "replay,physical" },
    "database-url": { type: "string" },
    "own-cluster": { type: "string" },
    "no-pgboss": { type: "boolean", default: false },
    "pgboss-batches": { type: "string" },
    "pgboss-poll": { type: "string", default: "0.5,2" },
    "pgboss-loops": { type: "string", default: "1,2,4" },
    "pgboss-procs": { type: "string", default: "1,2" },
    "pgboss-refetch": { type: "string", default: "full" },
    "no-graphile": { type: "boolean", default: false },
    "graphile-concurrency": { type: "string", default: "10,100,500" },
    "graphile-batches": { type: "string", default: "100,500,2000" },
    "graphile-procs": { type: "string", default: "1,2" },
    "graphile-poll-ms": { type: "string", default: "2000" },
    "no-report": { type: "boolean", default: false },
  },
  allowPositionals: true,
});
const users = Number(values.users);
const repeat = Number(values.repeat);
const batches = numbers(values.batches);
const configs = sweep({
  batches,
  workers: numbers(values.workers),
  floors: parseFloors(values.floors),
  pgboss: values["no-pgboss"]
    ? null
    : {
        // Up to the ticker's batch sizes: the same unit of work per round trip.
        batches: numbers(values["pgboss-batches"] ?? values.batches),
        poll: numbers(values["pgboss-poll"]),
        loops: numbers(values["pgboss-loops"]),
        procs: numbers(values["pgboss-procs"]),
        refetch: parseRefetch(values["pgboss-refetch"]),
      },
  graphile: values["no-graphile"]
    ? null
    : {
        concurrency: numbers(values["graphile-concurrency"]),
        batches: numbers(values["graphile-batches"]),
        procs: numbers(values["graphile-procs"]),
        pollMs: Number(values["graphile-poll-ms"]),
      },
});
if (!(users > 0) || !(repeat > 0) || configs.some((c) => c.kind === "ticker" && !(c.batch > 0)))
  throw new Error("--users, --repeat and --batches must be positive numbers");

/** Runs the whole sweep against one PostgreSQL server (`admin`: a URL to it, or undefined). */
async function benchOn(admin: string | undefined, server: string): Promise<void> {
  const url = await freshBenchDatabase("waymark_bench", "ticker", admin);
  const env = await describeEnvironment(url);
  const ranOn = environmentLine(env, server);
  console.log(ranOn);
  const db = await connect({ url });
  await migrateLatest(db.knex);
  console.log(`seeding ${users.toLocaleString()} users…`);
  const { template } = await seedBench(db.knex, users);

  // The replay floor's sample: one real engine batch over the highest ids, recorded.
  const sampleFile = join(tmpdir(), `waymark-bench-replay-${process.pid}.json`);
  const sample: Parameters<typeof recordingStep>[0] = [];
  // Few: each sample user's rows get a compiled builder (replay-step.ts), and 20 of them are
  // hot after a few batches where 200 ran interpreted for most of a 100,000-user run.
  const sampleSize = Math.min(20, users);
  await sampleHighestIdsFirst(db.knex, sampleSize);
  await tickOnce({
    knex: db.knex,
    crypto: fieldCrypto("bench-secret-bench-secret-bench-secret"),
    policy: policyCache(db.knex, "UTC", 60_000),
    linkBase: "https://wm.example",
    batchSize: sampleSize,
    now: () => new Date(BENCH_DUE),
    step: recordingStep(sample),
  });
  saveSample(sampleFile, sample);

  const bytes = new Map<string, string>();
  const fingerprints = new Map<string, string>();
  const results = await interleaved(configs, repeat, async (c: Config, round) => {
    await resetBench(db.knex, template);
    let m: Measured;
    switch (c.kind) {
      case "ticker": {
        const r = await runTickerWorkers(
          db.knex,
          url,
          users,
          c.workers,
          c.batch,
          c.mode,
          sampleFile,
        );
        // The rows the floor must match (the physical floor writes no snapshot or timeline).
        if (round === 0 && c.mode !== "physical" && !bytes.has(c.mode)) {
          bytes.set(c.mode, await storedBytes(db.knex));
          fingerprints.set(c.mode, await rowFingerprint(db.knex));
        }
        m = { usersPerSec: r.usersPerSec, phases: r.phases, peakRssMiB: r.peakRssMiB };
        break;
      }
      case "pgboss":
        m = await runPgBoss(db.knex, url, users, c.c);
        break;
      case "graphile":
        m = await runGraphile(db.knex, url, users, c.c);
        break;
    }
    console.log(`round ${round + 1}: ${JSON.stringify(c)} → ${Math.round(m.usersPerSec)} users/s`);
    return m;
  });
  await db.close();
  rmSync(sampleFile, { force: true });
  const engineRows = fingerprints.get("engine");
  const replayRows = fingerprints.get("replay");
  const replayMatches = engineRows && replayRows ? engineRows === replayRows : null;
  if (replayMatches === false)
    console.error(`replay floor rows differ from the engine's: ${engineRows} vs ${replayRows}`);
  const body = reportBody({ users, repeat, configs, results, bytes, replayMatches, server });
  console.log(`\n${body}`);
  if (!values["no-report"]) {
    const suffix = server === "shared server" ? "" : `-${server.replace(/\W+/g, "-")}`;
    writeSection(
      `ticker${users === 100_000 ? "" : `-${users}`}${suffix}`,
      `Ticker (PostgreSQL, ${users.toLocaleString("en-US")} users, ${server})`,
      body,
      `on ${ranOn}`,
    );
  }
}

const own = values["own-cluster"];
if (own) {
  for (const config of own.split(",") as ClusterConfig[]) {
    if (config !== "stock" && config !== "tuned")
      throw new Error(`--own-cluster: "${config}" is not stock or tuned`);
    const cluster = await startOwnCluster(config);
    try {
      await benchOn(cluster.url, `own cluster, ${config} settings`);
    } finally {
      await cluster.stop();
    }
  }
} else {
  await benchOn(values["database-url"], values["database-url"] ? "given server" : "shared server");
}
// The benchmark ends when its report is written, whatever handles pg-boss leaves open.
process.exit(0);
