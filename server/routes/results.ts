import type { Request } from "express";
import type { Knex } from "knex";
import { z } from "zod";
import { EventNameSchema } from "../../engine/format/primitives.ts";
import { CSV_FILE, ErrorBody } from "../api/common.ts";
import { JourneyResultsSchema, JourneyTodaySchema } from "../api/results.ts";
import { HttpError } from "../http/errors.ts";
import { param, type RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import { resultsCsv } from "../results/csv.ts";
import { journeyResults } from "../results/results.ts";
import { journeyExists } from "../results/sql/today.ts";
import { journeyToday } from "../results/today.ts";
import type { policyCache } from "../runtime/policy.ts";

/** An IANA zone name PostgreSQL and Intl both know, for the chart's day boundaries. */
const ZoneSchema = z
  .string()
  .max(64)
  .regex(/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/, "not a time zone name")
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, "unknown time zone");

const ResultsQuery = z.object({
  /** Days of the daily series are dates in this zone; default the workspace's. */
  tz: ZoneSchema.optional(),
  /** Count this event as the conversion instead of the journey's goal. */
  event: EventNameSchema.optional(),
});

export function resultRoutes(
  knex: Knex,
  policy: ReturnType<typeof policyCache>,
  now: () => Date,
): RouteSpec[] {
  const options = async (req: Request) => {
    const q = parseBody(ResultsQuery, req.query);
    return { zone: q.tz ?? (await policy()).workspaceTimezone, goalEvent: q.event };
  };
  return [
    {
      method: "get",
      path: "/api/journeys/:id/results",
      access: "any",
      summary:
        "Results per send node and split arm: recipients, delivered, clicked, converted at day 0/1/3/7 (counts and rates), A/B z-tests, daily series",
      query: ResultsQuery,
      responses: { 200: JourneyResultsSchema, 404: ErrorBody },
      async handler(req, res) {
        res.json(await journeyResults(knex, param(req, "id"), await options(req)));
      },
    },
    {
      method: "get",
      path: "/api/journeys/:id/today",
      access: "any",
      summary:
        "Per node, today: contacts that reached it, messages sent, sends suppressed and deferred (with reasons); today is the workspace's day (Settings time zone)",
      responses: { 200: JourneyTodaySchema, 404: ErrorBody },
      async handler(req, res) {
        const id = param(req, "id");
        if (!(await journeyExists(knex, id)))
          throw new HttpError(404, "not_found", `no journey "${id}"`);
        // The workspace's zone, not the viewer's: everyone looking at a journey sees the same
        // numbers, and they match the results chart's days (the same zone by default).
        const zone = (await policy()).workspaceTimezone;
        res.json(await journeyToday(knex, id, zone, now()));
      },
    },
    {
      method: "get",
      path: "/api/journeys/:id/results.csv",
      access: "any",
      summary: "The results table as CSV (one row per send node and split arm)",
      query: ResultsQuery,
      responses: { 200: CSV_FILE, 404: ErrorBody },
      async handler(req, res) {
        const id = param(req, "id");
        const results = await journeyResults(knex, id, await options(req));
        res
          .type("text/csv")
          .setHeader("content-disposition", `attachment; filename="${id}-results.csv"`)
          .send(resultsCsv(results));
      },
    },
  ];
}
