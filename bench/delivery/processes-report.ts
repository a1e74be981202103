import { readFileSync } from "node:fs";
import { connect } from "../../server/db/connect.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { DEFAULT_WORKER_SETTINGS } from "../../server/delivery/config.ts";
import { fieldCrypto } from "../../server/privacy/keys.ts";
import { freshBenchDatabase } from "../lib/database.ts";
import { writeSection } from "../lib/report.ts";
import { type ProcessesResult, prepareContacts, runProcesses, startSink } from "./processes.ts";

/**
 * `npm run bench -- delivery --processes 1,2,4 --messages 50000`: runs processes.ts for every
 * process count (and --concurrency value, WAYMARK_DELIVERY_CONCURRENCY per worker), prints a
 * row per run and writes the table into docs/BENCHMARKS.md (section `delivery-processes`).
 */
export async function runProcessesBench(options: {
  processes: number[];
  messages: number;
  concurrency: number[];
  batch: number | undefined;
  repeat: number;
}): Promise<void> {
  const database = "waymark_bench_delivery_procs";
  const url = await freshBenchDatabase(database, "delivery");
  const secret = "bench-secret-bench-secret-bench-secret";
  const db = await connect({ url, poolMax: 2 });
  await migrateLatest(db.knex);
  await prepareContacts(db.knex, fieldCrypto(secret), options.messages);
  await db.close();
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  const sink = await startSink();
  const concurrencies =
    options.concurrency.length > 0 ? options.concurrency : [DEFAULT_WORKER_SETTINGS.concurrency];
  const batch = options.batch ?? DEFAULT_WORKER_SETTINGS.batchSize;
  const rows: string[] = [];
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  const perMsg = (ms: number, r: ProcessesResult) => fmt((ms * 1000) / r.messages);
  try {
    for (const concurrency of concurrencies) {
      for (const processes of options.processes) {
        for (let i = 0; i < options.repeat; i++) {
          const r = await runProcesses({
            url,
            database,
            secret,
            sink,
            processes,
            messages: options.messages,
            env: {
              WAYMARK_DELIVERY_CONCURRENCY: String(concurrency),
              WAYMARK_DELIVERY_BATCH: String(batch),
            },
          });
          const wall = r.recordedMs / 1000;
          const line = `| ${processes} | ${concurrency} | ${fmt((r.accepted / r.acceptMs) * 1000)} | ${(r.acceptMs / 1000).toFixed(1)} s / ${wall.toFixed(1)} s | ${fmt(r.sent)} of ${fmt(r.messages)} | ${r.duplicates} | ${perMsg(r.cpuMs.workers, r)} / ${perMsg(r.cpuMs.sink, r)} / ${perMsg(r.cpuMs.backends, r)} / ${perMsg(r.cpuMs.background, r)} | ${fmt(((r.cpuMs.workers + r.cpuMs.sink + r.cpuMs.backends + r.cpuMs.background) / r.recordedMs) * 100)}% | ${r.peakRssMiB.workers.join(", ")} / ${r.peakRssMiB.sink} |`;
          console.log(line);
          rows.push(line);
        }
      }
    }
  } finally {
    sink.stop();
  }
  writeSection(
    "delivery-processes",
    "Delivery across worker processes (PostgreSQL)",
    `\`npm run bench -- delivery --processes ${options.processes.join(",")} --messages ${options.messages}${options.concurrency.length > 0 ? ` --concurrency ${options.concurrency.join(",")}` : ""}${options.batch === undefined ? "" : ` --batch ${options.batch}`}\` (bench/delivery/processes.ts): ${fmt(options.messages)} queued SMS inserted in one transaction (with the NOTIFY a ticker batch sends) once K \`waymark worker\` processes are up; the webhook provider posts each to a sink in its own process (bench/delivery/sink.ts: answers 200 at once, counts distinct Idempotency-Keys and repeats), rate limit off, claim batch ${batch}. Load average at start: ${load}.

msgs/s: distinct messages at the sink over the time from the insert's commit to the last new one. Accepted / recorded: until the sink had the last one / until every row read \`sent\`. CPU µs per message from /proc (utime + stime over the run): the worker processes together / the sink / the PostgreSQL backends of the bench database (the bench's own connection excluded) / PostgreSQL's background processes (shared with anything else on the server). The CPU column sums them over the wall time: 200% is both cores.

| workers | in flight per worker | msgs/s | accepted / recorded | sent | duplicates | CPU µs/msg: workers / sink / PG backends / PG background | CPU used | peak RSS MiB: workers / sink |
|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}`,
  );
}
