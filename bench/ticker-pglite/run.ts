import { fork, spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createApp } from "../../server/app.ts";
import { connect } from "../../server/db/connect.ts";
import { startMaintenance } from "../../server/db/maintenance.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { loadDeliveryConfig } from "../../server/delivery/config.ts";
import { createTwilioProvider } from "../../server/delivery/providers/twilio.ts";
import { startDeliveryWorker } from "../../server/delivery/worker.ts";
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
 *
 * `--deliver gated|ungated`: the server's delivery worker also runs, as `npm start` runs it, and
 * sends every message to a Twilio-shaped provider in a process of its own (sms-sink.ts; rate
 * limit off, the server's default concurrency); a pass ends once every message was accepted
 * there, and the API is sampled until then. `gated` is what the server does on PGlite: the
 * worker's claims and writes take turns with the ticker's batches (server/db/gate.ts);
 * `ungated` queues them on the connection as they come, for comparison.
 */
const { values } = parseArgs({
  options: {
    users: { type: "string", default: "100000" },
    /** Fixed batch sizes, or `auto`: sized by time as the server does (--batch-ms). */
    batches: { type: "string", default: "auto,250,500,800" },
    /** The time `auto` aims each batch at (the server's WAYMARK_TICK_BATCH_MS). */
    "batch-ms": { type: "string", default: "100" },
    /** API requests per second, sent on schedule (open loop). */
    rate: { type: "string", default: "10" },
    /** Drains are repeated until the API answered at least this many requests. */
    samples: { type: "string", default: "1000" },
    /** none | gated | ungated: the delivery worker beside the ticker (see above). */
    deliver: { type: "string", default: "none" },
  },
  allowPositionals: true,
});
const users = Number(values.users);
const batches = values.batches.split(",").map((b) => (b === "auto" ? "auto" : Number(b)));
const batchMs = Number(values["batch-ms"]);
const rate = Number(values.rate);
const minSamples = Number(values.samples);
if (
  !(users > 0) ||
  !(rate > 0) ||
  !(minSamples > 0) ||
  !(batchMs > 0) ||
  batches.some((b) => b !== "auto" && !(b > 0))
)
  throw new Error("--users, --rate, --batch-ms and --batches (or auto) must be positive");
const deliver = values.deliver;
if (deliver !== "none" && deliver !== "gated" && deliver !== "ungated")
  throw new Error("--deliver must be none, gated or ungated");

const db = await connect({ pgliteDir: tempDir("waymark-bench-pglite-") });
await migrateLatest(db.knex);
console.log(`seeding ${users.toLocaleString()} users on PGlite…`);
const { template } = await seedBench(db.knex, users);
const crypto = fieldCrypto("bench-secret-bench-secret-bench-secret");
if (deliver !== "none") await givePhones();
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
  gate: activity.background,
});
/** The SMS provider's process, when delivering (sms-sink.ts). */
const sink = deliver === "none" ? undefined : await startSink();
/**
 * One drain of every user with the ticker at `batch` while the API is called open loop at
 * `rate`; the latencies are pushed onto `latencies`. With --deliver the pass also waits for
 * every message to reach the sink and reports when the last one did.
 */
