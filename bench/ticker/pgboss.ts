import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import type { Knex } from "knex";
import PgBoss from "pg-boss";

/**
 * The do-it-yourself comparison: one pg-boss job per user step. Each job carries the user's
 * snapshot; a worker runs the same engine step, writes the outbox message, and schedules the
 * next step as a new job with `startAfter` — what a team typically builds before a ticker.
 */
export async function runPgBoss(
  knex: Knex,
  url: string,
  users: number,
  batch: number,
  workers: number,
): Promise<{ usersPerSec: number; workers: number; batch: number }> {
  const boss = new PgBoss({ connectionString: url, schema: "pgboss" });
  boss.on("error", (err) => console.error("pg-boss:", err));
  await boss.start();
  await boss.createQueue("step");
  const rows = (await knex("enrollments as e")
    .join("contacts as c", "c.id", "e.contact_id")
    .where("e.journey_id", "bench")
    .select("e.id", "e.contact_id", "e.version_id", "e.snapshot", "c.attributes")) as {
    id: string | number;
    contact_id: string | number;
    version_id: string | number;
    snapshot: unknown;
    attributes: Record<string, unknown>;
  }[];
  for (let i = 0; i < rows.length; i += 5000) {
    await boss.insert(
      rows.slice(i, i + 5000).map((r) => ({
        name: "step",
        data: {
          enrollmentId: Number(r.id),
          contactId: Number(r.contact_id),
          versionId: Number(r.version_id),
          snapshot: r.snapshot,
          attributes: r.attributes,
        },
      })),
    );
  }
  await boss.stop({ graceful: false, wait: true });
  // Fresh statistics for pg-boss's tables, as resetBench gives the ticker's: without them the
  // fetch query was planned against an empty job table (1M jobs ran at ~1,600 users/s).
  await knex.raw("vacuum analyze pgboss.job");

  const children: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  let stepped = 0;
  let allStepped: () => void = () => {};
  const finished = new Promise<void>((done) => (allStepped = done));
  for (let i = 0; i < workers; i++) {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", resolve(import.meta.dirname, "pgboss-worker.ts"), url, String(batch)],
      {
        stdio: ["pipe", "pipe", "inherit"],
      },
    );
    children.push(child);
    let buffer = "";
    ready.push(
      new Promise((done) =>
        child.stdout?.on("data", (d: Buffer) => {
          buffer += d.toString();
          const lines = buffer.split("\n");
          buffer = lines.pop() ?? "";
          for (const line of lines) {
            if (line === "ready") done();
            else if (line.startsWith("done ")) stepped += Number(line.slice(5));
          }
          if (stepped >= users) allStepped();
        }),
      ),
    );
  }
  await Promise.all(ready);
  const started = performance.now();
  for (const c of children) c.stdin?.write("go\n");
  // Workers report the jobs they finished (after their batch's writes): no polling here.
  await finished;
  const ms = performance.now() - started;
  for (const c of children) c.kill("SIGTERM");
  await Promise.all(
    children.map(
      (c) => new Promise((done) => (c.exitCode !== null ? done(null) : c.once("exit", done))),
    ),
  );
  const sent = Number(((await knex("messages").count("* as n").first()) as { n: string }).n);
  if (sent !== users) throw new Error(`pg-boss run: expected ${users} messages, got ${sent}`);
  return { usersPerSec: (users / ms) * 1000, workers, batch };
}
