import { Router } from "express";
import type { Knex } from "knex";
import { requireOperator } from "../http/auth.ts";

interface JourneyRow {
  id: string;
  name: string;
  status: string;
  version: number | null;
  updated_at: Date;
  active: string | number;
}

export function journeyRoutes(knex: Knex): Router {
  const router = Router();

  router.get("/api/journeys", requireOperator(knex), async (_req, res) => {
    // One query for the list page: live version number and users in the journey now.
    const rows = (await knex("journeys as j")
      .leftJoin("journey_versions as v", "v.id", "j.live_version_id")
      .select(
        "j.id",
        "j.name",
        "j.status",
        "v.version",
        "j.updated_at",
        knex.raw(
          "(select count(*) from enrollments e where e.journey_id = j.id and e.status = 'active') as active",
        ),
      )
      .whereNot("j.status", "archived")
      .orderBy("j.updated_at", "desc")) as JourneyRow[];
    res.json({
      journeys: rows.map((r) => ({
        id: r.id,
        name: r.name,
        status: r.status,
        version: r.version,
        updatedAt: r.updated_at,
        activeUsers: Number(r.active),
      })),
    });
  });

  return router;
}
