import { ConfigError, loadConfig } from "../config.ts";
import { connect, DatabaseConnectError } from "../db/connect.ts";
import {
  acquireDataDirLock,
  type DataDirLock,
  DataDirLockedError,
  describeOwner,
  displayPath,
  liveOwner,
} from "../db/lock.ts";
import { migrateLatest } from "../db/migrate.ts";
import { type CommandIo, callAdminSocket, type DatabaseCommand } from "./admin-socket.ts";

const terminal: CommandIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/**
 * `waymark keys|operators …` whether or not the server runs. On PostgreSQL every process may
 * connect, so the command does. On PGlite the folder has one owner: when a server holds it, the
 * command runs inside that server through its admin socket (server/cli/admin-socket.ts); when
 * nobody does, the command takes the folder itself for its few statements, so a `start` in the
 * meantime refuses instead of opening it twice.
 *
 * `consoleHint` is where the same thing lives in the console, for the refusal line.
 */
export async function runDatabaseCommand(
  name: string,
  args: string[],
  execute: DatabaseCommand,
  consoleHint: string,
): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message);
    throw err;
  }
  let lock: DataDirLock | null = null;
  if (!config.databaseUrl) {
    const owner = liveOwner(config.dataDir);
    const refusal = (who: string) =>
      `${who} is using ${displayPath(config.dataDir)}; stop it, or do this in the console: ${consoleHint}`;
    if (owner) {
      if (owner.command !== "start") return fail(refusal(describeOwner(owner)));
      const routed = await callAdminSocket(config.dataDir, owner.token, name, args).catch(
        (err: unknown) => err as Error,
      );
      if (routed === "unreachable" || routed instanceof Error) {
        const why =
          routed === "unreachable"
            ? "it is not taking commands yet; still starting?"
            : routed.message;
        return fail(`${refusal(describeOwner(owner))}; ${why}`);
      }
      process.stdout.write(routed.stdout);
      process.stderr.write(routed.stderr);
      return routed.code;
    }
    try {
      lock = acquireDataDirLock(config.dataDir, name);
    } catch (err) {
      if (err instanceof DataDirLockedError) return fail(refusal(describeOwner(err.owner)));
      throw err;
    }
  }
  try {
    const db = await connect({ url: config.databaseUrl, pgliteDir: config.dataDir });
    try {
      await migrateLatest(db.knex);
      return await execute(db.knex, args, terminal);
    } finally {
      await db.close();
    }
  } catch (err) {
    if (err instanceof DatabaseConnectError) return fail(err.message);
    throw err;
  } finally {
    lock?.release();
  }
}

function fail(message: string): number {
  process.stderr.write(`waymark: ${message}\n`);
  return 1;
}
