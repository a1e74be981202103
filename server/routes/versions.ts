import type { Request } from "express";
import type { Knex } from "knex";
import { z } from "zod";
import { diffJourneys } from "../../engine/diff/diff.ts";
import { type Journey, JourneySchema } from "../../engine/format/journey.ts";
import { validate } from "../../engine/validate/validate.ts";
import { AuditPageSchema, ErrorBody } from "../api/common.ts";
import {
  DiffResponse,
  ImportResult,
  RevertResult,
  VersionCounts,
  VersionDetail,
  VersionList,
} from "../api/journeys.ts";
import { actorFrom } from "../audit/audit.ts";
import { auditPage } from "../audit/routes.ts";
import { HttpError } from "../http/errors.ts";
import { param, type RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import { importJourney } from "../journeys/import.ts";
import { discardDraft, revertDraft } from "../journeys/revert.ts";
import {
  draftDefinition,
  listVersions,
  versionDefinition,
  versionNodeCounts,
} from "../journeys/sql/versions.ts";
import { getJourney } from "../journeys/store.ts";

/**
 * Versions and safe editing (issue 17): the version history, one version with the users on it
 * now, the diff of any two documents, revert and discard, the import that asks before it
 * replaces a draft, and a journey's audit trail.
 */

const EDIT = ["marketer"] as const;
const IO = ["marketer", "engineer"] as const;

const Which = z.string().regex(/^(\d{1,9}|draft)$/, "a version number or `draft`");
const DiffQuery = z.object({ from: Which, to: Which });
const RevertBody = z.object({ version: z.number().int().min(1).max(1_000_000_000) });
const JourneyId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "1-64 letters, digits, '_' or '-'");
const ImportQuery = z.object({
  mode: z.enum(["new", "replace_draft"]).optional(),
  newId: JourneyId.optional(),
});
const AuditQuery = z.object({
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

function versionParam(req: Request): number {
  const raw = param(req, "version");
  const version = /^\d{1,9}$/.test(raw) ? Number(raw) : 0;
  if (version < 1) throw new HttpError(400, "bad_version", "version must be a positive integer");
  return version;
}

const who = (req: Request) => (req.operator?.id ? req.operator.id : null);

async function mustGet(knex: Knex, id: string) {
  const journey = await getJourney(knex, id);
  if (!journey) throw new HttpError(404, "not_found", `no journey "${id}"`);
  return journey;
}

async function documentOf(knex: Knex, id: string, which: string): Promise<Journey> {
  const doc =
    which === "draft"
      ? await draftDefinition(knex, id)
      : ((await versionDefinition(knex, id, Number(which)))?.definition ?? null);
  if (!doc)
    throw new HttpError(
      404,
      "not_found",
      `journey "${id}" has no ${which === "draft" ? "draft" : `version ${which}`}`,
    );
  return doc;
}

/** Node counts as JSON: null-prototype, so a node named `__proto__` is a key like any other. */
function countsObject(counts: ReadonlyMap<string, number>): Record<string, number> {
  const out = Object.create(null) as Record<string, number>;
  for (const [node, n] of counts) out[node] = n;
  return out;
}

export function versionRoutes(knex: Knex, clock: () => Date): RouteSpec[] {
  return [
    {
      method: "get",
      path: "/api/journeys/:id/versions",
      access: "any",
      summary:
        "Published versions, newest first: who published, when, note, in-flight policy, users moved and users on each now",
      responses: { 200: VersionList, 404: ErrorBody },
      async handler(req, res) {
        const j = await mustGet(knex, param(req, "id"));
        const versions = await listVersions(knex, j.id);
        res.json({
          liveVersion: j.liveVersion,
          versions: versions.map((v) => ({ ...v, live: v.version === j.liveVersion })),
        });
      },
    },
    {
      method: "get",
      path: "/api/journeys/:id/versions/:version",
      access: "any",
      summary: "One published version: its document and the users on each of its nodes now",
      responses: { 200: VersionDetail, 404: ErrorBody },
      async handler(req, res) {
        const id = param(req, "id");
        const version = versionParam(req);
        const row = await versionDefinition(knex, id, version);
        if (!row)
          throw new HttpError(404, "not_found", `journey "${id}" has no version ${version}`);
        const counts = await versionNodeCounts(knex, row.id);
        res.json({ ...row, counts: countsObject(counts) });
      },
    },
    {
      method: "get",
      path: "/api/journeys/:id/versions/:version/counts",
      access: "any",
      summary: "Users on each node of one version now (the editor's counts on the live version)",
      responses: { 200: VersionCounts, 404: ErrorBody },
      async handler(req, res) {
        const id = param(req, "id");
        const version = versionParam(req);
        const row = await versionDefinition(knex, id, version);
        if (!row)
          throw new HttpError(404, "not_found", `journey "${id}" has no version ${version}`);
        res.json({ version, counts: countsObject(await versionNodeCounts(knex, row.id)) });
      },
    },
    {
      method: "get",
      path: "/api/journeys/:id/diff",
      access: "any",
      summary:
        "Diff of two documents (version numbers or `draft`): nodes added, removed and changed with field-level changes and word diffs — ?from=1&to=draft",
      query: DiffQuery,
      responses: { 200: DiffResponse, 404: ErrorBody },
      async handler(req, res) {
        const id = param(req, "id");
        const q = parseBody(DiffQuery, req.query);
        const [from, to] = [await documentOf(knex, id, q.from), await documentOf(knex, id, q.to)];
        res.json({ from: q.from, to: q.to, ...diffJourneys(from, to) });
      },
    },
    {
      method: "post",
      path: "/api/journeys/:id/revert",
      access: EDIT,
      summary:
        "Make a published version the draft (publish it as usual afterwards); users are not touched",
      body: RevertBody,
      responses: { 200: RevertResult, 404: ErrorBody, 409: ErrorBody },
      async handler(req, res) {
        const id = param(req, "id");
        const body = parseBody(RevertBody, req.body);
        await mustGet(knex, id);
        const r = await revertDraft(knex, id, body.version, actorFrom(req), clock());
        res.json({ journey: r.draft, issues: validate(r.draft), version: r.version, diff: r.diff });
      },
    },
    {
      method: "post",
      path: "/api/journeys/:id/discard-draft",
      access: EDIT,
      summary: "Discard the draft: it becomes the live version again (409 when nothing is live)",
      responses: { 200: RevertResult, 404: ErrorBody, 409: ErrorBody },
      async handler(req, res) {
        const j = await mustGet(knex, param(req, "id"));
        const r = await discardDraft(knex, j.id, j.liveVersion, actorFrom(req), clock());
        res.json({ journey: r.draft, issues: validate(r.draft), version: r.version, diff: r.diff });
      },
    },
    {
      method: "post",
      path: "/api/journeys/import",
      access: IO,
      summary:
        "Import a format v1 document (422 with the issues when invalid). An existing id is refused with 409 and the diff against its draft and live version unless ?mode=replace_draft (the draft only, never the live version) or ?mode=new (a new journey, ?newId= or a free id)",
      query: ImportQuery,
      body: JourneySchema,
      responses: { 200: ImportResult, 201: ImportResult, 409: ErrorBody, 422: ErrorBody },
      async handler(req, res) {
        const q = parseBody(ImportQuery, req.query);
        const r = await importJourney(
          knex,
          req.body,
          { mode: q.mode, newId: q.newId },
          actorFrom(req),
          who(req),
          clock(),
        );
        res.status(r.outcome === "replaced_draft" ? 200 : 201).json({
          journey: r.journey,
          issues: validate(r.journey),
          outcome: r.outcome,
          replacedDraft: r.outcome === "replaced_draft",
          diff: r.diff,
        });
      },
    },
    {
      method: "get",
      path: "/api/journeys/:id/audit",
      access: "any",
      summary:
        "This journey's audit trail, newest first: publish, pause, resume, archive, revert, import",
      query: AuditQuery,
      responses: { 200: AuditPageSchema, 404: ErrorBody },
      async handler(req, res) {
        const j = await mustGet(knex, param(req, "id"));
        const q = parseBody(AuditQuery, req.query);
        res.json(
          await auditPage(knex, {
            subjectType: "journey",
            subjectId: j.id,
            before: q.before,
            limit: q.limit,
          }),
        );
      },
    },
  ];
}
