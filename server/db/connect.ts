import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Knex } from "knex";
import knex from "knex";
import ClientPgLite from "knex-pglite";

export type DatabaseKind = "pglite" | "postgres";

export interface Database {
  knex: Knex;
  kind: DatabaseKind;
  /** Where the data lives, for the start-up banner: a directory or the URL without its password. */
  location: string;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** PostgreSQL URL; when absent, PGlite. */
  url?: string | undefined;
  /** PGlite data directory; `memory` for an in-memory database (tests). */
  pgliteDir?: string | "memory";
  /** Pool size for PostgreSQL. PGlite is single-connection whatever this says. */
  poolMax?: number;
}

export class DatabaseConnectError extends Error {}

/**
 * Opens the database and proves it answers, so a bad URL fails here with one clear line instead
 * of on the first request. PGlite runs inside this process with exactly one connection: knex's
 * pool of one queues queries behind an open transaction, which is why the ticker keeps PGlite
 * batches short rather than relying on concurrency.
 */
export async function connect(options: ConnectOptions): Promise<Database> {
  if (options.url) return connectPostgres(options.url, options.poolMax ?? 10);
  return connectPglite(options.pgliteDir ?? "memory");
}

async function connectPostgres(url: string, poolMax: number): Promise<Database> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseConnectError(`DATABASE_URL is not a valid URL: "${redact(url)}"`);
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new DatabaseConnectError(
      `DATABASE_URL must start with postgres:// or postgresql://, got "${parsed.protocol}//…"`,
    );
  }
  const instance = knex({
    client: "pg",
    connection: { connectionString: url, connectionTimeoutMillis: 5000 },
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 10_000,
    log: quietKnexLog,
  });
  const location = redact(url);
  try {
    await instance.raw("select 1");
  } catch (err) {
    await instance.destroy().catch(() => {});
    throw new DatabaseConnectError(`cannot connect to PostgreSQL at ${location}: ${reason(err)}`);
  }
  return { knex: instance, kind: "postgres", location, close: () => instance.destroy() };
}

async function connectPglite(dir: string): Promise<Database> {
  let connection: { filename?: string } = {};
  if (dir !== "memory") {
    mkdirSync(dir, { recursive: true });
    connection = { filename: join(dir, "pgdata") };
  }
  const instance = knex({
    client: ClientPgLite,
    dialect: "postgres",
    connection,
    // Queries wait behind a running transaction instead of failing: one connection is all there is.
    acquireConnectionTimeout: 120_000,
    log: quietKnexLog,
  } as Knex.Config);
  try {
    await instance.raw("select 1");
  } catch (err) {
    await instance.destroy().catch(() => {});
    throw new DatabaseConnectError(`cannot open the embedded database in ${dir}: ${reason(err)}`);
  }
  return {
    knex: instance,
    kind: "pglite",
    location: dir === "memory" ? "in memory" : join(dir, "pgdata"),
    close: () => instance.destroy(),
  };
}

// knex prints pool errors to the console on its own; they also reject the query, and the
// caller turns that into one clear line, so the console copy is noise (and a stack trace).
const quietKnexLog = { warn() {}, error() {}, debug() {}, deprecate() {} };

function reason(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return reason(err.errors[0]);
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<unparseable>";
  }
}
