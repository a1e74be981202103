import { existsSync } from "node:fs";
import { resolve } from "node:path";
import express from "express";
import helmet from "helmet";
import type { Database } from "./db/connect.ts";
import type { DeliveryConfig } from "./delivery/config.ts";
import { providerRulesInEffect } from "./delivery/provider-rules.ts";
import type { Activity } from "./http/activity.ts";
import { csrfGuard } from "./http/csrf.ts";
import { errorHandler, notFound } from "./http/errors.ts";
import { rateLimit } from "./http/rate-limit.ts";
import { buildRouter } from "./http/routes.ts";
import type { IngestDeps } from "./ingest/routes.ts";
import type { Logger } from "./log.ts";
import type { Metrics } from "./metrics.ts";
import type { FieldCrypto } from "./privacy/keys.ts";
import { routeTable } from "./routes/index.ts";
import { liveJourneyCache } from "./runtime/live-journeys.ts";
import { policyCache } from "./runtime/policy.ts";

export const CLIENT_DIST = resolve(import.meta.dirname, "../client/dist");

export interface AppOptions {
  db: Database;
  log: Logger;
  crypto: FieldCrypto;
  delivery: DeliveryConfig;
  metrics?: Metrics;
  workspaceTimezone?: string;
  /** Sustained ingest requests/s allowed per write key (burst twice that). */
  ingestRatePerSecond?: number;
  /** Ingest tuning (server/ingest/writer.ts); concurrency applies to PostgreSQL, PGlite has 1. */
  ingest?: Partial<Pick<IngestDeps, "concurrency" | "maxGroup" | "maxWaitMs">>;
  /** The clock for request handling; tests pass a controllable one. */
  clock?: () => Date;
  /** Serve the built client from client/dist (production); `npm run dev` leaves this to Vite. */
  serveClient?: boolean;
  secureCookies?: boolean;
  /** Counts requests in flight for the PGlite ticker's gate (server/http/activity.ts). */
  activity?: Activity;
  /** Told when a request made enrollments due (events, clicks, webhooks): the ticker's nudge. */
  onDue?: () => void;
  /** The process's live-journey cache, shared with the scanners so a publish reaches both. */
  live?: ReturnType<typeof liveJourneyCache>;
}

export function createApp({
  db,
  log,
  crypto,
  delivery,
  metrics,
  clock,
  ingestRatePerSecond = 2000,
  ingest = {},
  workspaceTimezone = "UTC",
  serveClient = true,
  secureCookies = false,
  activity,
  onDue,
  live = liveJourneyCache(db.knex),
}: AppOptions) {
  const app = express();
  app.disable("x-powered-by");
  if (activity) app.use(["/api", "/v1", "/l"], activity.middleware);
  app.set("trust proxy", "loopback");
  // Security headers from helmet, with a CSP that fits the console: scripts only from us,
  // inline styles allowed (React Flow positions nodes with style attributes), data: images
  // (the favicon), and no upgrade-insecure-requests, which would break plain-HTTP installs
  // reached by address.
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", "data:"],
          connectSrc: ["'self'"],
          fontSrc: ["'self'", "data:"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
        },
      },
      referrerPolicy: { policy: "same-origin" },
      // Plain HTTP is a supported install (npm start on a laptop); HSTS belongs to the proxy
      // that terminates TLS.
      strictTransportSecurity: false,
    }),
  );
  const now = clock ?? (() => new Date());
  const policy = policyCache(db.knex, workspaceTimezone, undefined, () =>
    providerRulesInEffect(db.knex, crypto, delivery),
  );
  const routes = routeTable({
    knex: db.knex,
    crypto,
    live,
    policy,
    delivery,
    now,
    metrics,
    databaseKind: db.kind,
    secureCookies,
    log,
    onDue,
    ingest: {
      ratePerSecond: ingestRatePerSecond,
      // PGlite runs one transaction at a time and the console's queries wait behind it: groups
      // of 300 keep that wait short, and measured faster than 500 or 200 too (bench/ingest:
      // ~5,800–7,300 events/s with API p99 140–250 ms, against ~3,700–4,100 and 490–590 ms).
      maxGroup: db.kind === "postgres" ? 2000 : 300,
      ...ingest,
      concurrency: db.kind === "postgres" ? (ingest.concurrency ?? 2) : 1,
      // On PostgreSQL, workers in other processes hear about due users too (due-channel.ts).
      notifyOthers: db.kind === "postgres",
      onError: (err) => log.error({ err }, "ingest housekeeping failed"),
      ...(onDue ? { onDue } : {}),
    },
  });
  // Segment-style ingest authenticates, rate-limits by write key and reads its own bodies
  // (gzip, any content type; server/ingest/body.ts), and email bounces and complaints are
  // signed over their raw bytes: routes that read their own body come before the JSON parser.
  app.use(
    buildRouter(
      db.knex,
      routes.filter((r) => r.ownBody),
    ),
  );
  app.use(express.json({ limit: "1mb" }));

  // Forged cross-site writes with the session cookie (server/http/csrf.ts).
  app.use("/api", csrfGuard());
  // The rest of /v1 (provider webhooks), per address.
  app.use(
    "/v1",
    rateLimit({
      perSecond: ingestRatePerSecond,
      burst: ingestRatePerSecond * 2,
      key: (req) => `ip:${req.ip}`,
    }),
  );
  // The rest of the route table: health, sign-in (its own password-guessing throttle in
  // server/auth/login-throttle.ts), the API, its OpenAPI document, Twilio's webhooks,
  // tracked links and an email's unsubscribe page and open pixel.
  app.use(
    buildRouter(
      db.knex,
      routes.filter((r) => !r.ownBody),
    ),
  );
  app.use("/api", notFound);

  if (serveClient && existsSync(CLIENT_DIST)) {
    app.use(express.static(CLIENT_DIST, { index: false, maxAge: "1h" }));
    // The client routes in the browser: every other GET gets the app shell.
    app.get(/^(?!\/api\/|\/v1\/|\/l\/|\/healthz).*/, (_req, res) => {
      res.sendFile(resolve(CLIENT_DIST, "index.html"), { maxAge: 0 });
    });
  }

  app.use(notFound);
  app.use(
    errorHandler(
      (err) => log.error({ err }, "unhandled error"),
      (err) => log.warn({ err }, "database unavailable; answering 503"),
    ),
  );
  return app;
}
