import type { Request } from "express";
import type { Knex } from "knex";
import { z } from "zod";
import {
  AudienceBodySchema,
  AudienceIdSchema,
  ConditionSchema,
} from "../../engine/audience/schema.ts";
import {
  AudienceList,
  Deleted,
  DraftPreview,
  Estimate,
  OneAudience,
  RfmGridSchema,
  SavedAudience,
  StoredPreview,
} from "../api/audiences.ts";
import { ErrorBody } from "../api/common.ts";
import { estimate, preview } from "../audiences/queries.ts";
import { rfmGrid } from "../audiences/rfm.ts";
import {
  createAudience,
  definitionOrReject,
  deleteAudience,
  getAudience,
  listAudiences,
  updateAudience,
} from "../audiences/store.ts";
import { HttpError } from "../http/errors.ts";
import { param, type RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import { emailFor } from "../privacy/mask.ts";

const EDIT = ["marketer"] as const;

/**
 * The envelope is checked by zod; the definition by validateAudience, which walks it with a
 * depth limit before any recursive parse (a 1 MB body nested 100,000 levels deep must be a 422,
 * not a stack overflow) and reports issues with paths the builder can paint.
 */
const Envelope = z.strictObject({
  id: AudienceIdSchema.optional(),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  definition: z.unknown(),
});
const UpdateEnvelope = Envelope.omit({ id: true });

const who = (req: Request) => (req.operator?.id ? req.operator.id : null);

async function mustGet(knex: Knex, id: string) {
  const audience = await getAudience(knex, id);
  if (!audience) throw new HttpError(404, "not_found", `no audience "${id}"`);
  return audience;
}

export function audienceRoutes(knex: Knex, clock: () => Date): RouteSpec[] {
  return [
    {
      method: "get",
      path: "/api/audiences",
      access: "any",
      summary: "List audiences (id, name, definition), most recently changed first",
      responses: { 200: AudienceList },
      async handler(_req, res) {
        res.json({ audiences: await listAudiences(knex) });
      },
    },
    {
      method: "post",
      path: "/api/audiences",
      access: EDIT,
      summary: "Create an audience; 422 with the issues list when the definition is invalid",
      body: AudienceBodySchema,
      responses: { 201: SavedAudience, 409: ErrorBody, 422: ErrorBody },
      async handler(req, res) {
        const body = parseBody(Envelope, req.body);
        const { definition, issues } = definitionOrReject(body.definition);
        const audience = await createAudience(knex, { ...body, definition }, who(req));
        res.status(201).json({ audience, issues });
      },
    },
    {
      method: "post",
      path: "/api/audiences/estimate",
      access: "any",
      summary: "Count the contacts a definition (the body) matches now: {count, ms}",
      body: ConditionSchema,
      responses: { 200: Estimate, 422: ErrorBody },
      async handler(req, res) {
        const { definition, issues } = definitionOrReject(req.body);
        res.json({ ...(await estimate(knex, definition, clock())), issues });
      },
    },
    {
      method: "post",
      path: "/api/audiences/preview",
      access: "any",
      summary: "Up to 20 contacts a definition (the body) matches now, before saving it",
      body: ConditionSchema,
      responses: { 200: DraftPreview, 422: ErrorBody },
      async handler(req, res) {
        const { definition } = definitionOrReject(req.body);
        const members = await preview(knex, definition, clock());
        res.json({ members: members.map((m) => masked(req, m)) });
      },
    },
    {
      method: "get",
      path: "/api/audiences/:id",
      access: "any",
      summary: "One audience",
      responses: { 200: OneAudience, 404: ErrorBody },
      async handler(req, res) {
        res.json({ audience: await mustGet(knex, param(req, "id")) });
      },
    },
    {
      method: "put",
      path: "/api/audiences/:id",
      access: EDIT,
      summary: "Replace an audience's name and definition",
      body: AudienceBodySchema.omit({ id: true }),
      responses: { 200: SavedAudience, 404: ErrorBody, 422: ErrorBody },
      async handler(req, res) {
        const body = parseBody(UpdateEnvelope, req.body);
        const { definition, issues } = definitionOrReject(body.definition);
        const audience = await updateAudience(
          knex,
          param(req, "id"),
          { ...body, definition },
          clock(),
        );
        res.json({ audience, issues });
      },
    },
    {
      method: "delete",
      path: "/api/audiences/:id",
      access: EDIT,
      summary: "Delete an audience; 409 while a journey's live version or draft uses it",
      responses: { 200: Deleted, 404: ErrorBody, 409: ErrorBody },
      async handler(req, res) {
        await deleteAudience(knex, param(req, "id"));
        res.json({ deleted: true });
      },
    },
    {
      method: "get",
      path: "/api/audiences/:id/preview",
      access: "any",
      summary: "Up to 20 current members of a stored audience, with its size",
      responses: { 200: StoredPreview, 404: ErrorBody },
      async handler(req, res) {
        const audience = await mustGet(knex, param(req, "id"));
        const now = clock();
        const members = await preview(knex, audience.definition, now);
        const { count } = await estimate(knex, audience.definition, now);
        res.json({ count, members: members.map((m) => masked(req, m)) });
      },
    },
    {
      method: "get",
      path: "/api/rfm",
      access: "any",
      summary:
        "The RFM grid: recency × frequency quintiles, contacts and mean spend per cell, each cell's definition",
      responses: { 200: RfmGridSchema },
      async handler(_req, res) {
        res.json(await rfmGrid(knex, clock()));
      },
    },
  ];
}

/** Support staff see emails masked, as everywhere else in the console. */
function masked<T extends { email: string | null }>(req: Request, m: T): T {
  return m.email ? { ...m, email: emailFor(req.operator?.role, m.email) } : m;
}
