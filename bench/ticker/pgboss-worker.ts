import { createInterface } from "node:readline";
import knexLib from "knex";
import PgBoss from "pg-boss";
import { baselineStep, type OutboxRow, type StepJob } from "./baseline-step.ts";

/**
 * One pg-boss worker process of the baseline. Usage:
 *   pgboss-worker.ts <url> <batchSize> <pollingIntervalSeconds> <work loops> <full|poll>
 * `full`: a handler that got a full batch asks pg-boss to fetch again at once
 * (`notifyWorker`). pg-boss 10's worker loop (src/worker.js) otherwise sleeps out
 * `pollingInterval − (fetch + handler time)` whenever that is over 100 ms, so with quick
 * handlers a process cannot exceed loops × batch / interval jobs/s (issue 18: 2 × 2,000 / 0.5 s
 * = 8,000 users/s was the old baseline's ceiling). `poll` keeps pg-boss's plain behaviour.
 */
const [url = "", batchArg = "1000", pollArg = "0.5", loopsArg = "1", refetch = "full"] =
  process.argv.slice(2);
const batchSize = Number(batchArg);
const loops = Number(loopsArg);
const knex = knexLib({ client: "pg", connection: url, pool: { min: 1, max: loops + 1 } });
// pg-boss's own pool: each loop's fetch, insert and completion, plus its supervision.
const boss = new PgBoss({ connectionString: url, schema: "pgboss", max: 2 * loops + 2 });
boss.on("error", (err) => console.error("pg-boss worker:", err));
await boss.start();
process.stdout.write("ready\n");
await new Promise<void>((done) =>
  createInterface({ input: process.stdin }).once("line", () => done()),
);

for (let i = 0; i < loops; i++) {
  let id = "";
  id = await boss.work<StepJob>(
    "step",
    { batchSize, pollingIntervalSeconds: Number(pollArg) },
    async (jobs) => {
      const messages: OutboxRow[] = [];
      const next: { name: string; data: StepJob; startAfter: Date }[] = [];
      for (const job of jobs) {
        const r = baselineStep(job.data);
        messages.push(...r.messages);
        if (r.next) next.push({ name: "step", data: r.next.data, startAfter: r.next.runAfter });
      }
      if (messages.length)
        await knex("messages").insert(messages).onConflict("idempotency_key").ignore();
      if (next.length) await boss.insert(next);
      // Progress for the parent, which must not poll the database itself (a count(*) over the
      // outbox every few ms would take CPU from the workers it is timing).
      process.stdout.write(`done ${jobs.length}\n`);
      if (refetch === "full" && jobs.length === batchSize && id) boss.notifyWorker(id);
    },
  );
}
process.once("SIGTERM", async () => {
  process.stdout.write(`rss ${Math.round(process.resourceUsage().maxRSS / 1024)}\n`);
  await boss.stop({ graceful: false, wait: false });
  await knex.destroy();
  process.exit(0);
});
