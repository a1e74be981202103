import { parseArgs } from "node:util";
import { connect } from "../../server/db/connect.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { fieldCrypto } from "../../server/privacy/keys.ts";
import { freshBenchDatabase } from "../lib/database.ts";
import { writeSection } from "../lib/report.ts";
import { type LatencyMode, type LatencyResult, prepareLatency, runLatency } from "./latency.ts";
import { runProcessesBench } from "./processes-report.ts";
import { runThroughput, type ThroughputResult } from "./throughput.ts";

/**
 * bench/delivery: the outbox → a Twilio-shaped provider on loopback, on PostgreSQL (issue 12).
 *  1. Throughput with 0%, 10% and 40% of requests hanging (accepted, never answered), 10 in
 *     flight per channel, 10 s timeout, as the issue measured (250/s → ~10/s before); plus the
 *     lateness of retries (2% of first calls get a 500; the retry is due 2 s later) and the
 *     duplicates a non-deduplicating provider delivered. The last row turns off what lets
 *     delivery past hung calls (slot release: maxOpen = concurrency), as a baseline.
 *  2. Send latency, due → provider call, p50/p99, with delivery found by its poll (before),
 *     woken in-process by the ticker's commit, and woken across processes by NOTIFY.
 *
 *   npm run bench -- delivery [--messages 5000] [--hang 0,0.1,0.4] [--timeout-ms 10000]
 *                             [--rate 100] [--seconds 10] [--no-baseline]
 *
 * With --processes, only the scale bench runs instead (processes.ts, issue 18): K `waymark
 * worker` processes drain N messages to a webhook sink in its own process.
 *
 *   npm run bench -- delivery --processes 1,2,4 --messages 50000 [--concurrency 10,50]
 *                             [--batch 50] [--repeat 1]
 */
const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "5000" },
    hang: { type: "string", default: "0,0.1,0.4" },
    "timeout-ms": { type: "string", default: "10000" },
    rate: { type: "string", default: "100" },
    seconds: { type: "string", default: "10" },
    "no-baseline": { type: "boolean", default: false },
    processes: { type: "string" },
    concurrency: { type: "string" },
    batch: { type: "string" },
    repeat: { type: "string", default: "1" },
  },
  allowPositionals: true,
});
if (values.processes !== undefined) {
  await runProcessesBench({
    processes: values.processes.split(",").map(Number),
    messages: Number(values.messages),
    concurrency: values.concurrency?.split(",").map(Number) ?? [],
    batch: values.batch === undefined ? undefined : Number(values.batch),
    repeat: Number(values.repeat),
  });
  process.exit(0);
}
const messages = Number(values.messages);
const timeoutMs = Number(values["timeout-ms"]);
const hangs = values.hang.split(",").map(Number);
const rate = Number(values.rate);
const seconds = Number(values.seconds);

const url = await freshBenchDatabase("waymark_bench_delivery", "delivery");
const db = await connect({ url, poolMax: 6 });
await migrateLatest(db.knex);
const secret = "bench-secret-bench-secret-bench-secret";
const crypto = fieldCrypto(secret);

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const ms = (n: number) => (Number.isNaN(n) ? "–" : `${fmt(n)} ms`);

const throughputRows: string[] = [];
const runs: { label: string; maxOpen?: number; hang: number; messages: number }[] = hangs.map(
  (hang) => ({ label: `${Math.round(hang * 100)}%`, hang, messages }),
);
if (!values["no-baseline"]) {
  // At ~10/s this row would take most of an hour on 5,000 messages: 1,000 show the same rate.
  const n = Math.min(messages, 1000);
  runs.push({
    label: `40%, slot release off (maxOpen = 10), ${fmt(n)} messages`,
    hang: 0.4,
    maxOpen: 10,
    messages: n,
  });
}
for (const run of runs) {
  const r: ThroughputResult = await runThroughput(db.knex, crypto, {
    messages: run.messages,
    hang: run.hang,
    timeoutMs,
    ...(run.maxOpen ? { maxOpen: run.maxOpen } : {}),
  });
  const line = `| ${run.label} | ${fmt(r.providerPerSecond)} | ${(r.drainMs / 1000).toFixed(1)} s | ${r.retryLateMs.length} | ${ms(pct(r.retryLateMs, 50))} / ${ms(Math.max(...r.retryLateMs))} | ${fmt(r.lookups)} | ${r.duplicates} |`;
  console.log(line);
  throughputRows.push(line);
}

const versionId = await prepareLatency(db.knex);
const latencyRows: string[] = [];
const labels: Record<LatencyMode, string> = {
  poll: "its 500 ms poll (before)",
  wake: "the ticker's commit, in-process",
  notify: "NOTIFY waymark_outbox, another process",
};
for (const mode of ["poll", "wake", "notify"] as const) {
  const r: LatencyResult = await runLatency(db.knex, url, crypto, secret, {
    mode,
    versionId,
    rate,
    seconds,
  });
  const line = `| ${labels[mode]} | ${ms(pct(r.dueMs, 50))} / ${ms(pct(r.dueMs, 99))} | ${ms(pct(r.writtenMs, 50))} / ${ms(pct(r.writtenMs, 99))} |`;
  console.log(line);
  latencyRows.push(line);
}
await db.close();

writeSection(
  "delivery",
  "Delivery (PostgreSQL)",
  `\`npm run bench -- delivery --messages ${messages} --hang ${values.hang} --timeout-ms ${timeoutMs} --rate ${rate} --seconds ${seconds}\`: the outbox → a Twilio-shaped provider on loopback (tests/helpers/fake-twilio.ts, not deduplicating), one delivery worker with the defaults (10 calls in flight per channel, 5 s reconcile delay, no rate limit) and a ${timeoutMs / 1000} s provider timeout (the default is 10 s).

**Under a hanging provider.** ${fmt(messages)} queued SMS; the given share of requests is accepted and never answered (the worker times out, the outcome is unknown and reconciled through the provider's message list), 2% are answered 500 (retried 2 s later). Messages/s: distinct messages the provider accepted, over the time to accept 95% of them. Before issue 12, 40% hanging took 250/s to ~10/s and a retry due at +1.8 s went out at +393 s.

| hanging | messages/s at the provider | all recorded sent | retries | retry lateness p50 / max | lookups | duplicates delivered |
|---|---|---|---|---|---|---|
${throughputRows.join("\n")}

**Send latency.** ${fmt(rate * seconds)} users come due at ${fmt(rate)}/s; the ticker (250 ms idle poll) steps each into one SMS. Due → provider: from the user's due time to the provider receiving the SMS; written → provider: from the ticker batch that wrote the outbox row.

| delivery woken by | due → provider p50 / p99 | written → provider p50 / p99 |
|---|---|---|
${latencyRows.join("\n")}`,
);
process.exit(0);
