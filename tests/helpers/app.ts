import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type AppOptions, createApp } from "../../server/app.ts";
import type { Database } from "../../server/db/connect.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { loadDeliveryConfig } from "../../server/delivery/config.ts";
import { createApiKey } from "../../server/keys/api-keys.ts";
import { createLogger } from "../../server/log.ts";
import { createMetrics } from "../../server/metrics.ts";
import { type FieldCrypto, fieldCrypto } from "../../server/privacy/keys.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { type TickerOptions, tickOnce } from "../../server/runtime/ticker.ts";

/** A clock tests move by hand; the app and the ticker both read it. */
export function manualClock(start: string | number) {
  let t = typeof start === "string" ? Date.parse(start) : start;
  return {
    now: () => new Date(t),
    set: (iso: string) => {
      t = Date.parse(iso);
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

export interface TestApp {
  url: string;
  http: Server;
  crypto: FieldCrypto;
  writeKey: string;
  /** A secret key: the admin API as Bearer. */
  secretKey: string;
  tick: (overrides?: Partial<TickerOptions>) => ReturnType<typeof tickOnce>;
  /** POSTs JSON with the write key; returns status and parsed body. */
  ingest: (
    path: string,
    body: unknown,
  ) => Promise<{ status: number; body: Record<string, unknown> }>;
  /**
   * Calls the API over HTTP: as the admin secret key unless `headers` are given (a cookie, a
   * role's key); a string body goes as those bytes, anything else as JSON. The body is parsed
   * when the answer is JSON, else `{}` with the `text` kept.
   */
  call: <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; text: string; body: T }>;
  close: () => Promise<void>;
}

/**
 * The real Express app on a loopback port over a migrated test database, with the ticker
 * driven by hand (`tick`) so each step of a journey can be asserted.
 */
export async function startTestApp(
  db: Database,
  clock: { now: () => Date },
  env: Record<string, string> = {},
  options: { metrics?: boolean; onDue?: () => void; ingest?: AppOptions["ingest"] } = {},
): Promise<TestApp> {
  await migrateLatest(db.knex);
  const crypto = fieldCrypto("test-secret-test-secret-test-secret!");
  const log = createLogger("silent");
  const delivery = loadDeliveryConfig(env);
  const app = createApp({
    db,
    log,
    crypto,
    delivery,
    clock: clock.now,
    serveClient: false,
    ...(options.metrics ? { metrics: createMetrics(db.knex) } : {}),
    ...(options.onDue ? { onDue: options.onDue } : {}),
    ...(options.ingest ? { ingest: options.ingest } : {}),
  });
  const http = createServer(app);
  await new Promise<void>((done) => http.listen(0, "127.0.0.1", done));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const { key: writeKey } = await createApiKey(db.knex, "write", "test", null);
  const { key: secretKey } = await createApiKey(db.knex, "secret", "test", null);
  const policy = policyCache(db.knex, "UTC", 0);
  return {
    url,
    http,
    crypto,
    writeKey,
    secretKey,
    tick: (overrides) =>
      tickOnce({
        knex: db.knex,
        crypto,
        policy,
        linkBase: url,
        // WAYMARK_LINK_TTL_DAYS from the app's env, as startWorkers passes it.
        linkTtlMs: delivery.linkTtlMs,
        batchSize: 100,
        // As server.ts runs it: on PGlite's one connection, without row locks.
        exclusive: db.kind === "pglite",
        now: clock.now,
        ...overrides,
      }),
    async ingest(path, body) {
      const res = await fetch(`${url}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`,
        },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async call<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: headers ?? {
          authorization: `Bearer ${secretKey}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? null : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      const json = (res.headers.get("content-type") ?? "").includes("json") && text !== "";
      return { status: res.status, text, body: (json ? JSON.parse(text) : {}) as T };
    },
    async close() {
      http.closeAllConnections();
      await new Promise<void>((done) => http.close(() => done()));
    },
  };
}
