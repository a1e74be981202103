import type { Knex } from "knex";
import { z } from "zod";
import { exportJourney } from "../../engine/format/export.ts";
import { type Journey, JourneySchema } from "../../engine/format/journey.ts";
import { isUnstorable } from "../../engine/shared/text.ts";
import { validate } from "../../engine/validate/validate.ts";
import { ErrorBody, JOURNEY_FILE } from "../api/common.ts";
import { Enrolled, JourneyDetail, JourneyList, SavedDraft, SavedJourney } from "../api/journeys.ts";
import type { DeliveryConfig } from "../delivery/config.ts";
import { HttpError } from "../http/errors.ts";
import { param, type RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import { listJourneys } from "../journeys/sql/list.ts";
import { versionDefinition } from "../journeys/sql/versions.ts";
import { createJourney, getJourney } from "../journeys/store.ts";
import { saveDraftAsTyped } from "../journeys/typed-draft.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { enroll } from "../runtime/enroll.ts";
import type { liveJourneyCache } from "../runtime/live-journeys.ts";
import { contactForApiEnroll } from "../runtime/sql/api-enroll.ts";
import { journeyIssues, mustGet, smsProviderOption, who } from "./journey-common.ts";
import { journeyLifecycleRoutes } from "./journey-lifecycle.ts";

const EDIT = ["marketer"] as const;
const IO = ["marketer", "engineer"] as const;

const EnrollBody = z.object({
  userId: z.string().trim().min(1).max(200),
  properties: z.record(z.string(), z.unknown()).default({}),
});
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

export function journeyRoutes(
  knex: Knex,
  live: ReturnType<typeof liveJourneyCache>,
  clock: () => Date,
  delivery: DeliveryConfig,
  crypto: FieldCrypto,
): RouteSpec[] {
  const check = journeyIssues(knex, crypto, delivery);
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
    ...journeyLifecycleRoutes(knex, live, clock, check, async () => ({
      smsProvider: await smsProviderOption(knex, crypto, delivery),
    })),
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
