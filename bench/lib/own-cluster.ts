import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const BIN = "/usr/lib/postgresql/15/bin";

/**
 * The two configurations issue 18 asks to compare. Stock is initdb's (checkpoints every 1 GB
 * of WAL or 5 min, which on the 1M-user run meant one every 5–15 s); tuned spaces checkpoints
 * out so a run pays few of them, and compresses the full-page images each one forces.
 */
export type ClusterConfig = "stock" | "tuned";
const TUNED = ["-c max_wal_size=16GB", "-c checkpoint_timeout=30min", "-c wal_compression=lz4"];

export interface OwnCluster {
  url: string;
  stop: () => Promise<void>;
}

/**
 * A PostgreSQL 15 cluster of the bench's own: initdb as the non-root `postgres` user in a
 * folder under /tmp, started with pg_ctl on a free port, removed by `stop()`. The shared
 * server on 5432 is never reconfigured or restarted (other engineers use it); settings are
 * tried here instead. Unlike the reliability tests' cluster, fsync stays on: this one measures.
 */
export async function startOwnCluster(config: ClusterConfig): Promise<OwnCluster> {
  const owner = postgresUser();
  if (!existsSync(join(BIN, "initdb")) || process.getuid?.() !== 0 || owner === null) {
    throw new Error(
      `--own-cluster needs ${BIN}/initdb, root and a postgres user (to run it as non-root)`,
    );
  }
  const root = mkdtempSync(join(tmpdir(), "waymark-bench-pg-"));
  chownSync(root, owner.uid, owner.gid);
  const data = join(root, "data");
  const port = await freePort();
  const asPostgres = (cmd: string, args: string[]) =>
    run("/usr/sbin/runuser", ["-u", "postgres", "--", join(BIN, cmd), ...args], {
      cwd: root,
      maxBuffer: 10 * 1024 * 1024,
    });
  await asPostgres("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
  const options = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${root}`,
    "-c max_connections=100",
    ...(config === "tuned" ? TUNED : []),
  ].join(" ");
  const logFile = join(root, "server.log");
  try {
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
  } catch (err) {
    const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
    rmSync(root, { recursive: true, force: true });
    throw new Error(`own cluster did not start: ${String(err)}\n${log}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await asPostgres("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]).catch(
        () => {},
      );
      rmSync(root, { recursive: true, force: true });
    },
  };
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
