import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const BIN = "/usr/lib/postgresql/15/bin";

/** The tools are there and we can become the `postgres` user (root, with runuser). */
export function canRunOwnCluster(): boolean {
  return (
    existsSync(join(BIN, "initdb")) &&
    existsSync("/usr/sbin/runuser") &&
    process.getuid?.() === 0 &&
    postgresUser() !== null
  );
}

export interface Cluster {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<db>` */
  url(db: string): string;
  start(): Promise<void>;
  /** `fast` ends sessions and checkpoints; `immediate` is a crash as far as WAL is concerned. */
  stop(mode: "fast" | "immediate"): Promise<void>;
  restart(mode: "fast" | "immediate"): Promise<void>;
  log(): string;
  /** Stops the cluster if it runs (`fast` by default) and removes its folder. */
  destroy(mode?: "fast" | "immediate"): Promise<void>;
}

/**
 * A PostgreSQL 15 cluster of the caller's own, for the reliability tests' faults and the
 * benches' settings: initdb as the non-root `postgres` user in a folder under /tmp, started with
 * pg_ctl on a free port with `settings` (`-c name=value` each). The shared server on 5432 is
 * never stopped, reconfigured or has its sessions ended: other engineers use it.
 */
export async function startCluster(
  settings: readonly string[],
  initdbOptions: readonly string[] = [],
): Promise<Cluster> {
  const owner = postgresUser();
  if (!canRunOwnCluster() || owner === null) {
    throw new Error(`a cluster of our own needs ${BIN}/initdb, runuser, root and a postgres user`);
  }
  const root = mkdtempSync(join(tmpdir(), "waymark-pg-"));
  chownSync(root, owner.uid, owner.gid);
  const data = join(root, "data");
  const logFile = join(root, "server.log");
  const port = await freePort();
  const pgCtl = async (...args: string[]) => {
    await run("/usr/sbin/runuser", ["-u", "postgres", "--", join(BIN, "pg_ctl"), ...args], {
      cwd: root,
      maxBuffer: 10 * 1024 * 1024,
    });
  };
  const options = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${root}`,
    "-c max_connections=100",
    ...settings.map((s) => `-c ${s}`),
  ].join(" ");
  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  const cluster: Cluster = {
    port,
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    start: () => pgCtl("-D", data, "-l", logFile, "-o", options, "-w", "-t", "60", "start"),
    stop: (mode) => pgCtl("-D", data, "-m", mode, "-w", "-t", "60", "stop"),
    restart: (mode) =>
      pgCtl("-D", data, "-l", logFile, "-o", options, "-m", mode, "-w", "-t", "60", "restart"),
    log,
    async destroy(mode = "fast") {
      await cluster.stop(mode).catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await run(
      "/usr/sbin/runuser",
      [
        "-u",
        "postgres",
        "--",
        join(BIN, "initdb"),
        "-D",
        data,
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        ...initdbOptions,
      ],
      { cwd: root, maxBuffer: 10 * 1024 * 1024 },
    );
    await cluster.start();
  } catch (err) {
    const text = log();
    rmSync(root, { recursive: true, force: true });
    throw new Error(`own cluster did not start: ${String(err)}\n${text}`);
  }
  return cluster;
}

function postgresUser(): { uid: number; gid: number } | null {
  try {
    const line = readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((l) => l.startsWith("postgres:"));
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
