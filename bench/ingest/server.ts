import knex, { type Knex } from "knex";
import { connect } from "../../server/db/connect.ts";
import { runCli, type Started, startWaymark, tempDir } from "../../tests/helpers/server-process.ts";
import { freshBenchDatabase } from "../lib/database.ts";
import { processCpuMs } from "../lib/proc.ts";

/**
 * The server as `npm start` runs it — a child process with the ticker, delivery and scanners —
 * on a fresh database, with a write key and a secret key made by the CLI beforehand, and a
 * way to count stored rows afterwards (PGlite's files can only be opened once the server is
 * gone).
 */
export interface BenchServer {
  kind: "pglite" | "postgres";
  url: string;
  pid: number;
  writeKey: string;
  secretKey: string;
  /** Admin API call with the secret key. */
  api: (method: string, path: string, body?: unknown) => Promise<Response>;
  /**
   * CPU time (ms) used so far by the server process and, on PostgreSQL, by the backends
   * connected to its database: where the time goes, even on a machine others share.
   */
  cpu: () => Promise<{ server: number; database: number }>;
  /** Stops the server; returns a query function on its database for the counts. */
  stop: () => Promise<Knex>;
}

export async function startBenchServer(kind: "pglite" | "postgres"): Promise<BenchServer> {
  const env: Record<string, string> =
    kind === "postgres"
      ? { DATABASE_URL: await freshBenchDatabase("waymark_bench_ingest", "ingest") }
      : { WAYMARK_DATA_DIR: tempDir("waymark-bench-ingest-") };
  env.WAYMARK_DEMO_SEED = "false";
  env.WAYMARK_SECRET = "bench-secret-bench-secret-bench-secret";
  env.LOG_LEVEL = "error";
  const key = async (kindOfKey: "write" | "secret") => {
    const r = await runCli(["keys", "create", "--kind", kindOfKey], env);
    if (r.code !== 0) throw new Error(`keys create failed: ${r.stderr}`);
    return r.stdout.trim();
  };
  const writeKey = await key("write");
  const secretKey = await key("secret");
  const started: Started = await startWaymark(env, 120_000);
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${started.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${secretKey}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const probe =
    kind === "postgres"
      ? knex({ client: "pg", connection: env.DATABASE_URL, pool: { min: 0, max: 1 } })
      : null;
  const cpu = async () => {
    let database = 0;
    if (probe) {
      const { rows } = (await probe.raw(
        "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
      )) as { rows: { pid: number }[] };
      for (const r of rows) database += processCpuMs(r.pid);
    }
    return { server: processCpuMs(started.child.pid ?? 0), database };
  };
  return {
    kind,
    cpu,
    url: started.url,
    pid: started.child.pid ?? 0,
    writeKey,
    secretKey,
    api,
    async stop() {
      await probe?.destroy();
      await started.stop();
      if (kind === "postgres") {
        return knex({ client: "pg", connection: env.DATABASE_URL, pool: { min: 0, max: 2 } });
      }
      const db = await connect({ pgliteDir: env.WAYMARK_DATA_DIR ?? "" });
      return db.knex;
    },
  };
}

/** Creates and publishes a journey through the admin API. */
export async function publish(server: BenchServer, journey: Record<string, unknown>) {
  const created = await server.api("POST", "/api/journeys", journey);
  if (created.status !== 201) throw new Error(`create journey: ${await created.text()}`);
  const published = await server.api("POST", `/api/journeys/${String(journey.id)}/publish`);
  if (published.status !== 200) throw new Error(`publish journey: ${await published.text()}`);
}

/** Trigger on `trigger`, wait up to a day at an event branch on `answer`, thank, exit. */
export function branchJourney(id: string, trigger: string, answer: string) {
  return {
    format: "waymark/journey@1",
    id,
    name: id,
    nodes: [
      { id: "start", type: "trigger", trigger: { kind: "event", event: trigger } },
      { id: "asked", type: "branch", branch: { kind: "event", event: answer, within: "P1D" } },
      {
        id: "thank",
        type: "send",
        send: { channel: "sms", category: "transactional", template: "Thanks!" },
      },
      { id: "done", type: "exit" },
    ],
    edges: [
      { from: "start", to: "asked" },
      { from: "asked", to: "thank", path: "yes" },
      { from: "asked", to: "done", path: "no" },
      { from: "thank", to: "done" },
    ],
  };
}

/** Trigger on `trigger`, then wait a day: entering is all the ticker does during the run. */
export function waitJourney(id: string, trigger: string) {
  return {
    format: "waymark/journey@1",
    id,
    name: id,
    nodes: [
      { id: "start", type: "trigger", trigger: { kind: "event", event: trigger } },
      { id: "later", type: "wait", wait: { kind: "duration", duration: "P1D" } },
      { id: "done", type: "exit" },
    ],
    edges: [
      { from: "start", to: "later" },
      { from: "later", to: "done" },
    ],
  };
}

export const pct = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
