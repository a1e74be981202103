import type { Request } from "express";
import type { Knex } from "knex";
import { z } from "zod";
import { isUnstorable } from "../../engine/shared/text.ts";
import type { ValidateOptions } from "../../engine/validate/validate.ts";
import { ErrorBody } from "../api/common.ts";
import {
  Archived,
  IssuesOnly,
  PAUSE_ENTRIES,
  Paused,
  PublishResult,
  Resumed,
  Unarchived,
} from "../api/journeys.ts";
import { type AuditRecord, actorFrom, withAudit } from "../audit/audit.ts";
import { param, type RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import { publishAudited } from "../journeys/publish.ts";
import { archiveJourney, pauseJourney, resumeJourney } from "../journeys/status.ts";
import { unarchiveJourney } from "../journeys/unarchive.ts";
import type { liveJourneyCache } from "../runtime/live-journeys.ts";
import { type CheckJourney, mustGet, who } from "./journey-common.ts";

/**
 * A journey's way to and from live: validate, publish, pause, resume, archive, unarchive. Each
 * status change commits with its audit entry, and the live journeys the ticker and ingest read
 * are reloaded after it.
 */

const EDIT = ["marketer"] as const;

const PublishBody = z
  .object({
    inFlight: z.enum(["pin", "migrate"]).default("pin"),
    map: z.record(z.string(), z.string().nullable()).default({}),
    dryRun: z.boolean().default(false),
    /** The publisher's note, shown in the Versions panel and the audit log. */
    note: z
      .string()
      .trim()
      .max(500)
      .refine((s) => !isUnstorable(s), "must not contain NUL characters or lone surrogates")
      .optional(),
  })
  .default({ inFlight: "pin", map: {}, dryRun: false });
/**
 * Pausing says what happens to triggers during the pause (issue #16): `wait` enrolls the
 * contact held at entry until resume, `skip` does not (each skip is logged on the contact and
 * counted on the journey). Without a body it is `skip`, what pausing always did, so existing
 * API clients keep their behaviour; the console always asks.
 */
const PauseBody = z
  .strictObject({
    entries: z
      .enum(PAUSE_ENTRIES)
      .default("skip")
      .describe("wait: triggers enter and wait at entry until resume; skip: they do not enter"),
  })
  .default({ entries: "skip" });

export function journeyLifecycleRoutes(
  knex: Knex,
  live: ReturnType<typeof liveJourneyCache>,
  clock: () => Date,
  check: CheckJourney,
  /** Validation's view of this server at publish (the SMS provider in effect): its warnings. */
  publishChecks: () => Promise<ValidateOptions>,
): RouteSpec[] {
  /**
   * A status change of the journey in the path and its audit entry (`action`, with `details` of
   * what it did) in one transaction, then the live journeys reloaded.
   */
  async function statusChange<T>(
    req: Request,
    action: string,
    change: (trx: Knex.Transaction, id: string, now: Date) => Promise<T>,
    details?: (result: T) => Record<string, unknown>,
  ): Promise<T> {
    const id = param(req, "id");
    const now = clock();
    const result = await withAudit(
      knex,
      actorFrom(req),
      (trx) => change(trx, id, now),
      (r): AuditRecord => ({
        action,
        subject: { type: "journey", id },
        at: now,
        ...(details ? { details: details(r) } : {}),
      }),
    );
    live.invalidate();
    return result;
  }
  return [
    {
      method: "delete",
      path: "/api/journeys/:id",
      access: EDIT,
      summary: "Archive: every user in the journey exits now",
      responses: { 200: Archived, 404: ErrorBody, 409: ErrorBody },
      async handler(req, res) {
        const exited = await statusChange(req, "journey.archive", archiveJourney, (n) => ({
          exited: n,
        }));
        res.json({ archived: true, exited });
      },
    },
    {
      method: "post",
      path: "/api/journeys/:id/unarchive",
      access: EDIT,
      summary:
        "Unarchive: editable again, back as paused (new entries skipped) if it was ever published, else a draft; users who exited at the archive stay exited",
      responses: { 200: Unarchived, 404: ErrorBody, 409: ErrorBody },
      async handler(req, res) {
        const status = await statusChange(req, "journey.unarchive", unarchiveJourney, (s) => ({
          status: s,
        }));
        res.json({ status });
      },
    },
    {
      method: "post",
      path: "/api/journeys/:id/validate",
      access: "any",
      summary: "Validate a document (the body) or, with no body, the draft",
      responses: { 200: IssuesOnly, 404: ErrorBody },
      async handler(req, res) {
        const body = req.body as unknown;
        const hasBody =
          body !== undefined && body !== null && Object.keys(body as object).length > 0;
        const j = hasBody ? null : await mustGet(knex, param(req, "id"));
        const doc = hasBody ? body : (j?.draftAsTyped ?? j?.draft);
        res.json({ issues: await check(doc, req) });
      },
    },
    {
      method: "post",
      path: "/api/journeys/:id/publish",
      access: EDIT,
      summary:
        "Publish the draft as a new version; in-flight users stay (pin) or move by a node map (migrate); dryRun reports users per node",
      body: PublishBody,
      responses: { 200: PublishResult, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
      async handler(req, res) {
        const body = parseBody(PublishBody, req.body);
        const actor = actorFrom(req);
        const result = await publishAudited(knex, param(req, "id"), actor, who(req), clock(), {
          ...body,
          validateOptions: await publishChecks(),
        });
        if (!body.dryRun) live.invalidate();
        res.json(result);
      },
    },
    {
      method: "post",
      path: "/api/journeys/:id/pause",
      access: EDIT,
      summary:
        "Pause: users are held where they are, nothing is sent; `entries` says whether triggers during the pause enter and wait (`wait`) or are skipped and counted (`skip`, the default)",
      body: PauseBody,
      responses: { 200: Paused, 404: ErrorBody, 409: ErrorBody },
      async handler(req, res) {
        const { entries } = parseBody(PauseBody, req.body);
        await statusChange(
          req,
          "journey.pause",
          (trx, id, now) => pauseJourney(trx, id, now, entries),
          () => ({ entries }),
        );
        res.json({ status: "paused", entries });
      },
    },
    {
      method: "post",
      path: "/api/journeys/:id/resume",
      access: EDIT,
      summary: "Resume a paused journey: held users continue",
      responses: { 200: Resumed, 404: ErrorBody, 409: ErrorBody },
      async handler(req, res) {
        await statusChange(req, "journey.resume", resumeJourney);
        res.json({ status: "live" });
      },
    },
  ];
}
