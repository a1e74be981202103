import { type ChildProcess, fork, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import knex, { type Knex } from "knex";
import { NODE_FLAGS } from "../../server/cli/node-flags.ts";
import type { FieldCrypto } from "../../server/privacy/keys.ts";
import { CLI, ROOT } from "../../tests/helpers/server-process.ts";
import { peakRssOfPid, processCpuMs } from "../lib/proc.ts";

/**
 * Delivery across processes (issue 18): N queued SMS, K real `waymark worker` processes on
 * PostgreSQL with the webhook provider pointed at a sink in a process of its own (sink.ts), rate
 * limit off. The messages are inserted in one transaction once every worker is up, with the
 * NOTIFY a ticker batch sends, so the clock starts at that commit for all of them.
 *
 * msgs/s: distinct messages the sink accepted over the time from that commit to its last new
 * one. "Recorded" is the time until every row reads `sent` (the outcomes are written after the
 * sink's answers). CPU is read from /proc (utime + stime) before and after, per process: the
 * workers, the sink, the PostgreSQL backends connected to the bench database (the bench's own
 * connection excluded: it inserts and counts), and PostgreSQL's background processes (WAL
 * writer, checkpointer…, which anything else on the server also uses). Peak RSS is VmHWM.
 */
export interface ProcessesResult {
  processes: number;
  messages: number;
  accepted: number;
  duplicates: number;
  sent: number;
  acceptMs: number;
  recordedMs: number;
  cpuMs: { workers: number; sink: number; backends: number; background: number };
  peakRssMiB: { workers: number[]; sink: number };
}

export interface Sink {
  url: string;
  pid: number;
  stats(): Promise<SinkStats>;
  reset(): Promise<void>;
  stop(): void;
}

interface SinkStats {
  distinct: number;
  duplicates: number;
  requests: number;
  lastAcceptedAt: number;
}

export async function startSink(): Promise<Sink> {
  const child = fork(resolve(import.meta.dirname, "sink.ts"), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const url = await new Promise<string>((done) =>
    child.once("message", (m: { url: string }) => done(m.url)),
  );
  const ask = <T>(message: string) =>
    new Promise<T>((done) => {
      child.once("message", (m: T) => done(m));
      child.send(message);
    });
  return {
    url,
    pid: child.pid ?? 0,
    stats: () => ask<SinkStats>("stats"),
    reset: async () => {
      await ask("reset");
    },
    stop: () => child.send("stop"),
  };
}

/**
 * CPU ms of the local PostgreSQL's processes, by pid, split by what their title says: backends
 * of `database` (but not `exclude`), and the background processes no client owns. Other
 * databases' backends (anyone else using the server) are left out.
 */
function postgresCpu(
  database: string,
  exclude: number,
): { backends: Map<number, number>; background: Map<number, number> } {
  const backends = new Map<number, number>();
  const background = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let title: string;
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== "postgres") continue;
      title = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    } catch {
      continue;
    }
    if (pid === exclude) continue;
    if (title.includes(` ${database} `)) backends.set(pid, processCpuMs(pid));
    else if (!/\(\d+\)/.test(title)) background.set(pid, processCpuMs(pid));
  }
  return { backends, background };
}

/**
 * What the processes seen at the end used since the start: one that began during the run counts
 * from 0, one that ended during it (an autovacuum worker) is lost — a few ms at most.
 */
function used(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ms] of after) sum += ms - (before.get(pid) ?? 0);
  return sum;
}

/** Contacts for `count` messages, made once for all runs (the phone numbers are encrypted). */
export async function prepareContacts(db: Knex, crypto: FieldCrypto, count: number) {
  await db.raw("truncate messages, contacts restart identity cascade");
  const phones = Array.from({ length: 1000 }, (_, i) =>
    crypto.encrypt(`+1202555${String(1000 + i).padStart(4, "0")}`),
  );
  await db.raw(
    `insert into contacts (external_id, phone_encrypted, phone_country)
     select 'bench-' || g, (?::text[])[1 + g % 1000], 'US' from generate_series(0, ? - 1) g`,
    [phones, count],
  );
}

