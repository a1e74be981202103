import { resolve } from "node:path";
import { isValidZone } from "../engine/time/zone.ts";

/**
 * Every setting Waymark reads, with its default. The README's configuration table is this list;
 * nothing else in the server reads `process.env`.
 */
export interface Config {
  /** HTTP port for the API, the socket.io endpoint and the built client. */
  port: number;
  host: string;
  /** PostgreSQL connection string; unset means embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /** Where PGlite keeps its files and where the generated encryption key lives. */
  dataDir: string;
  /** 32+ character secret for phone encryption and blind indexes; generated into dataDir when unset. */
  secret: string | undefined;
  logLevel: string;
  /** Seed demo contacts and example journeys into an empty database on start. */
  demoSeed: boolean;
  /** Serve client/dist (false under `npm run dev`, where Vite serves the client). */
  serveClient: boolean;
  /** Mark the session cookie Secure; turn on when Waymark is reached over HTTPS. */
  secureCookies: boolean;
  /** Run the ticker (and delivery) in this process; `false` for an API-only process. */
  runWorkers: boolean;
  /** Enrollments per ticker transaction; unset on PGlite, the batch is sized by `tickBatchMs`. */
  tickBatch: number | undefined;
  /** PGlite: the time to aim each ticker batch at (runtime/batch-size.ts). */
  tickBatchMs: number;
  /** Parallel ticker loops (PostgreSQL only). */
  tickConcurrency: number;
  /** PostgreSQL connections per process (docs/SCALING.md sizes it). */
  dbPool: number;
  /** Ingest transactions at a time per process (PostgreSQL; PGlite runs one). */
  ingestConcurrency: number;
  /** Zone used for quiet hours when a contact has neither a profile zone nor a phone country. */
  workspaceTimezone: string;
  /**
   * How often audience-triggered journeys re-evaluate their audience (ms). A minute in
   * production; tests shorten it so a run does not wait a minute for the first entries.
   */
  audienceScanMs: number;
  /**
   * How often the server looks for PGlite tables to vacuum or analyze and WAL to checkpoint
   * (ms); PGlite has no autovacuum or checkpointer of its own (server/db/maintenance.ts).
   */
  housekeepingMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: intFrom(env.PORT, 3000, "PORT"),
    host: env.HOST ?? "0.0.0.0",
    databaseUrl: env.DATABASE_URL?.trim() || undefined,
    dataDir: resolve(env.WAYMARK_DATA_DIR ?? ".waymark"),
    secret: secretFrom(env.WAYMARK_SECRET, "WAYMARK_SECRET"),
    logLevel: oneOf(env.LOG_LEVEL, "info", "LOG_LEVEL", LOG_LEVELS),
    demoSeed: boolFrom(env.WAYMARK_DEMO_SEED, true, "WAYMARK_DEMO_SEED"),
    serveClient: boolFrom(env.WAYMARK_SERVE_CLIENT, true, "WAYMARK_SERVE_CLIENT"),
    runWorkers: boolFrom(env.WAYMARK_WORKERS, true, "WAYMARK_WORKERS"),
    tickBatch: env.WAYMARK_TICK_BATCH
      ? intFrom(env.WAYMARK_TICK_BATCH, 500, "WAYMARK_TICK_BATCH")
      : undefined,
    tickBatchMs: intFrom(env.WAYMARK_TICK_BATCH_MS, 100, "WAYMARK_TICK_BATCH_MS", {
      min: 10,
      max: 10_000,
    }),
    tickConcurrency: intFrom(env.WAYMARK_TICK_CONCURRENCY, 1, "WAYMARK_TICK_CONCURRENCY", {
      min: 1,
      max: 64,
    }),
    dbPool: intFrom(env.WAYMARK_DB_POOL, 10, "WAYMARK_DB_POOL", { min: 2, max: 1000 }),
    ingestConcurrency: intFrom(env.WAYMARK_INGEST_CONCURRENCY, 2, "WAYMARK_INGEST_CONCURRENCY", {
      min: 1,
      max: 64,
    }),
    secureCookies: boolFrom(env.WAYMARK_SECURE_COOKIES, false, "WAYMARK_SECURE_COOKIES"),
    workspaceTimezone: zoneFrom(env.WAYMARK_TIMEZONE, "UTC", "WAYMARK_TIMEZONE"),
    // At least 100 ms, so a typo cannot turn the scan into a busy loop; at most a day.
    audienceScanMs: intFrom(env.WAYMARK_AUDIENCE_SCAN_MS, 60_000, "WAYMARK_AUDIENCE_SCAN_MS", {
      min: 100,
      max: 86_400_000,
    }),
    housekeepingMs: intFrom(env.WAYMARK_HOUSEKEEPING_MS, 10_000, "WAYMARK_HOUSEKEEPING_MS", {
      min: 100,
      max: 86_400_000,
    }),
  };
}

export class ConfigError extends Error {}

/** pino's levels (server/log.ts); pino itself would throw on another without naming the variable. */
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * A switch is `true` or `false` (1/0, yes/no and on/off too, any case). Anything else is refused
 * rather than read as the default: `WAYMARK_SECURE_COOKIES=1` used to leave cookies insecure, and
 * `WAYMARK_DEMO_SEED=0` to seed demo data.
 */
function boolFrom(raw: string | undefined, fallback: boolean, name: string): boolean {
  const v = raw?.trim().toLowerCase();
  if (v === undefined || v === "") return fallback;
  if (v === "true" || v === "1" || v === "yes" || v === "on") return true;
  if (v === "false" || v === "0" || v === "no" || v === "off") return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function oneOf<T extends string>(
  raw: string | undefined,
  fallback: T,
  name: string,
  allowed: readonly T[],
): T {
  const v = raw?.trim();
  if (v === undefined || v === "") return fallback;
  const found = allowed.find((a) => a === v);
  if (found === undefined) {
    throw new ConfigError(`${name} must be one of ${allowed.join(", ")}, got "${raw}"`);
  }
  return found;
}

/**
 * Checked here as well as where the keys are derived (privacy/keys.ts): here a short secret
 * stops the start with one line, before the data folder or the database is touched. The value
 * is never echoed.
 */
function secretFrom(raw: string | undefined, name: string): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (raw.length < 32) {
    throw new ConfigError(`${name} must be at least 32 characters (got ${raw.length})`);
  }
  return raw;
}

/**
 * The workspace zone is checked here: an unknown one would make every step of a contact without
 * a zone of its own throw, so no batch holding one could ever commit.
 */
function zoneFrom(raw: string | undefined, fallback: string, name: string): string {
  const v = raw?.trim();
  if (v === undefined || v === "") return fallback;
  if (!isValidZone(v)) {
    throw new ConfigError(`${name} must be an IANA time zone such as Asia/Shanghai, got "${raw}"`);
  }
  return v;
}

function intFrom(
  raw: string | undefined,
  fallback: number,
  name: string,
  { min = 0, max = 65535 }: { min?: number; max?: number } = {},
): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

/**
 * Where the CLI's `export` and `import` find a running server, and the secret key they send
 * (`Authorization: Bearer sk_…`). An environment variable rather than a flag, so the key
 * stays out of shell history and the process list.
 */
export interface RemoteConfig {
  url: string;
  apiKey: string | undefined;
}

export function loadRemoteConfig(env: NodeJS.ProcessEnv = process.env): RemoteConfig {
  return {
    url: env.WAYMARK_URL?.trim() || "http://localhost:3000",
    apiKey: env.WAYMARK_API_KEY?.trim() || undefined,
  };
}