async function pass(
  batch: number | "auto",
  latencies: number[],
  sizes: number[],
): Promise<{ seconds: number; deliveredSeconds: number }> {
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
  const acceptedBefore = sink ? (await sink.stats()).accepted : 0;
  const worker = sink
    ? startDeliveryWorker({
        knex: db.knex,
        crypto,
        providers: {
          sms: createTwilioProvider({
            config: { ...sink.twilio, from: "+15005550006" },
            publicUrl: undefined,
            timeoutMs: 10_000,
            ratePerSecond: null,
          }),
        },
        log: { debug() {}, info() {}, warn() {}, error() {} },
        workerId: `bench-pglite:${batch}:${latencies.length}`,
        ...loadDeliveryConfig({}).worker,
        ...(deliver === "gated" ? { gate: activity.background } : {}),
      })
    : undefined;
  let processed = 0;
  const started = performance.now();
  const finished = new Promise<void>((done) => {
    const ticker = startTicker({
      knex: db.knex,
      crypto,
      policy: policyCache(db.knex, "UTC", 60_000),
      linkBase: base,
      // As server/server.ts without WAYMARK_TICK_BATCH: 500 first, then by time.
      ...(batch === "auto" ? { batchSize: 500, batchMs } : { batchSize: batch }),
      pollMs: 5,
      exclusive: true,
      yieldMs: 2,
      gate: activity.background,
      now: () => new Date(BENCH_DUE),
      ...(worker ? { onMessages: worker.wake } : {}),
      onBatch: (s) => {
        if (s.claimed > 0) sizes.push(s.claimed);
        processed += s.claimed;
        if (processed >= users) void ticker.stop().then(done);
      },
    });
  });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  let deliveredSeconds = seconds;
  if (sink && worker) {
    // Every user's one SMS, counted at the sink; its clock is not ours, so poll from here.
    for (;;) {
      const { accepted } = await sink.stats();
      if (accepted - acceptedBefore >= users) break;
      const failed = (await db
        .knex("messages")
        .where({ status: "failed" })
        .count("* as n")
        .first()) as {
        n: string | number;
      };
      if (Number(failed.n) > 0) throw new Error(`delivery: ${failed.n} messages failed`);
      if (performance.now() - started > 30 * 60_000) throw new Error("delivery: stuck for 30 min");
      await new Promise((r) => setTimeout(r, 20));
    }
    deliveredSeconds = (performance.now() - started) / 1000;
    await worker.stop();
    const { accepted, distinct } = await sink.stats();
    if (accepted - acceptedBefore !== users || accepted !== distinct)
      throw new Error(
        `delivery: ${accepted - acceptedBefore} accepted for ${users} users, ${accepted - distinct} duplicates in all`,
      );
  }
  client.stdin.end("stop\n");
  const code = await exited;
  const report = JSON.parse(out.slice("ready\n".length)) as { latencies: number[]; errors: number };
  if (code !== 0 || report.errors > 0)
    throw new Error(
      `${report.errors} API requests failed or answered other than 200 (client exit ${code})`,
    );
  latencies.push(...report.latencies);
  return { seconds, deliveredSeconds };
}

/** The bench's contacts have no phone; delivering needs one each, stored as ingest stores it. */
async function givePhones() {
  const ids = (await db.knex("contacts").orderBy("id").pluck("id")) as (string | number)[];
  for (let i = 0; i < ids.length; i += 5000) {
    const rows = ids.slice(i, i + 5000).map((id, j) => {
      // +1 202 555 01xx is fiction; the number only has to be valid and unique here.
      const phone = `+1202${String(2_000_000 + i + j).padStart(7, "0")}`;
      return [Number(id), crypto.encrypt(phone), crypto.blindIndex(phone)];
    });
    await db.knex.raw(
      `update contacts c set phone_encrypted = r.enc, phone_hash = r.hash
         from jsonb_to_recordset(?::jsonb) as r(id bigint, enc text, hash text)
        where c.id = r.id`,
      [JSON.stringify(rows.map(([id, enc, hash]) => ({ id, enc, hash })))],
    );
  }
}

