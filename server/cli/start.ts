import { ensureClientBuilt } from "../client-build.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { DatabaseConnectError } from "../db/connect.ts";
import { DataDirLockedError } from "../db/lock.ts";
import { createLogger } from "../log.ts";
import { PortInUseError, startServer } from "../server.ts";
import { guardProcess } from "./process-guard.ts";

/** `waymark start`: returns -1 (keep running) on success; 1 with a one-line reason on failure. */
export async function run(_args: string[]): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    return fail(err);
  }
  const log = createLogger(config.logLevel);
  guardProcess(log);
  try {
    if (config.serveClient) await ensureClientBuilt((line) => process.stdout.write(`${line}\n`));
    const running = await startServer(config, log);
    const { seed } = running;
    const lines = [
      "",
      `  Waymark is running at ${running.url}`,
      `  database: ${running.db.kind} (${running.db.location})`,
    ];
    if (seed.contacts || seed.journeys)
      lines.push(
        `  demo workspace: ${seed.contacts.toLocaleString("en-US")} contacts, ${seed.journeys} journeys`,
      );
    if (seed.adminPassword) {
      lines.push(
        `  log in as ${seed.adminEmail} with the one-time password: ${seed.adminPassword}`,
        "  (shown once; you will be asked to change it)",
      );
    } else {
      lines.push(`  log in with your operator account (first admin: ${seed.adminEmail})`);
      if (seed.adminPending)
        lines.push(
          "  the first admin's one-time password has not been changed yet; lost it? run",
          `  npx waymark operators reset-password --email ${seed.adminEmail}`,
        );
    }
    process.stdout.write(`${lines.join("\n")}\n\n`);
    const stop = async (signal: string) => {
      log.info({ signal }, "shutting down");
      await running.close();
      process.exit(0);
    };
    process.once("SIGINT", () => void stop("SIGINT"));
    process.once("SIGTERM", () => void stop("SIGTERM"));
    return -1;
  } catch (err) {
    return fail(err);
  }
}

function fail(err: unknown): number {
  if (err instanceof DataDirLockedError) {
    const why =
      err.owner.command === "start"
        ? "stop it first, or set WAYMARK_DATA_DIR to another folder"
        : "wait for it to finish";
    process.stderr.write(`waymark: ${err.message}; ${why}\n`);
    return 1;
  }
  if (
    err instanceof ConfigError ||
    err instanceof DatabaseConnectError ||
    err instanceof PortInUseError
  ) {
    process.stderr.write(`waymark: ${err.message}\n`);
  } else {
    process.stderr.write(
      `waymark: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`,
    );
  }
  return 1;
}
