import { Router } from "express";
import type { Database } from "../db/connect.ts";
import { currentMigration } from "../db/migrate.ts";

export function healthRoutes(db: Database): Router {
  const router = Router();
  // Unauthenticated by design: load balancers and `npm start` users check it without a login.
  router.get("/healthz", async (_req, res) => {
    try {
      await db.knex.raw("select 1");
      res.json({ status: "ok", database: db.kind, migration: await currentMigration(db.knex) });
    } catch {
      res.status(503).json({ status: "unavailable", database: db.kind, migration: null });
    }
  });
  return router;
}
