import type { Request } from "express";
import type { Knex } from "knex";
import { z } from "zod";
import { exportJourney } from "../../engine/format/export.ts";
import { type Journey, JourneySchema } from "../../engine/format/journey.ts";
import { isUnstorable } from "../../engine/shared/text.ts";
import { validate } from "../../engine/validate/validate.ts";
import { ErrorBody, JOURNEY_FILE } from "../api/common.ts";
import {
  Archived,
  Enrolled,
  IssuesOnly,
  JourneyDetail,
  JourneyList,
  Paused,
  PublishResult,
  Resumed,
  SavedDraft,
  SavedJourney,
  Unarchived,
} from "../api/journeys.ts";
import { type AuditRecord, actorFrom, withAudit } from "../audit/audit.ts";
import { templateNames, triggerEventOf } from "../contacts/template-names.ts";
import type { DeliveryConfig } from "../delivery/config.ts";
import { linkShapeFor } from "../delivery/links.ts";
import { HttpError } from "../http/errors.ts";
import { requestOrigin } from "../http/origin.ts";
import { param, type RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import { publishAudited } from "../journeys/publish.ts";
import { listJourneys } from "../journeys/sql/list.ts";
import { versionDefinition } from "../journeys/sql/versions.ts";
import {
  archiveJourney,
  createJourney,
  getJourney,
  PAUSE_ENTRIES,
  pauseJourney,
  resumeJourney,
} from "../journeys/store.ts";
import { saveDraftAsTyped } from "../journeys/typed-draft.ts";
import { unarchiveJourney } from "../journeys/unarchive.ts";
import { enroll } from "../runtime/enroll.ts";
import type { liveJourneyCache } from "../runtime/live-journeys.ts";
import { contactForApiEnroll } from "../runtime/sql/api-enroll.ts";

const EDIT = ["marketer"] as const;
const IO = ["marketer", "engineer"] as const;

const EnrollBody = z.object({
  userId: z.string().trim().min(1).max(200),
  properties: z.record(z.string(), z.unknown()).default({}),
});
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
const ExportQuery = z.object({
  version: z.coerce.number().int().min(1).max(1_000_000).optional(),
});
const DuplicateBody = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
  name: z.string().min(1).max(200).optional(),
});

/**
 * The journey list's filters: `q` searches names (and ids) as the marketer types, `status`
 * narrows to one status; without it archived journeys are left out.
 */
const ListQuery = z.object({
  q: z
    .string()
    .max(200, "at most 200 characters")
    .refine((q) => !isUnstorable(q), "holds a NUL or a lone surrogate")
    .optional()
    .describe("Part of the journey's name or id, any case"),
  status: z
    .enum(["draft", "live", "paused", "archived"])
    .optional()
    .describe("Only journeys with this status; when absent, every status but archived"),
});

/**
 * Export and duplicate write a format file or a journey from the draft, so a draft kept as
 * typed (it does not parse) is refused with its issues rather than silently replaced by the
 * last well-formed draft: fix it in the editor, or export a published version (?version=N).
 */
function notWellFormed(draft: unknown): never {
  const issues = validate(draft);
  throw new HttpError(
    422,
    "draft_not_well_formed",
    `the draft does not match the journey format yet (${issues[0]?.message ?? "invalid"}); fix it in the editor, or export a published version with ?version=N`,
    issues,
  );
}

/** Operator id for audit columns; API keys act as no operator. */
const who = (req: Request) => (req.operator?.id ? req.operator.id : null);

const journeyAction = (action: string, id: string, at: Date): AuditRecord => ({
  action,
  subject: { type: "journey", id },
  at,
});

async function mustGet(knex: Knex, id: string) {
  const journey = await getJourney(knex, id);
  if (!journey) throw new HttpError(404, "not_found", `no journey "${id}"`);
  return journey;
}

