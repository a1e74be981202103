import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createApp } from "../../server/app.ts";
import { connect } from "../../server/db/connect.ts";
import { startMaintenance } from "../../server/db/maintenance.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { loadDeliveryConfig } from "../../server/delivery/config.ts";
import { createActivity } from "../../server/http/activity.ts";
import { createApiKey } from "../../server/keys/api-keys.ts";
import { createLogger } from "../../server/log.ts";
import { fieldCrypto } from "../../server/privacy/keys.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { startTicker, tickOnce } from "../../server/runtime/ticker.ts";
import { tempDir } from "../../tests/helpers/server-process.ts";
import { writeSection } from "../lib/report.ts";
import { BENCH_DUE, resetBench, seedBench } from "../ticker/fixture.ts";

/**
 * bench/ticker-pglite: what `npm start` does on a machine with no PostgreSQL server. The
 * ticker drains N due users (wait → send → wait) on embedded PGlite, in the same process as the
 * HTTP API, while a client in its own process (client.ts) calls the API at a fixed rate;
 * reports users/s and the API's latency percentiles. PGlite runs one transaction at a time, so the ticker's batch size is the
 * trade-off between throughput and API latency.
 *
 * The client is open-loop: request i is sent at start + i / rate whether or not earlier ones
 * have answered, and its latency counts from that scheduled instant. A closed loop (send, wait
 * for the answer, pause, send) sends fewer requests exactly while the server is slow, so its
 * percentiles leave out the slowest moments (coordinated omission); and a p99 needs hundreds of
 * samples, so each batch size drains the users again (passes) until the API answered
 * --samples requests (1,000 by default).
 */
const { values } = parseArgs({
  options: {
    users: { type: "string", default: "100000" },
    batches: { type: "string", default: "250,500,800" },
    /** API requests per second, sent on schedule (open loop). */
    rate: { type: "string", default: "10" },
    /** Drains are repeated until the API answered at least this many requests. */
    samples: { type: "string", default: "1000" },
  },
  allowPositionals: true,
});
const users = Number(values.users);
const batches = values.batches.split(",").map(Number);
const rate = Number(values.rate);
const minSamples = Number(values.samples);
if (!(users > 0) || !(rate > 0) || !(minSamples > 0) || batches.some((b) => !(b > 0)))
  throw new Error("--users, --rate and --batches must be positive numbers");

const db = await connect({ pgliteDir: tempDir("waymark-bench-pglite-") });
await migrateLatest(db.knex);
console.log(`seeding ${users.toLocaleString()} users on PGlite…`);
const { template } = await seedBench(db.knex, users);
const crypto = fieldCrypto("bench-secret-bench-secret-bench-secret");
// As server/server.ts wires PGlite: the ticker lets API requests in flight finish first, and
// takes no row locks (one transaction at a time).
const activity = createActivity();
const app = createApp({
  activity,
  db,
  log: createLogger("silent"),
  crypto,
  delivery: loadDeliveryConfig({}),
  serveClient: false,
});
const http = createServer(app);
await new Promise<void>((done) => http.listen(0, "127.0.0.1", done));
const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
const { key } = await createApiKey(db.knex, "secret", "bench", null);

// Warm-up, untimed: the server's first request and the ticker's first batches pay for
// compiling their code paths (~200-300 ms measured), which is start-up cost, not latency under
// load. Every run below starts from resetBench, so these steps leave nothing behind.
await (
  await fetch(`${base}/api/journeys`, { headers: { authorization: `Bearer ${key}` } })
).arrayBuffer();
for (let i = 0; i < 3; i++) {
  await tickOnce({
    knex: db.knex,
    crypto,
    policy: policyCache(db.knex, "UTC", 60_000),
    linkBase: base,
    batchSize: 250,
    exclusive: true,
    now: () => new Date(BENCH_DUE),
  });
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const rows: string[] = [];
// PGlite's housekeeping, as server/server.ts runs it beside the ticker (db/maintenance.ts).
const housekeeping = startMaintenance({
  knex: db.knex,
  log: createLogger("silent"),
  gate: (statement) => activity.background(100, statement),
});
/**
 * One drain of every user with the ticker at `batch` while the API is called open loop at
 * `rate`; the latencies are pushed onto `latencies`.
 */
async function pass(batch: number, latencies: number[]): Promise<number> {
  await resetBench(db.knex, template);
  // The API under load, open loop, from a process of its own (client.ts says why).
  const client = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(import.meta.dirname, "client.ts"),
      `${base}/api/journeys`,
      key,
      String(rate),
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  let out = "";
  const ready = new Promise<void>((done) =>
    client.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith("ready\n")) done();
    }),
  );
  const exited = new Promise<number | null>((done) => client.once("exit", done));
  await ready;
  let processed = 0;
  const started = performance.now();
  const finished = new Promise<void>((done) => {
    const ticker = startTicker({
      knex: db.knex,
      crypto,
      policy: policyCache(db.knex, "UTC", 60_000),
      linkBase: base,
      batchSize: batch,
      pollMs: 5,
      exclusive: true,
      yieldMs: 2,
      gate: (batch) => activity.background(100, batch),
      now: () => new Date(BENCH_DUE),
      onBatch: (s) => {
        processed += s.claimed;
        if (processed >= users) void ticker.stop().then(done);
      },
    });
  });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  client.stdin.end("stop\n");
  const code = await exited;
  const report = JSON.parse(out.slice("ready\n".length)) as { latencies: number[]; errors: number };
  if (code !== 0 || report.errors > 0)
    throw new Error(
      `${report.errors} API requests failed or answered other than 200 (client exit ${code})`,
    );
  latencies.push(...report.latencies);
  return seconds;
}

for (const batch of batches) {
  // Passes until the API has been sampled enough for a p99 (at least --samples answers).
  const latencies: number[] = [];
  let seconds = 0;
  let passes = 0;
  while (latencies.length < minSamples) {
    seconds += await pass(batch, latencies);
    passes++;
  }
  latencies.sort((a, b) => a - b);
  const line = `| ${batch} | ${Math.round((users * passes) / seconds).toLocaleString("en-US")} | ${passes} × ${(seconds / passes).toFixed(1)} s | ${latencies.length} | ${pct(latencies, 50).toFixed(0)} ms | ${pct(latencies, 99).toFixed(0)} ms | ${(latencies.at(-1) ?? 0).toFixed(0)} ms | ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB |`;
  console.log(line);
  rows.push(line);
}
await housekeeping.stop();
http.closeAllConnections();
http.close();
await db.close();

writeSection(
  "ticker-pglite",
  "Ticker on PGlite (no database server)",
  `${users.toLocaleString("en-US")} due users advancing wait → send → wait on embedded PGlite (file-backed), the ticker and the HTTP API in one process as \`npm start\` runs them, while a client in a process of its own sends \`GET /api/journeys\` ${rate} times a second on a fixed schedule (open loop: latency counts from when each request was due, so a stalled server is not sampled less; the ticker takes no row locks and the server's housekeeping runs beside it, as \`npm start\` runs them on PGlite), every user drained again until the API answered ${minSamples.toLocaleString("en-US")} requests. Peak RSS is the process's (server, ticker and PGlite) up to the end of that row. \`npm run bench -- ticker-pglite --users ${users} --rate ${rate} --samples ${minSamples}\`.

| batch | users/s | passes × wall time | API samples | API p50 | API p99 | API max | peak RSS |
|---|---|---|---|---|---|---|---|
${rows.join("\n")}

Targets (issue 4): ≥ 6,000 users/s with API p99 < 200 ms.`,
);
process.exit(0);
