import { existsSync } from "node:fs";
import { resolve } from "node:path";
import express from "express";
import type { Database } from "./db/connect.ts";
import { errorHandler, notFound } from "./http/errors.ts";
import type { Logger } from "./log.ts";
import { healthRoutes } from "./routes/health.ts";
import { journeyRoutes } from "./routes/journeys.ts";
import { sessionRoutes } from "./routes/session.ts";

export const CLIENT_DIST = resolve(import.meta.dirname, "../client/dist");

export interface AppOptions {
  db: Database;
  log: Logger;
  /** Serve the built client from client/dist (production); `npm run dev` leaves this to Vite. */
  serveClient?: boolean;
  secureCookies?: boolean;
}

export function createApp({ db, log, serveClient = true, secureCookies = false }: AppOptions) {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", "loopback");
  app.use((_req, res, next) => {
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "same-origin");
    res.setHeader("X-Frame-Options", "DENY");
    next();
  });
  app.use(express.json({ limit: "1mb" }));

  app.use(healthRoutes(db));
  app.use(sessionRoutes(db.knex, secureCookies));
  app.use(journeyRoutes(db.knex));
  app.use("/api", notFound);

  if (serveClient && existsSync(CLIENT_DIST)) {
    app.use(express.static(CLIENT_DIST, { index: false, maxAge: "1h" }));
    // The client routes in the browser: every other GET gets the app shell.
    app.get(/^(?!\/api\/|\/v1\/|\/healthz).*/, (_req, res) => {
      res.sendFile(resolve(CLIENT_DIST, "index.html"), { maxAge: 0 });
    });
  }

  app.use(notFound);
  app.use(errorHandler((err) => log.error({ err }, "unhandled error")));
  return app;
}
