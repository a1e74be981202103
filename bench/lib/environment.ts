import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import knex from "knex";

/**
 * Server settings that move the ticker's numbers by tens of percent: how often PostgreSQL
 * checkpoints (max_wal_size, checkpoint_timeout), what a full-page write costs
 * (wal_compression), the cache and the commit flush. A table without them cannot be compared
 * with another machine's, or with the same machine after a config change.
 */
export const SETTINGS = [
  "max_wal_size",
  "checkpoint_timeout",
  "wal_compression",
  "shared_buffers",
  "synchronous_commit",
] as const;

export interface Environment {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  postgres: string;
  settings: Record<string, string>;
  date: string;
  commit: string;
}

/** /proc/cpuinfo's model name: os.cpus() reports "unknown" or a shortened name on some VMs. */
export function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line) return line.slice(line.indexOf(":") + 1).trim();
  } catch {
    // Not Linux: fall back to what Node knows.
  }
  return cpus()[0]?.model.trim() ?? "unknown CPU";
}

export function gitCommit(): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: import.meta.dirname,
      encoding: "utf8",
    }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd: import.meta.dirname,
      encoding: "utf8",
    }).trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return "unknown";
  }
}

/** The server's version and SETTINGS, through an open connection. */
export async function serverSettings(
  k: knex.Knex,
): Promise<{ postgres: string; settings: Record<string, string> }> {
  const version = (await k.raw("show server_version")) as { rows: { server_version: string }[] };
  const settings: Record<string, string> = {};
  for (const name of SETTINGS) {
    const r = (await k.raw(`show ${name}`)) as { rows: Record<string, string>[] };
    settings[name] = r.rows[0]?.[name] ?? "?";
  }
  return { postgres: version.rows[0]?.server_version ?? "?", settings };
}

export function settingsText(settings: Record<string, string>): string {
  return Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

/** Everything a reader needs to know which machine and server a table came from. */
export async function describeEnvironment(url: string): Promise<Environment> {
  const k = knex({ client: "pg", connection: url, pool: { min: 0, max: 1 } });
  try {
    const { postgres, settings } = await serverSettings(k);
    return {
      cpu: cpuModel(),
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      postgres,
      settings,
      date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      commit: gitCommit(),
    };
  } finally {
    await k.destroy();
  }
}

/** One line for the console and the report's heading. */
export function environmentLine(env: Environment, server: string): string {
  return `${env.cores} × ${env.cpu}, ${env.memoryGiB} GiB, Node ${env.node}; PostgreSQL ${env.postgres} (${server}: ${settingsText(env.settings)}); ${env.date}, commit ${env.commit}`;
}
