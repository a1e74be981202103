import knex from "knex";
import { serverSettings, settingsText } from "./environment.ts";

/**
 * The PostgreSQL this process's benchmark database lives on, as report.ts's machine line
 * quotes it: its version and the settings that move the numbers. Null until one was made.
 */
export let benchServer: string | null = null;

/**
 * A fresh, empty PostgreSQL database for one benchmark, next to `server` (a bench's
 * --database-url), BENCH_DATABASE_URL or TEST_DATABASE_URL (default: the local server). Exits
 * with a clear line when there is none: these benchmarks measure PostgreSQL itself.
 */
export async function freshBenchDatabase(
  name: string,
  bench: string,
  server?: string,
): Promise<string> {
  const admin =
    server ??
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    "postgres://postgres@127.0.0.1:5432/test";
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const a = knex({ client: "pg", connection: admin, pool: { min: 0, max: 1 } });
  try {
    await a.raw(`drop database if exists ${name} with (force)`);
    await a.raw(`create database ${name}`);
    const { postgres, settings } = await serverSettings(a);
    benchServer = `PostgreSQL ${postgres} (${settingsText(settings)})`;
  } catch (err) {
    console.error(
      `bench ${bench} needs PostgreSQL (${admin}): ${err instanceof Error ? err.message : String(err)}`,
    );
    process.exit(1);
  } finally {
    await a.destroy();
  }
  return url.toString();
}
