import type { Knex } from "knex";
import { Health } from "../api/admin.ts";
import type { DatabaseKind } from "../db/connect.ts";
import { currentMigration } from "../db/migrate.ts";
import { databaseAnswers } from "../db/sql/health.ts";
import type { RouteSpec } from "../http/routes.ts";

export function healthRoutes(knex: Knex, kind: DatabaseKind): RouteSpec[] {
  return [
    {
      method: "get",
      path: "/healthz",
      // Unauthenticated by design: load balancers and `npm start` users check it without a login.
      access: "public",
      summary: "Liveness: the database kind and its latest migration (503 when unreachable)",
      responses: { 200: Health, 503: Health },
      async handler(_req, res) {
        try {
          await databaseAnswers(knex);
          res.json({ status: "ok", database: kind, migration: await currentMigration(knex) });
        } catch {
          res.status(503).json({ status: "unavailable", database: kind, migration: null });
        }
      },
    },
  ];
}
