import { ConfigError, loadConfig } from "../config.ts";
import { connect, DatabaseConnectError } from "../db/connect.ts";
import { currentMigration, migrateDown, migrateLatest } from "../db/migrate.ts";

/** `waymark migrate [--down]`: applies pending migrations, or rolls back the last batch. */
export async function run(args: string[]): Promise<number> {
  try {
    const config = loadConfig();
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
    if (err instanceof ConfigError || err instanceof DatabaseConnectError) {
      process.stderr.write(`waymark: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
