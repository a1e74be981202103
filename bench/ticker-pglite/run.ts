import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { createApp } from "../../server/app.ts";
import { connect } from "../../server/db/connect.ts";
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
 * HTTP API, while a client calls the API 20 times a second; reports users/s and the API's
 * latency percentiles. PGlite runs one transaction at a time, so the ticker's batch size is
 * the trade-off between throughput and API latency.
 */
const { values } = parseArgs({
  options: {
    users: { type: "string", default: "50000" },
    batches: { type: "string", default: "250,500,800" },
  },
  allowPositionals: true,
});
const users = Number(values.users);
const batches = values.batches.split(",").map(Number);

const db = await connect({ pgliteDir: tempDir("waymark-bench-pglite-") });
await migrateLatest(db.knex);
console.log(`seeding ${users.toLocaleString()} users on PGlite…`);
const { template } = await seedBench(db.knex, users);
const crypto = fieldCrypto("bench-secret-bench-secret-bench-secret");
// As server/server.ts wires PGlite: the ticker lets API requests in flight finish first.
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
    now: () => new Date(BENCH_DUE),
  });
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const rows: string[] = [];
for (const batch of batches) {
  await resetBench(db.knex, template);
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
      yieldMs: 2,
      beforeBatch: () => activity.idle(100),
      now: () => new Date(BENCH_DUE),
      onBatch: (s) => {
        processed += s.claimed;
        if (processed >= users) void ticker.stop().then(done);
      },
    });
  });
  // The API under load: a journeys list (joins and a count) every 50 ms while the ticker drains.
  const latencies: number[] = [];
  let draining = true;
  const client = (async () => {
    while (draining) {
      const t = performance.now();
      const res = await fetch(`${base}/api/journeys`, {
        headers: { authorization: `Bearer ${key}` },
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`API answered ${res.status}`);
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await finished;
  const seconds = (performance.now() - started) / 1000;
  draining = false;
  await client;
  latencies.sort((a, b) => a - b);
  const line = `| ${batch} | ${Math.round(users / seconds).toLocaleString("en-US")} | ${seconds.toFixed(1)} s | ${latencies.length} | ${pct(latencies, 50).toFixed(0)} ms | ${pct(latencies, 99).toFixed(0)} ms | ${(latencies.at(-1) ?? 0).toFixed(0)} ms |`;
  console.log(line);
  rows.push(line);
}
http.closeAllConnections();
http.close();
await db.close();

writeSection(
  "ticker-pglite",
  "Ticker on PGlite (no database server)",
  `${users.toLocaleString("en-US")} due users advancing wait → send → wait on embedded PGlite (file-backed), the ticker and the HTTP API in one process as \`npm start\` runs them, while a client calls \`GET /api/journeys\` every 50 ms. \`npm run bench -- ticker-pglite\`.

| batch | users/s | wall time | API calls | API p50 | API p99 | API max |
|---|---|---|---|---|---|---|
${rows.join("\n")}

Targets (issue 4): ≥ 6,000 users/s with API p99 < 200 ms.`,
);
process.exit(0);