export async function runProcesses(options: {
  url: string;
  database: string;
  secret: string;
  sink: Sink;
  processes: number;
  messages: number;
  env: Record<string, string>;
}): Promise<ProcessesResult> {
  const { messages } = options;
  const db = knex({ client: "pg", connection: options.url, pool: { min: 1, max: 1 } });
  try {
    await db.raw("truncate messages restart identity cascade");
    await db.raw("vacuum analyze contacts");
    await options.sink.reset();
    const { rows } = (await db.raw("select pg_backend_pid() as pid")) as {
      rows: { pid: number }[];
    };
    const own = rows[0]?.pid ?? 0;
    const workers = await startWorkers(options);
    try {
      const cpu0 = snapshot(options, workers, own);
      await db.transaction(async (trx) => {
        await trx.raw(
          `insert into messages (idempotency_key, contact_id, channel, category, body, next_attempt_at)
           select 'bench:' || id, id, 'sms', 'transactional', 'Your order ' || id || ' shipped', now()
             from contacts`,
        );
        await trx.raw("select pg_notify('waymark_outbox', '')");
      });
      const inserted = Date.now();
      let stats = await options.sink.stats();
      const deadline = inserted + 10 * 60_000;
      while (stats.distinct < messages && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        stats = await options.sink.stats();
      }
      let sent = 0;
      while (Date.now() < deadline) {
        const r = (await db.raw(
          "select count(*)::int as n from messages where status = 'sent'",
        )) as {
          rows: { n: number }[];
        };
        sent = r.rows[0]?.n ?? 0;
        if (sent >= messages) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const recorded = Date.now();
      const cpu1 = snapshot(options, workers, own);
      // A worker that sent a message twice would show it here, after the last one settled.
      await new Promise((r) => setTimeout(r, 500));
      stats = await options.sink.stats();
      return {
        processes: options.processes,
        messages,
        accepted: stats.distinct,
        duplicates: stats.duplicates,
        sent,
        // The insert's own time is not delivery's: the clock starts at its commit.
        acceptMs: stats.lastAcceptedAt - inserted,
        recordedMs: recorded - inserted,
        cpuMs: {
          workers: cpu1.workers - cpu0.workers,
          sink: cpu1.sink - cpu0.sink,
          backends: used(cpu0.backends, cpu1.backends),
          background: used(cpu0.background, cpu1.background),
        },
        peakRssMiB: {
          workers: workers.map((w) => peakRssOfPid(w.pid ?? 0)),
          sink: peakRssOfPid(options.sink.pid),
        },
      };
    } finally {
      await Promise.all(workers.map(stopChild));
    }
  } finally {
    await db.destroy();
  }
}

function snapshot(
  options: { database: string; sink: Sink },
  workers: ChildProcess[],
  own: number,
): {
  workers: number;
  sink: number;
  backends: Map<number, number>;
  background: Map<number, number>;
} {
  return {
    workers: workers.reduce((sum, w) => sum + processCpuMs(w.pid ?? 0), 0),
    sink: processCpuMs(options.sink.pid),
    ...postgresCpu(options.database, own),
  };
}

/** K `waymark worker` processes, each up (its banner printed) before the messages exist. */
async function startWorkers(options: {
  url: string;
  secret: string;
  sink: Sink;
  processes: number;
  env: Record<string, string>;
}): Promise<ChildProcess[]> {
  const env = {
    ...process.env,
    DATABASE_URL: options.url,
    WAYMARK_SECRET: options.secret,
    WAYMARK_SMS_PROVIDER: "webhook",
    WAYMARK_WEBHOOK_URL: options.sink.url,
    WAYMARK_WEBHOOK_SECRET: options.secret,
    WAYMARK_SMS_RATE_LIMIT: "0",
    WAYMARK_DEMO_SEED: "false",
    LOG_LEVEL: "warn",
    ...options.env,
  };
  // e.g. BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to see where a worker's
  // CPU goes (NODE_OPTIONS refuses --cpu-prof).
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const children = Array.from({ length: options.processes }, () =>
    spawn(process.execPath, [...NODE_FLAGS, ...nodeArgs, CLI, "worker"], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "inherit"],
    }),
  );
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((done, fail) => {
          let out = "";
          child.stdout?.on("data", (d: Buffer) => {
            out += d.toString();
            if (out.includes("running")) done();
          });
          child.once("exit", (code) =>
            fail(new Error(`waymark worker exited with ${code}: ${out}`)),
          );
        }),
    ),
  );
  return children;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once("exit", () => done());
    child.kill("SIGTERM");
  });
}