async function startSink() {
  const child = fork(join(import.meta.dirname, "sms-sink.ts"), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const twilio = await new Promise<{ baseUrl: string; accountSid: string; authToken: string }>(
    (done) =>
      child.once("message", (m) =>
        done(m as { baseUrl: string; accountSid: string; authToken: string }),
      ),
  );
  return {
    twilio: { baseUrl: twilio.baseUrl, accountSid: twilio.accountSid, authToken: twilio.authToken },
    stats: () =>
      new Promise<{ accepted: number; distinct: number }>((done) => {
        child.once("message", (m) => done(m as { accepted: number; distinct: number }));
        child.send("stats");
      }),
    stop: () => child.send("stop"),
  };
}

for (const batch of batches) {
  // Passes until the API has been sampled enough for a p99 (at least --samples answers).
  const latencies: number[] = [];
  const sizes: number[] = [];
  let seconds = 0;
  let deliveredSeconds = 0;
  let passes = 0;
  while (latencies.length < minSamples) {
    const one = await pass(batch, latencies, sizes);
    seconds += one.seconds;
    deliveredSeconds += one.deliveredSeconds;
    passes++;
  }
  latencies.sort((a, b) => a - b);
  sizes.sort((a, b) => a - b);
  const label =
    batch === "auto" ? `auto, ${batchMs} ms (median ${pct(sizes, 50)} users)` : String(batch);
  const perSecond = (s: number) => Math.round((users * passes) / s).toLocaleString("en-US");
  const delivered = sink ? ` ${perSecond(deliveredSeconds)} |` : "";
  const line = `| ${label} | ${perSecond(seconds)} |${delivered} ${passes} × ${(deliveredSeconds / passes).toFixed(1)} s | ${latencies.length} | ${pct(latencies, 50).toFixed(0)} ms | ${pct(latencies, 99).toFixed(0)} ms | ${(latencies.at(-1) ?? 0).toFixed(0)} ms | ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB |`;
  console.log(line);
  rows.push(line);
}
await housekeeping.stop();
sink?.stop();
http.closeAllConnections();
http.close();
await db.close();

const command = `\`npm run bench -- ticker-pglite --users ${users} --batches ${values.batches} --batch-ms ${batchMs} --rate ${rate} --samples ${minSamples}${sink ? ` --deliver ${deliver}` : ""}\``;
const intro = `${users.toLocaleString("en-US")} due users advancing wait → send → wait on embedded PGlite (file-backed), the ticker and the HTTP API in one process as \`npm start\` runs them, while a client in a process of its own sends \`GET /api/journeys\` ${rate} times a second on a fixed schedule (open loop: latency counts from when each request was due, so a stalled server is not sampled less; the ticker takes no row locks and the server's housekeeping runs beside it, as \`npm start\` runs them on PGlite), every user drained again until the API answered ${minSamples.toLocaleString("en-US")} requests. Peak RSS is the process's (server, ticker and PGlite) up to the end of that row. \`auto\` is how the server sizes batches on PGlite unless WAYMARK_TICK_BATCH is set: the first batch 500 users, each next one aimed at ${batchMs} ms from the time per user the last full ones took (server/runtime/batch-size.ts).`;
if (sink) {
  writeSection(
    `ticker-pglite-deliver-${deliver}`,
    `Ticker and delivery on PGlite (${deliver === "gated" ? "as the server runs them" : "delivery outside the lane, for comparison"})`,
    `${intro} Here the server's delivery worker also sends every user's SMS to a Twilio-shaped provider in a process of its own (rate limit off, the server's default concurrency of 10), its claims and writes ${deliver === "gated" ? "taking turns with the ticker's batches (server/db/gate.ts), as the server runs it" : "queued on the connection as they come (not how the server runs it)"}; a pass ends when the last message was accepted, and the API is sampled until then. ${command}.

| batch | users/s (ticker) | msgs/s (delivered) | passes × wall time | API samples | API p50 | API p99 | API max | peak RSS |
|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}`,
  );
} else {
  writeSection(
    "ticker-pglite",
    "Ticker on PGlite (no database server)",
    `${intro} ${command}.

| batch | users/s | passes × wall time | API samples | API p50 | API p99 | API max | peak RSS |
|---|---|---|---|---|---|---|---|
${rows.join("\n")}

Targets (issue 4): ≥ 6,000 users/s with API p99 < 200 ms.`,
  );
}
process.exit(0);
