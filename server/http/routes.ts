import { type Request, type Response, Router } from "express";
import type { Knex } from "knex";
import type { z } from "zod";
import type { AccessRole } from "../auth/sessions.ts";
import { requireAuth } from "./auth.ts";

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
    router[spec.method](spec.path, ...guards, spec.handler);
  }
  return router;
}

export function param(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === "string" ? value : "";
}
