import type { Knex } from "knex";
import PgBoss from "pg-boss";
import type { StepJob } from "./baseline-step.ts";
import { runQueueProcesses, untilZero } from "./queue-processes.ts";

export interface PgBossConfig {
  procs: number;
  /** work() loops per process */
  loops: number;
  batch: number;
  pollSeconds: number;
  /** full: fetch again at once after a full batch (notifyWorker); poll: pg-boss's sleep. */
  refetch: "full" | "poll";
}

export function pgBossLabel(c: PgBossConfig): string {
  return `pg-boss ${c.procs} proc × ${c.loops} loop, batch ${c.batch}, poll ${c.pollSeconds} s, ${c.refetch === "full" ? "refetch when full" : "sleep out the poll"}`;
}

/** The user's step as a job: what the engine needs travels in the payload. */
export async function stepJobs(knex: Knex): Promise<StepJob[]> {
  const rows = (await knex("enrollments as e")
    .join("contacts as c", "c.id", "e.contact_id")
    .where("e.journey_id", "bench")
    .select("e.id", "e.contact_id", "e.version_id", "e.snapshot", "c.attributes")) as {
    id: string | number;
    contact_id: string | number;
    version_id: string | number;
    snapshot: StepJob["snapshot"];
    attributes: Record<string, unknown>;
  }[];
  return rows.map((r) => ({
    enrollmentId: Number(r.id),
    contactId: Number(r.contact_id),
    versionId: Number(r.version_id),
    snapshot: r.snapshot,
    attributes: r.attributes,
  }));
}

/**
 * The do-it-yourself comparison: one pg-boss job per user step. Each job carries the user's
 * snapshot; a worker runs the same engine step, writes the outbox message, and schedules the
 * next step as a new job with `startAfter` — what a team typically builds before a ticker.
 * Call after resetBench: this queues every user's job, then times the workers.
 */
export async function runPgBoss(
  knex: Knex,
  url: string,
  users: number,
  c: PgBossConfig,
): Promise<{ usersPerSec: number; peakRssMiB: number[]; meanGroup: number }> {
  const boss = new PgBoss({ connectionString: url, schema: "pgboss" });
  boss.on("error", (err) => console.error("pg-boss:", err));
  await boss.start();
  await boss.createQueue("step");
  // The previous configuration's jobs (and the next steps it queued) must not be fetched.
  await knex.raw("delete from pgboss.job where name = 'step'");
  const jobs = await stepJobs(knex);
  for (let i = 0; i < jobs.length; i += 5000) {
    await boss.insert(jobs.slice(i, i + 5000).map((data) => ({ name: "step", data })));
  }
  await boss.stop({ graceful: false, wait: true });
  // Fresh statistics for pg-boss's tables, as resetBench gives the ticker's: without them the
  // fetch query was planned against an empty job table (1M jobs ran at ~1,600 users/s).
  await knex.raw("vacuum analyze pgboss.job");
  const run = await runQueueProcesses(
    "pgboss-worker.ts",
    [url, String(c.batch), String(c.pollSeconds), String(c.loops), c.refetch],
    c.procs,
    users,
    // pg-boss marks a batch completed after its handler returns, without awaiting it.
    () =>
      untilZero(async () => {
        const r = (await knex.raw(
          "select count(*) as n from pgboss.job where name = 'step' and state = 'active'",
        )) as { rows: { n: string }[] };
        return Number(r.rows[0]?.n ?? 0);
      }),
  );
  const sent = Number(((await knex("messages").count("* as n").first()) as { n: string }).n);
  if (sent !== users) throw new Error(`pg-boss run: expected ${users} messages, got ${sent}`);
  return {
    usersPerSec: (users / run.ms) * 1000,
    peakRssMiB: run.peakRssMiB,
    meanGroup: run.meanGroup,
  };
}
