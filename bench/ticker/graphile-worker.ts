import { createInterface } from "node:readline";
import { type JobHelpers, Logger, run } from "graphile-worker";
import knexLib from "knex";
import { baselineStep, type OutboxRow, type StepJob } from "./baseline-step.ts";

/**
 * One graphile-worker process of the baseline. Usage:
 *   graphile-worker.ts <url> <concurrentJobs> <localQueue.size> <pollInterval ms>
 * Configured as its performance page recommends for throughput: a local queue (jobs fetched
 * and locked `size` at a time, handed out without a round trip each), completions batched
 * (`completeJobBatchDelay: 0`). One job per user step. A job's writes wait for the writes of
 * every job running beside it and go out together — one outbox INSERT and one `addJobs` for
 * the next steps per group — so up to `concurrentJobs` steps share each round trip, where one
 * job writing alone would cost two round trips per user (~500 users/s, docs/SCALING.md).
 */
const [url = "", concurrencyArg = "100", queueArg = "101", pollArg = "2000"] =
  process.argv.slice(2);
const concurrency = Number(concurrencyArg);
const knex = knexLib({ client: "pg", connection: url, pool: { min: 1, max: 2 } });

interface Pending {
  messages: OutboxRow[];
  next: { data: StepJob; runAfter: Date } | null;
  helpers: JobHelpers;
  done: (err?: unknown) => void;
}
let pending: Pending[] = [];
let timer: NodeJS.Timeout | undefined;

/** Writes every step queued since the last group as one group. */
async function flush(): Promise<void> {
  const group = pending;
  pending = [];
  try {
    const messages = group.flatMap((p) => p.messages);
    const next = group.flatMap((p) =>
      p.next ? [{ identifier: "step", payload: p.next.data, runAt: p.next.runAfter }] : [],
    );
    if (messages.length)
      await knex("messages").insert(messages).onConflict("idempotency_key").ignore();
    if (next.length && group[0]) await group[0].helpers.addJobs(next);
    process.stdout.write(`done ${group.length}\n`);
    for (const p of group) p.done();
  } catch (err) {
    for (const p of group) p.done(err);
  }
}

process.stdout.write("ready\n");
await new Promise<void>((done) =>
  createInterface({ input: process.stdin }).once("line", () => done()),
);
const runner = await run({
  connectionString: url,
  concurrency,
  pollInterval: Number(pollArg),
  noHandleSignals: true,
  logger: new Logger(() => (level, message) => {
    if (level === "error") console.error("graphile-worker:", message);
  }),
  taskList: {
    step: (payload, helpers) =>
      new Promise<void>((resolve, reject) => {
        const r = baselineStep(payload as StepJob);
        // Workers take their next job from the local queue one by one, over several turns of
        // the event loop: a group written at the next turn held ~70–120 steps at concurrency
        // 100–500. It goes out once every worker has its step queued, or 1 ms after the first.
        if (pending.length === 0) timer = setTimeout(flush, 1);
        pending.push({
          ...r,
          helpers,
          done: (err) => (err === undefined ? resolve() : reject(err)),
        });
        if (pending.length >= concurrency) {
          clearTimeout(timer);
          void flush();
        }
      }),
  },
  preset: {
    worker: {
      // Its own fetches and completions only (the local queue hands jobs out without the
      // pool; the steps write through knex): its default of 10, not concurrency + 2, which at
      // concurrency 500 would exceed the server's max_connections.
      maxPoolSize: 10,
      localQueue: { size: Number(queueArg) },
      completeJobBatchDelay: 0,
      failJobBatchDelay: 0,
    },
  },
});
process.once("SIGTERM", async () => {
  process.stdout.write(`rss ${Math.round(process.resourceUsage().maxRSS / 1024)}\n`);
  await runner.kill();
  await knex.destroy();
  process.exit(0);
});