export function journeyRoutes(
  knex: Knex,
  live: ReturnType<typeof liveJourneyCache>,
  clock: () => Date,
  delivery: DeliveryConfig,
): RouteSpec[] {
  // Issues as the editor paints them: templates checked against the names the workspace has
  // seen, SMS lengths with the links this server mints.
  // The draft is saved before this runs: a failed read of the names leaves them unchecked
  // rather than failing a save that committed.
  const check = async (doc: unknown, req: Request) =>
    validate(doc, {
      templateNames: await templateNames(knex, triggerEventOf(doc)).catch(() => ({})),
      linkShape: linkShapeFor(delivery.publicUrl, requestOrigin(req)),
    });
  return [
    {
      method: "get",
      path: "/api/journeys",
      access: "any",
      query: ListQuery,
      summary:
        "List journeys with status, live version and users in the journey now; `q` searches names, `status` filters (archived only when asked for)",
      responses: { 200: JourneyList },
      async handler(req, res) {
        const { q, status } = parseBody(ListQuery, req.query);
        const rows = await listJourneys(knex, { q: q ?? "", status });
        res.json({
          journeys: rows.map((r) => ({
            id: r.id,
            name: r.name,
            status: r.status,
            // While paused: "wait" (triggers enter held) or "skip" (they do not); else null.
            pauseEntries: r.status === "paused" ? (r.pause_entries ?? "skip") : null,
            version: r.version,
            updatedAt: r.updated_at,
            archivedAt: r.archived_at,
            activeUsers: Number(r.active),
          })),
        });
      },
    },
    {
      method: "post",
      path: "/api/journeys",
      access: EDIT,
      summary: "Create a journey from a format v1 document (its draft)",
      body: JourneySchema,
      responses: { 201: SavedJourney, 409: ErrorBody, 422: ErrorBody },
      async handler(req, res) {
        const journey = await createJourney(knex, req.body, who(req));
        res.status(201).json({ journey, issues: await check(journey, req) });
      },
    },
    {
      method: "get",
      path: "/api/journeys/:id",
      access: "any",
      summary: "A journey: status, live version, the draft and its validation issues",
      responses: { 200: JourneyDetail, 404: ErrorBody },
      async handler(req, res) {
        const { draftAsTyped, ...j } = await mustGet(knex, param(req, "id"));
        // The draft as the editor left it: as typed when it does not parse (issues say why).
        const draft = draftAsTyped ?? j.draft;
        res.json({ ...j, draft, issues: draft ? await check(draft, req) : [] });
      },
    },
    {
      method: "put",
      path: "/api/journeys/:id",
      access: EDIT,
      summary:
        "Save the draft (autosave), valid or not: a document that does not parse yet is kept as typed (bounded, 400/413 naming the field for hostile input); returns the validation issues, which block publishing only",
      body: JourneySchema,
      responses: { 200: SavedDraft, 404: ErrorBody, 409: ErrorBody },
      async handler(req, res) {
        const { draft } = await saveDraftAsTyped(knex, param(req, "id"), req.body);
        res.json({ journey: draft, issues: await check(draft, req) });
      },
    },
    {
      method: "delete",
      path: "/api/journeys/:id",
      access: EDIT,
      summary: "Archive: every user in the journey exits now",
      responses: { 200: Archived, 404: ErrorBody, 409: ErrorBody },
      async handler(req, res) {
        const id = param(req, "id");
        const now = clock();
        const exited = await withAudit(
          knex,
          actorFrom(req),
          (trx) => archiveJourney(trx, id, now),
          (n) => ({ ...journeyAction("journey.archive", id, now), details: { exited: n } }),
        );
        live.invalidate();
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
        const id = param(req, "id");
        const now = clock();
        const status = await withAudit(
          knex,
          actorFrom(req),
          (trx) => unarchiveJourney(trx, id, now),
          (s) => ({ ...journeyAction("journey.unarchive", id, now), details: { status: s } }),
        );
        live.invalidate();
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
        const result = await publishAudited(knex, param(req, "id"), actor, who(req), clock(), body);
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
        const id = param(req, "id");
        const { entries } = parseBody(PauseBody, req.body);
        const now = clock();
        await withAudit(
          knex,
          actorFrom(req),
          (trx) => pauseJourney(trx, id, now, entries),
          () => ({ ...journeyAction("journey.pause", id, now), details: { entries } }),
        );
        live.invalidate();
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
        const id = param(req, "id");
        const now = clock();
        await withAudit(
          knex,
          actorFrom(req),
          (trx) => resumeJourney(trx, id, now),
          () => journeyAction("journey.resume", id, now),
        );
        live.invalidate();
        res.json({ status: "live" });
      },
    },
    {
      method: "get",
      path: "/api/journeys/:id/export",
      access: IO,
      summary:
        "The draft (or ?version=N, a published version) as canonical format v1 JSON (stable key order, for clean diffs)",
      query: ExportQuery,
      responses: { 200: JOURNEY_FILE, 404: ErrorBody, 422: ErrorBody },
      async handler(req, res) {
        const j = await mustGet(knex, param(req, "id"));
        const { version } = parseBody(ExportQuery, req.query);
        if (version === undefined && j.draftAsTyped !== null) notWellFormed(j.draftAsTyped);
        const doc =
          version === undefined
            ? j.draft
            : ((await versionDefinition(knex, j.id, version))?.definition ?? null);
        if (!doc)
          throw new HttpError(
            404,
            version === undefined ? "no_draft" : "not_found",
            version === undefined
              ? "the journey has no draft"
              : `journey "${j.id}" has no version ${version}`,
          );
        res
          .type("application/json")
          .setHeader("content-disposition", `attachment; filename="${j.id}.json"`)
          .send(exportJourney(doc));
      },
    },
    {
      method: "post",
      path: "/api/journeys/:id/duplicate",
      access: EDIT,
      summary: "Copy the draft into a new journey",
      body: DuplicateBody,
      responses: { 201: SavedJourney, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
      async handler(req, res) {
        const source = await mustGet(knex, param(req, "id"));
        const body = parseBody(DuplicateBody, req.body);
        if (!source.draft) throw new HttpError(404, "no_draft", "the journey has no draft");
        if (source.draftAsTyped !== null) notWellFormed(source.draftAsTyped);
        const copy: Journey = {
          ...source.draft,
          id: body.id,
          name: body.name ?? `${source.draft.name} (copy)`,
        };
        const journey = await createJourney(knex, copy, who(req));
        res.status(201).json({ journey, issues: await check(journey, req) });
      },
    },
    {
      method: "post",
      path: "/api/journeys/:id/enroll",
      access: ["engineer", "marketer"],
      summary: "Enroll one user in a live journey with an `api` trigger",
      body: EnrollBody,
      responses: { 201: Enrolled, 409: ErrorBody },
      async handler(req, res) {
        const id = param(req, "id");
        const body = parseBody(EnrollBody, req.body);
        const journey = (await live.get()).find((j) => j.journeyId === id);
        if (!journey) throw new HttpError(409, "not_live", `journey "${id}" is not live`);
        if (journey.compiled.trigger?.trigger.kind !== "api") {
          throw new HttpError(
            409,
            "not_api_triggered",
            `journey "${id}" is entered by its ${journey.compiled.trigger?.trigger.kind ?? "missing"} trigger, not the API`,
          );
        }
        const now = clock();
        const ids = await knex.transaction(async (trx) => {
          const { contactId, eventCursor } = await contactForApiEnroll(trx, body.userId);
          return enroll(
            trx,
            [
              {
                contactId,
                journey,
                event: { name: "api.enroll", at: now.getTime(), properties: body.properties },
                eventCursor,
              },
            ],
            now,
          );
        });
        if (ids.length === 0) {
          const state = await getJourney(knex, id);
          if (state?.pause?.entries === "skip")
            throw new HttpError(
              409,
              "journey_paused",
              `journey "${id}" is paused and skips new entries: the entry was skipped and counted`,
            );
          throw new HttpError(
            409,
            "not_enrolled",
            "the user is already in this journey, or may not re-enter it yet",
          );
        }
        res.status(201).json({ enrollmentId: ids[0] });
      },
    },
  ];
}
