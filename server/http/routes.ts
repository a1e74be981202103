import { type Request, type RequestHandler, type Response, Router } from "express";
import type { Knex } from "knex";
import type { z } from "zod";
import { findUnstorable } from "../../engine/shared/text.ts";
import type { ResponseSchema } from "../api/common.ts";
import type { AccessRole } from "../auth/sessions.ts";
import { requireAuth } from "./auth.ts";
import { HttpError } from "./errors.ts";

/**
 * Who may call a route: `public` (no credentials), `any` operator role (not the `metrics` key
 * role), or a role list (admins always pass).
 */
export type Access = "public" | "any" | readonly AccessRole[];

/** The statuses a route may answer; the OpenAPI document describes each. */
export type Status =
  | 200
  | 201
  | 204
  | 302
  | 400
  | 401
  | 403
  | 404
  | 409
  | 413
  | 415
  | 422
  | 429
  | 503;

/**
 * What a route answers, per status: a zod schema of the JSON body (errors: `ErrorBody`), "no
 * body", or a non-JSON media type. A route lists its successes and its own domain errors
 * (404, 409, 422, 429…); the statuses the table's machinery answers for every route — 400
 * for unstorable text or an invalid body or query, 401/403 for a guarded route, 413, 503 while
 * the database is away — are added by the OpenAPI builder (server/http/openapi.ts).
 */
export type Responses = Readonly<Partial<Record<Status, ResponseSchema>>>;

export interface RouteSpec {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  access: Access;
  /** One line for the OpenAPI document and the route table test. */
  summary: string;
  /** The request body's schema (the handler validates with it); documented in OpenAPI. */
  body?: z.ZodType;
  /** The query string's schema, likewise. */
  query?: z.ZodType;
  /** Every status the route answers itself, with its body (tests/server/responses.test.ts checks them). */
  responses: Responses;
  /**
   * How a public route authenticates its caller itself, in its `before` middleware: a write key
   * (ingest), Twilio's request signature (its webhooks) or our own (email events, signatures.ts).
   * Documented as the route's security.
   */
  verifiedBy?: "writeKey" | "twilioSignature" | "webhookSignature";
  /** Middleware after the table's own checks, before the handler: a route's own auth or body parser. */
  before?: readonly RequestHandler[];
  /** The route reads its own body (ingest: gzip, any Content-Type): mounted before the app's JSON parser. */
  ownBody?: true;
  /** The request body's media type when it is not JSON (Twilio posts forms). */
  bodyType?: "application/x-www-form-urlencoded";
  /** Open to an operator still on their one-time password (the password change itself). */
  beforePasswordChange?: true;
  handler: (req: Request, res: Response) => Promise<void> | void;
}

/**
 * Routes are declared as data, so the auth tests can enumerate every route from this table
 * (a new route cannot slip in without a 401 and 403 test) and the OpenAPI document lists them.
 */
export function buildRouter(knex: Knex, specs: readonly RouteSpec[]): Router {
  const router = Router();
  for (const spec of specs) {
    const guards =
      spec.access === "public"
        ? []
        : [
            requireAuth(knex, spec.access === "any" ? undefined : spec.access, {
              beforePasswordChange: spec.beforePasswordChange === true,
            }),
          ];
    router[spec.method](spec.path, ...guards, storableText, ...(spec.before ?? []), spec.handler);
  }
  return router;
}

/**
 * A NUL or a lone surrogate anywhere in the path, query or body is refused here with a 400
 * naming the field: PostgreSQL cannot hold either in text or jsonb, so further in it would fail
 * the statement and answer 500 (issue #14's hostile-input sweep found it on most routes).
 */
function storableText(req: Request, _res: Response, next: () => void): void {
  for (const [part, value] of [
    ["params", req.params],
    ["query", req.query],
    ["body", req.body],
  ] as const) {
    const at = findUnstorable(value);
    if (!at) continue;
    const path = at.join(".");
    const message = "holds a NUL character or a lone surrogate";
    throw new HttpError(400, "invalid_text", `${part}${path ? `.${path}` : ""}: ${message}`, [
      { path: path || part, message },
    ]);
  }
  next();
}

export function param(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === "string" ? value : "";
}
