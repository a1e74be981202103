import { type Request, type Response, Router } from "express";
import type { Knex } from "knex";
import type { z } from "zod";
import { findUnstorable } from "../../engine/shared/text.ts";
import type { AccessRole } from "../auth/sessions.ts";
import { requireAuth } from "./auth.ts";
import { HttpError } from "./errors.ts";

/**
 * Who may call a route: `public` (no credentials), `any` operator role (not the `metrics` key
 * role), or a role list (admins always pass).
 */
export type Access = "public" | "any" | readonly AccessRole[];

export interface RouteSpec {
  method: "get" | "post" | "put" | "delete";
  path: string;
  access: Access;
  /** One line for the OpenAPI document and the route table test. */
  summary: string;
  /** The request body's schema (the handler validates with it); documented in OpenAPI. */
  body?: z.ZodType;
  /** The query string's schema, likewise. */
  query?: z.ZodType;
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
    router[spec.method](spec.path, ...guards, storableText, spec.handler);
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
