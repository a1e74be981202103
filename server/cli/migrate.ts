import { ConfigError, loadConfig } from "../config.ts";
import { connect, DatabaseConnectError } from "../db/connect.ts";
import { acquireDataDirLock, DataDirLockedError } from "../db/lock.ts";
import { currentMigration, migrateDown, migrateLatest } from "../db/migrate.ts";

/**
 * `waymark migrate [--down]`: applies pending migrations, or rolls back the last batch. On
 * PGlite it takes the folder's lock first: migrating under a running server would change the
 * schema beneath its open database (the server migrates on start anyway).
 */
export async function run(args: string[]): Promise<number> {
  let lock: ReturnType<typeof acquireDataDirLock> | null = null;
  try {
    const config = loadConfig();
    if (!config.databaseUrl) lock = acquireDataDirLock(config.dataDir, "migrate");
    const db = await connect({ url: config.databaseUrl, pgliteDir: config.dataDir });
    try {
      const names = args.includes("--down")
        ? await migrateDown(db.knex)
        : await migrateLatest(db.knex);
      const verb = args.includes("--down") ? "reverted" : "applied";
      process.stdout.write(
        `${names.length ? `${verb}: ${names.join(", ")}` : "nothing to do"}\n` +
          `database: ${db.kind}, at migration ${(await currentMigration(db.knex)) ?? "none"}\n`,
      );
      return 0;
    } finally {
      await db.close();
    }
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      const why =
        err.owner.command === "start"
          ? "it applied the migrations when it started; stop it to run migrate"
          : "wait for it to finish";
      process.stderr.write(`waymark: ${err.message}; ${why}\n`);
      return 1;
    }
    if (err instanceof ConfigError || err instanceof DatabaseConnectError) {
      process.stderr.write(`waymark: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    lock?.release();
  }
}
