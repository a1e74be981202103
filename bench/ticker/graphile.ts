import { Logger, makeWorkerUtils, runMigrations } from "graphile-worker";
import type { Knex } from "knex";
import { stepJobs } from "./pgboss.ts";
import { runQueueProcesses, untilZero } from "./queue-processes.ts";

export interface GraphileConfig {
  procs: number;
  concurrency: number;
  /** localQueue.size: jobs fetched (and locked) per fetch */
  batch: number;
  pollMs: number;
}

export function graphileLabel(c: GraphileConfig): string {
  return `graphile-worker ${c.procs} proc × concurrency ${c.concurrency}, local queue ${c.batch}, poll ${c.pollMs} ms`;
}

const quiet = new Logger(() => (level, message) => {
  if (level === "error") console.error("graphile-worker:", message);
});

/**
 * The second do-it-yourself baseline: one graphile-worker job per user step, the same engine
 * step as pg-boss's (baseline-step.ts), jobs queued with `addJobs` (its bulk `add_jobs`).
 * Call after resetBench.
 */
export async function runGraphile(
  knex: Knex,
  url: string,
  users: number,
  c: GraphileConfig,
): Promise<{ usersPerSec: number; peakRssMiB: number[]; meanGroup: number }> {
  await runMigrations({ connectionString: url, logger: quiet });
  // Completed jobs are deleted; what is left is the previous configuration's next steps.
  await knex.raw("delete from graphile_worker._private_jobs");
  const utils = await makeWorkerUtils({ connectionString: url, logger: quiet });
  try {
    const jobs = await stepJobs(knex);
    for (let i = 0; i < jobs.length; i += 5000) {
      await utils.addJobs(
        jobs.slice(i, i + 5000).map((payload) => ({ identifier: "step", payload })),
      );
    }
  } finally {
    await utils.release();
  }
  // As for pg-boss and the ticker: statistics that know the queue is full.
  await knex.raw("vacuum analyze graphile_worker._private_jobs");
  const run = await runQueueProcesses(
    "graphile-worker.ts",
    [url, String(c.concurrency), String(c.batch), String(c.pollMs)],
    c.procs,
    users,
    // A finished job is deleted by the batched completion, after its handler resolved.
    () =>
      untilZero(async () => {
        const r = (await knex.raw(
          "select count(*) as n from graphile_worker._private_jobs where run_at <= now()",
        )) as { rows: { n: string }[] };
        return Number(r.rows[0]?.n ?? 0);
      }),
  );
  const sent = Number(((await knex("messages").count("* as n").first()) as { n: string }).n);
  if (sent !== users)
    throw new Error(`graphile-worker run: expected ${users} messages, got ${sent}`);
  return {
    usersPerSec: (users / run.ms) * 1000,
    peakRssMiB: run.peakRssMiB,
    meanGroup: run.meanGroup,
  };
}
