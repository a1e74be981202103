import { existsSync } from "node:fs";
import { resolve } from "node:path";
import express from "express";
import helmet from "helmet";
import type { Database } from "./db/connect.ts";
import type { DeliveryConfig } from "./delivery/config.ts";
import { deliveryRoutes } from "./delivery/routes.ts";
import type { Activity } from "./http/activity.ts";
import { csrfGuard } from "./http/csrf.ts";
import { errorHandler, notFound } from "./http/errors.ts";
import { rateLimit } from "./http/rate-limit.ts";
import { buildRouter } from "./http/routes.ts";
import { ingestRoutes } from "./ingest/routes.ts";
import type { Logger } from "./log.ts";
import type { Metrics } from "./metrics.ts";
import type { FieldCrypto } from "./privacy/keys.ts";
import { healthRoutes } from "./routes/health.ts";
import { apiRoutes } from "./routes/index.ts";
import { sessionRoutes } from "./routes/session.ts";
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
  /** The clock for request handling; tests pass a controllable one. */
  clock?: () => Date;
  /** Serve the built client from client/dist (production); `npm run dev` leaves this to Vite. */
  serveClient?: boolean;
  secureCookies?: boolean;
  /** Counts requests in flight for the PGlite ticker's gate (server/http/activity.ts). */
  activity?: Activity;
  /** Told when a request made enrollments due (events, clicks, webhooks): the ticker's nudge. */
  onDue?: () => void;
}

export function createApp({
  db,
  log,
  crypto,
  delivery,
  metrics,
  clock,
  ingestRatePerSecond = 1000,
  workspaceTimezone = "UTC",
  serveClient = true,
  secureCookies = false,
  activity,
  onDue,
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
  // Segment's batch limit is 500 KB; ours allows 500 events of ~1 KB each.
  app.use("/v1", express.json({ limit: "512kb" }));
  app.use(express.json({ limit: "1mb" }));

  app.use(healthRoutes(db));
  // Forged cross-site writes with the session cookie (server/http/csrf.ts).
  app.use("/api", csrfGuard());
  app.use(
    "/v1",
    rateLimit({
      perSecond: ingestRatePerSecond,
      burst: ingestRatePerSecond * 2,
      key: (req) => req.headers.authorization ?? `ip:${req.ip}`,
    }),
  );
  // Login, with its own password-guessing throttle (server/auth/login-throttle.ts).
  app.use(sessionRoutes(db.knex, { secureCookies }));
  const live = liveJourneyCache(db.knex);
  const now = clock ?? (() => new Date());
  const policy = policyCache(db.knex, workspaceTimezone);
  app.use(
    buildRouter(
      db.knex,
      apiRoutes({ knex: db.knex, crypto, live, policy, delivery, now, metrics }),
    ),
  );
  // On PostgreSQL, workers in other processes hear about due users too (runtime/due-channel.ts).
  const notifyOthers = db.kind === "postgres";
  app.use(
    ingestRoutes({ knex: db.knex, crypto, live, now, notifyOthers, ...(onDue ? { onDue } : {}) }),
  );
  app.use(
    deliveryRoutes({
      knex: db.knex,
      crypto,
      config: delivery,
      log,
      now,
      ...(onDue ? { onDue } : {}),
    }),
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
