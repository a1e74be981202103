import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import type { Knex } from "knex";
import { NODE_FLAGS } from "../../server/cli/node-flags.ts";

export type TickerMode = "engine" | "replay" | "physical";

export interface TickerRun {
  usersPerSec: number;
  wallMs: number;
  /** µs per user, summed over workers (engine and replay only; physical has one statement). */
  phases: Record<string, number>;
  peakRssMiB: number[];
}

interface WorkerResult {
  users: number;
  ms: number;
  phases: Record<string, number>;
  peakRssMiB: number;
}

/**
 * Runs `count` worker processes (worker.ts) in `mode` until nothing is due; the caller has
 * reset the users. Checks every user was stepped and got exactly one message.
 */
export async function runTickerWorkers(
  knex: Knex,
  url: string,
  users: number,
  count: number,
  batch: number,
  mode: TickerMode,
  sampleFile: string,
): Promise<TickerRun> {
  const children: ChildProcess[] = [];
  const outputs: Promise<WorkerResult>[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawn(
      process.execPath,
      [
        ...NODE_FLAGS,
        "--import",
        "tsx",
        resolve(import.meta.dirname, "worker.ts"),
        url,
        String(batch),
        mode,
        sampleFile,
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
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
  if (total !== users) throw new Error(`${mode}: expected ${users} users stepped, got ${total}`);
  const sent = Number(((await knex("messages").count("* as n").first()) as { n: string }).n);
  if (sent !== users) throw new Error(`${mode}: expected ${users} messages, got ${sent}`);
  const phases: Record<string, number> = {};
  for (const r of results)
    for (const [k, v] of Object.entries(r.phases))
      phases[k] = (phases[k] ?? 0) + (v * 1000) / users;
  return {
    usersPerSec: (total / wallMs) * 1000,
    wallMs,
    phases,
    peakRssMiB: results.map((r) => r.peakRssMiB),
  };
}

/**
 * Mean stored bytes per row of what a run wrote (pg_column_size: after compression, as on
 * disk): the replay floor must match the engine's, the old trivial floor did not (389 against
 * 532 bytes of snapshot, issue 18).
 */
export async function storedBytes(knex: Knex): Promise<string> {
  const r = (await knex.raw(
    `select (select round(avg(pg_column_size(snapshot))) from enrollments where journey_id = 'bench') as snapshot,
            (select round(avg(pg_column_size(entries))) from enrollment_steps) as timeline,
            (select count(*) from enrollment_steps) as timeline_rows,
            (select round(avg(pg_column_size(m.*))) from messages m) as message`,
  )) as { rows: Record<string, string | null>[] };
  const b = r.rows[0] ?? {};
  return `snapshot ${b.snapshot ?? "–"} B, timeline ${b.timeline ?? "–"} B × ${b.timeline_rows ?? 0} rows, outbox row ${b.message ?? "–"} B`;
}

/**
 * An order-independent hash of every row a run wrote (enrollments, wake-ups, timeline,
 * outbox), with the text rendered from a user's attributes masked — the one thing the replay
 * floor takes from its sample user instead (replay-step.ts). Equal for the engine's run and
 * the replay's, or the replay floor is not writing the engine's rows.
 */
export async function rowFingerprint(knex: Knex): Promise<string> {
  const mask = (col: string) =>
    `regexp_replace(regexp_replace(${col}, 'User\\d+', 'User#', 'g'), 'coupon C\\d+', 'coupon C#', 'g')`;
  const r = (await knex.raw(
    `select (select sum(hashtext(concat_ws('|', id, snapshot, status, current_node, waits_for, event_cursor, revision, ended_at, exit_reason))::bigint)
               from enrollments where journey_id = 'bench') as enrollments,
            (select sum(hashtext(concat_ws('|', enrollment_id, wake_at))::bigint) from enrollment_wakeups) as wakeups,
            (select sum(hashtext(${mask("concat_ws('|', contact_id, enrollment_id, journey_id, version_id, at, entries)")})::bigint)
               from enrollment_steps) as timeline,
            (select sum(hashtext(${mask("concat_ws('|', idempotency_key, contact_id, enrollment_id, journey_id, version_id, node_id, channel, category, body, encoding, parts, payload, status, next_attempt_at)")})::bigint)
               from messages) as outbox`,
  )) as { rows: Record<string, string | null>[] };
  return JSON.stringify(r.rows[0] ?? {});
}
