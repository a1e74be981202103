import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { connect } from "../../server/db/connect.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { freshBenchDatabase } from "../lib/database.ts";
import { writeSection } from "../lib/report.ts";
import { resetBench, seedBench } from "./fixture.ts";
import { runPgBoss } from "./pgboss.ts";

/**
 * bench/ticker: N due users advancing wait → send → wait on real PostgreSQL, for each worker
 * count and batch size, next to (a) the SQL-only floor (same statements, trivial step) and
 * (b) the do-it-yourself way, one pg-boss job per user step. Everything runs in one invocation
 * so the ratios compare like with like (expect ±20% between separate runs on this machine).
 *
 *   npm run bench -- ticker [--users 1000000] [--batches 500,1000,2000] [--workers 1,2]
 */
const { values } = parseArgs({
  options: {
    users: { type: "string", default: "100000" },
    batches: { type: "string", default: "500,1000,2000" },
    workers: { type: "string", default: "1,2" },
    pgboss: { type: "boolean", default: true },
    "no-pgboss": { type: "boolean", default: false },
  },
  allowPositionals: true,
});
const users = Number(values.users);
const batches = values.batches.split(",").map(Number);
const workerCounts = values.workers.split(",").map(Number);
const url = await freshBenchDatabase("waymark_bench", "ticker");
const db = await connect({ url });
await migrateLatest(db.knex);
console.log(`seeding ${users.toLocaleString()} users…`);
const { template } = await seedBench(db.knex, users);

interface WorkerResult {
  users: number;
  messages: number;
  ms: number;
  phases: Record<string, number>;
}

async function runWorkers(
  count: number,
  batch: number,
  mode: "engine" | "floor",
): Promise<{ usersPerSec: number; wallMs: number; results: WorkerResult[] }> {
  await resetBench(db.knex, template);
  const children: ChildProcess[] = [];
  const outputs: Promise<WorkerResult>[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", resolve(import.meta.dirname, "worker.ts"), url, String(batch), mode],
      {
        stdio: ["pipe", "pipe", "inherit"],
      },
    );
    children.push(child);
    let buffer = "";
    let signalReady: () => void = () => {};
    ready.push(new Promise((done) => (signalReady = done)));
    outputs.push(
      new Promise((done, fail) => {
        child.stdout?.on("data", (d: Buffer) => {
          buffer += d.toString();
          if (buffer.includes("ready\n")) signalReady();
          const last = buffer.trim().split("\n").at(-1) ?? "";
          if (last.startsWith("{")) done(JSON.parse(last) as WorkerResult);
        });
        child.once("exit", (code) =>
          code === 0 ? undefined : fail(new Error(`worker exited with ${code}`)),
        );
      }),
    );
  }
  await Promise.all(ready);
  const started = performance.now();
  for (const c of children) c.stdin?.write("go\n");
  const results = await Promise.all(outputs);
  const wallMs = performance.now() - started;
  const total = results.reduce((s, r) => s + r.users, 0);
  if (total !== users) throw new Error(`expected ${users} users stepped, got ${total}`);
  const sent = Number(((await db.knex("messages").count("* as n").first()) as { n: string }).n);
  if (sent !== users) throw new Error(`expected ${users} messages, got ${sent}`);
  return { usersPerSec: (total / wallMs) * 1000, wallMs, results };
}

const rows: string[] = [];
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
let bestEngine = 0;
let bestFloor = 0;
for (const workers of workerCounts) {
  for (const batch of batches) {
    const engine = await runWorkers(workers, batch, "engine");
    const floor = await runWorkers(workers, batch, "floor");
    bestEngine = Math.max(bestEngine, engine.usersPerSec);
    bestFloor = Math.max(bestFloor, floor.usersPerSec);
    const ph = engine.results.reduce(
      (acc, r) => {
        for (const [k, v] of Object.entries(r.phases)) acc[k] = (acc[k] ?? 0) + v;
        return acc;
      },
      {} as Record<string, number>,
    );
    const perUser = (k: string) => ((ph[k] ?? 0) * 1000) / users;
    const line = `| ${workers} | ${batch} | ${fmt(engine.usersPerSec)} | ${fmt(floor.usersPerSec)} | ${Math.round((100 * engine.usersPerSec) / floor.usersPerSec)}% | ${(engine.wallMs / 1000).toFixed(1)} s | ${perUser("claim").toFixed(0)} / ${perUser("load").toFixed(0)} / ${perUser("step").toFixed(0)} / ${perUser("write").toFixed(0)} |`;
    console.log(line);
    rows.push(line);
  }
}

let pgbossLine = "pg-boss comparison skipped (--no-pgboss).";
if (!values["no-pgboss"]) {
  await resetBench(db.knex, template);
  const boss = await runPgBoss(
    db.knex,
    url,
    users,
    Math.max(...batches),
    Math.max(...workerCounts),
  );
  pgbossLine = `pg-boss 10, one job per user step (batched \`work()\`, next step as a new job with \`startAfter\`), ${boss.workers} worker process(es), batch ${boss.batch}: **${fmt(boss.usersPerSec)} users/s** — the ticker's best is **${(bestEngine / boss.usersPerSec).toFixed(2)}×** that.`;
  console.log(pgbossLine);
}
await db.close();
// The default size and the 1M run each keep their own section of BENCHMARKS.md.
writeSection(
  users === 100_000 ? "ticker" : `ticker-${users}`,
  users === 100_000
    ? "Ticker (PostgreSQL)"
    : `Ticker (PostgreSQL, ${users.toLocaleString("en-US")} users)`,
  `${users.toLocaleString("en-US")} due users advancing wait → send → wait (one outbox message and two log rows each), PostgreSQL 15 on the same machine, \`npm run bench -- ticker --users ${users}\`.

| workers | batch | ticker users/s | SQL floor users/s | ticker / floor | wall time | µs per user: claim / load / engine / write (summed over workers) |
|---|---|---|---|---|---|---|
${rows.join("\n")}

${pgbossLine}

Targets (issue 4): ≥ 25,000 users/s on 1M due users, ≥ 70% of the floor, ≥ 2.5× pg-boss. Best here: ${fmt(bestEngine)} users/s, ${Math.round((100 * bestEngine) / bestFloor)}% of the best floor.`,
);
// The benchmark ends when its report is written, whatever handles pg-boss leaves open.
process.exit(0);
