import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Knex } from "knex";

const dir = resolve(import.meta.dirname, "../../migrations");

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Lists `migrations/*.ts` ourselves instead of knex's directory loader: knex's loader picks
 * extensions by file name and would need a compile step; importing the TypeScript modules through
 * tsx (start) or vite (tests) keeps one source of truth with no build.
 */
const source: Knex.MigrationSource<string> = {
  async getMigrations() {
    return readdirSync(dir)
      .filter((f) => /^\d+_[\w-]+\.ts$/.test(f))
      .sort();
  },
  getMigrationName: (name) => name,
  async getMigration(name) {
    return (await import(pathToFileURL(resolve(dir, name)).href)) as MigrationModule;
  },
};

const config: Knex.MigratorConfig = { migrationSource: source, tableName: "knex_migrations" };

export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest(config)) as [number, string[]];
  return applied;
}

export async function migrateDown(knex: Knex): Promise<string[]> {
  const [, reverted] = (await knex.migrate.rollback(config, true)) as [number, string[]];
  return reverted;
}

/** The last applied migration's name, reported by /healthz; null before the first migration. */
export async function currentMigration(knex: Knex): Promise<string | null> {
  const version = await knex.migrate.currentVersion(config);
  if (version === "none") return null;
  const rows = (await knex("knex_migrations").select("name").orderBy("id", "desc").limit(1)) as {
    name: string;
  }[];
  return rows[0]?.name ?? null;
}
