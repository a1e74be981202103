import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import knex from "knex";

const run = promisify(execFile);
const BIN = "/usr/lib/postgresql/15/bin";

/** The tools are there and we can become the `postgres` user (root, with runuser). */
export function canRunPrivateCluster(): boolean {
  return (
    existsSync(join(BIN, "initdb")) &&
    existsSync("/usr/sbin/runuser") &&
    process.getuid?.() === 0 &&
    uid("postgres") !== null
  );
}

export interface PrivateCluster {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<db>` */
  url(db: string): string;
  /** pg_terminate_backend of every session connected to `db` (this cluster only). */
  terminate(db: string): Promise<number>;
  /** `pg_ctl restart -m fast`: sessions are ended, checkpoint, back up. */
  restartFast(): Promise<void>;
  /** `pg_ctl stop -m immediate`: a crash as far as sessions and WAL are concerned. */
  stopImmediate(): Promise<void>;
  start(): Promise<void>;
  log(): string;
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL 15 cluster of the test's own, on a free port, owned by the non-root `postgres`
 * user in a temp folder — never the shared server on 5432, which other engineers' tests use and
 * which must never be stopped or have its sessions terminated. fsync is off: the faults here
 * stop PostgreSQL's processes, not the machine, so the OS keeps every write it was handed.
 */
export async function startPrivateCluster(): Promise<PrivateCluster> {
  const root = mkdtempSync(join(tmpdir(), "waymark-pg-"));
  const owner = uid("postgres");
  if (owner === null) throw new Error("no postgres user");
  chownSync(root, owner.uid, owner.gid);
  const data = join(root, "data");
  const logFile = join(root, "server.log");
  const port = await freePort();
  const asPostgres = (cmd: string, args: string[]) =>
    run("/usr/sbin/runuser", ["-u", "postgres", "--", join(BIN, cmd), ...args], {
      cwd: root,
      maxBuffer: 10 * 1024 * 1024,
    });
  await asPostgres("initdb", [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=trust",
    "-E",
    "UTF8",
    "--no-sync",
  ]);
  const options = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${root}`,
    "-c fsync=off",
    "-c full_page_writes=off",
    "-c max_connections=100",
    "-c shared_buffers=64MB",
  ].join(" ");
  const start = async () => {
    await asPostgres("pg_ctl", [
      "-D",
      data,
      "-l",
      logFile,
      "-o",
      options,
      "-w",
      "-t",
      "60",
      "start",
    ]);
  };
  await start();
  const url = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  const admin = async <T>(fn: (k: knex.Knex) => Promise<T>): Promise<T> => {
    const k = knex({ client: "pg", connection: url("postgres"), pool: { min: 0, max: 1 } });
    try {
      return await fn(k);
    } finally {
      await k.destroy();
    }
  };
  await admin((k) => k.raw("create database waymark"));
  return {
    port,
    url,
    async terminate(db) {
      return admin(async (k) => {
        const r = (await k.raw(
          `select count(*) filter (where pg_terminate_backend(pid)) as n
             from pg_stat_activity where datname = ? and pid <> pg_backend_pid()`,
          [db],
        )) as { rows: { n: string }[] };
        return Number(r.rows[0]?.n ?? 0);
      });
    },
    async restartFast() {
      await asPostgres("pg_ctl", [
        "-D",
        data,
        "-l",
        logFile,
        "-o",
        options,
        "-m",
        "fast",
        "-w",
        "-t",
        "60",
        "restart",
      ]);
    },
    async stopImmediate() {
      await asPostgres("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "60", "stop"]);
    },
    start,
    log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
    async destroy() {
      await asPostgres("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function uid(user: string): { uid: number; gid: number } | null {
  try {
    const line = readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${user}:`));
    const [, , u, g] = line?.split(":") ?? [];
    return u && g ? { uid: Number(u), gid: Number(g) } : null;
  } catch {
    return null;
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}
